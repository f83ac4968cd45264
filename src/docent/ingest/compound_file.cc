// MS-CFB in brief: a 512-byte header, then sectors of 512 (version 3) or 4096 bytes
// (version 4). The FAT maps each sector to the next of its chain; the sectors holding the FAT
// are listed in the header (the first 109) and then in a chain of DIFAT sectors. Streams under
// the mini cutoff (4096 bytes) live in 64-byte mini sectors inside the "mini stream" (the root
// entry's data), chained through the miniFAT. The directory is a chain of 128-byte entries;
// each storage's children form a binary tree through left/right sibling ids.
#include "docent/ingest/compound_file.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "docent/ingest/little_endian.h"
#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

constexpr unsigned char kSignature[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
constexpr uint32_t kHeaderBytes = 512;
constexpr uint32_t kMaxRegularSector = 0xFFFFFFFA;
constexpr uint32_t kEndOfChain = 0xFFFFFFFE;
constexpr uint32_t kNoEntry = 0xFFFFFFFF;
constexpr uint32_t kMiniSectorBytes = 64;
constexpr uint32_t kEntryBytes = 128;
constexpr uint8_t kTypeStorage = 1, kTypeStream = 2, kTypeRoot = 5;
// Deeper storages than this are refused: HWP nests two levels, and the walk is recursive.
constexpr int kMaxStorageDepth = 32;

struct Entry {
  std::string name;  // UTF-8
  uint8_t type = 0;
  uint32_t left = kNoEntry, right = kNoEntry, child = kNoEntry;
  uint32_t start = 0;
  uint64_t size = 0;
};

// Entry names are UTF-16LE, NUL-terminated within 64 bytes.
std::string EntryName(std::string_view raw, uint16_t name_bytes) {
  size_t units = std::min<size_t>(name_bytes, 64) / 2;
  for (size_t i = 0; i < units; ++i) {
    if (U16At(raw, 2 * i) == 0) units = i;
  }
  std::string out;
  util::AppendUtf16Le(raw.substr(0, 2 * units), out);
  return out;
}

}  // namespace

bool IsCompoundFile(std::string_view bytes) {
  return bytes.size() >= sizeof kSignature &&
         std::memcmp(bytes.data(), kSignature, sizeof kSignature) == 0;
}

std::string_view CompoundFile::Sector(uint32_t n) const {
  // Sector 0 follows the header, which takes a whole sector in both versions.
  return bytes_.substr((static_cast<uint64_t>(n) + 1) * sector_size_, sector_size_);
}

Result<CompoundFile> CompoundFile::Open(std::string_view bytes) {
  if (!IsCompoundFile(bytes)) return Corrupt("not an OLE2 compound file (bad signature)");
  if (bytes.size() < kHeaderBytes) return Corrupt("compound file header is truncated");
  CompoundFile cf;
  cf.bytes_ = bytes;
  const uint16_t major = U16At(bytes, 0x1A);
  const uint16_t byte_order = U16At(bytes, 0x1C);
  const uint16_t sector_shift = U16At(bytes, 0x1E);
  const uint16_t mini_shift = U16At(bytes, 0x20);
  if (byte_order != 0xFFFE) return Corrupt("compound file has a bad byte-order mark");
  if (!((major == 3 && sector_shift == 9) || (major == 4 && sector_shift == 12))) {
    return Corrupt("compound file version " + std::to_string(major) + " with sector shift " +
                   std::to_string(sector_shift) + " is not valid");
  }
  if (mini_shift != 6) return Corrupt("compound file mini sector shift is not 6");
  cf.sector_size_ = 1u << sector_shift;
  // In version 4 the header fills the whole first 4096-byte sector.
  const uint64_t first = cf.sector_size_;
  // A last sector cut short is still read (writers do not always pad the file).
  cf.sector_count_ =
      bytes.size() <= first ? 0 : (bytes.size() - first + cf.sector_size_ - 1) / cf.sector_size_;
  cf.mini_cutoff_ = U32At(bytes, 0x38);
  if (cf.mini_cutoff_ != 4096) return Corrupt("compound file mini stream cutoff is not 4096");
  DOCENT_RETURN_IF_ERROR(cf.ReadAllocationTables(U32At(bytes, 0x2C), U32At(bytes, 0x44)));
  DOCENT_RETURN_IF_ERROR(cf.ReadDirectory(U32At(bytes, 0x30)));
  const uint32_t first_minifat = U32At(bytes, 0x3C);
  const uint32_t minifat_sectors = U32At(bytes, 0x40);
  if (minifat_sectors > 0 && first_minifat <= kMaxRegularSector) {
    if (minifat_sectors > cf.sector_count_) return Corrupt("compound file miniFAT is too large");
    std::string raw;
    DOCENT_RETURN_IF_ERROR(
        cf.ReadChain(first_minifat, static_cast<uint64_t>(minifat_sectors) * cf.sector_size_, raw));
    cf.minifat_.resize(raw.size() / 4);
    for (size_t i = 0; i < cf.minifat_.size(); ++i) cf.minifat_[i] = U32At(raw, 4 * i);
  }
  return cf;
}

Status CompoundFile::ReadAllocationTables(uint32_t fat_sectors, uint32_t first_difat) {
  if (fat_sectors == 0 || fat_sectors > sector_count_) {
    return Corrupt("compound file declares " + std::to_string(fat_sectors) +
                   " FAT sectors for a file of " + std::to_string(sector_count_) + " sectors");
  }
  std::vector<uint32_t> fat_list;
  for (uint32_t i = 0; i < 109 && fat_list.size() < fat_sectors; ++i) {
    fat_list.push_back(U32At(bytes_, 0x4C + 4 * i));
  }
  uint32_t difat = first_difat;
  std::set<uint32_t> seen;
  while (fat_list.size() < fat_sectors) {
    // (The header's DIFAT sector count is not trusted: the chain's end and loops are.)
    if (difat >= sector_count_ || !seen.insert(difat).second) {
      return Corrupt("compound file DIFAT chain is broken");
    }
    const std::string_view s = Sector(difat);
    if (s.size() < sector_size_) return Corrupt("compound file DIFAT sector is cut short");
    const uint32_t per = sector_size_ / 4 - 1;
    for (uint32_t i = 0; i < per && fat_list.size() < fat_sectors; ++i) {
      fat_list.push_back(U32At(s, 4 * i));
    }
    difat = U32At(s, 4 * per);
  }
  fat_.reserve(static_cast<size_t>(fat_sectors) * (sector_size_ / 4));
  for (uint32_t s : fat_list) {
    if (s >= sector_count_) return Corrupt("compound file FAT sector is outside the file");
    const std::string_view sector = Sector(s);
    if (sector.size() < sector_size_) return Corrupt("compound file FAT sector is cut short");
    for (uint32_t i = 0; i < sector_size_ / 4; ++i) fat_.push_back(U32At(sector, 4 * i));
  }
  return Status::Ok();
}

Status CompoundFile::ReadChain(uint32_t start, uint64_t size, std::string& out) const {
  // A sector met twice is a loop: each is visited once, so no chain outgrows the file.
  std::vector<bool> visited(sector_count_, false);
  uint32_t s = start;
  while (size > 0) {
    if (s == kEndOfChain) return Corrupt("compound file stream is shorter than its size");
    if (s >= sector_count_ || s >= fat_.size()) {
      return Corrupt("compound file chain points outside the file");
    }
    if (visited[s]) return Corrupt("compound file chain loops");
    visited[s] = true;
    const std::string_view sector = Sector(s);
    const uint64_t take = std::min<uint64_t>(size, sector.size());
    if (take == 0) return Corrupt("compound file stream is shorter than its size");
    out.append(sector.substr(0, take));
    size -= take;
    s = fat_[s];
  }
  return Status::Ok();
}

Status CompoundFile::ReadMiniChain(uint32_t start, uint64_t size, std::string& out) const {
  std::vector<bool> visited(minifat_.size(), false);
  uint32_t s = start;
  while (size > 0) {
    if (s == kEndOfChain) return Corrupt("compound file stream is shorter than its size");
    if (s >= minifat_.size() ||
        (static_cast<uint64_t>(s) + 1) * kMiniSectorBytes > mini_stream_.size()) {
      return Corrupt("compound file mini chain points outside the mini stream");
    }
    if (visited[s]) return Corrupt("compound file mini chain loops");
    visited[s] = true;
    const uint64_t take = std::min<uint64_t>(size, kMiniSectorBytes);
    out.append(mini_stream_, static_cast<size_t>(s) * kMiniSectorBytes, take);
    size -= take;
    s = minifat_[s];
  }
  return Status::Ok();
}

Status CompoundFile::ReadDirectory(uint32_t first_sector) {
  // The directory's length is its chain's; every sector of it holds whole entries.
  std::string dir;
  std::vector<bool> visited_sectors(sector_count_, false);
  uint32_t s = first_sector;
  while (s != kEndOfChain) {
    if (s >= sector_count_ || s >= fat_.size() || visited_sectors[s]) {
      return Corrupt("compound file directory chain is broken");
    }
    visited_sectors[s] = true;
    dir.append(Sector(s));
    s = fat_[s];
  }
  std::vector<Entry> entries(dir.size() / kEntryBytes);  // (a cut-short sector: whole ones)
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string_view e = std::string_view(dir).substr(i * kEntryBytes, kEntryBytes);
    Entry& en = entries[i];
    en.name = EntryName(e, U16At(e, 0x40));
    en.type = static_cast<uint8_t>(e[0x42]);
    en.left = U32At(e, 0x44);
    en.right = U32At(e, 0x48);
    en.child = U32At(e, 0x4C);
    en.start = U32At(e, 0x74);
    en.size = U32At(e, 0x78) | (sector_size_ == 4096 ? static_cast<uint64_t>(U32At(e, 0x7C)) << 32
                                                     : 0);  // v3: the high half is undefined
  }
  if (entries.empty() || entries[0].type != kTypeRoot) {
    return Corrupt("compound file has no root directory entry");
  }
  const Entry& root = entries[0];
  if (root.size > 0 && root.start <= kMaxRegularSector) {
    if (root.size > bytes_.size()) return Corrupt("compound file mini stream is too large");
    DOCENT_RETURN_IF_ERROR(ReadChain(root.start, root.size, mini_stream_));
  }
  // Walk the trees, iteratively for siblings and recursively (bounded) for storages. Every
  // entry is visited once: a tree that points back into itself is cut there.
  std::vector<bool> visited(entries.size(), false);
  visited[0] = true;
  Status status = Status::Ok();
  auto walk = [&](auto&& self, uint32_t top, const std::string& prefix, int depth) -> void {
    if (depth > kMaxStorageDepth) {
      status = Corrupt("compound file storages nest too deeply");
      return;
    }
    std::vector<uint32_t> stack{top};
    while (!stack.empty()) {
      const uint32_t id = stack.back();
      stack.pop_back();
      if (id == kNoEntry || id >= entries.size() || visited[id]) continue;
      visited[id] = true;
      const Entry& e = entries[id];
      stack.push_back(e.left);
      stack.push_back(e.right);
      const std::string path = prefix + e.name;
      if (e.type == kTypeStream) {
        streams_[path] = Stream{e.start, e.size};
      } else if (e.type == kTypeStorage) {
        self(self, e.child, path + "/", depth + 1);
      }
    }
  };
  walk(walk, root.child, "", 0);
  return status;
}

bool CompoundFile::HasStream(std::string_view path) const {
  return streams_.find(path) != streams_.end();
}

Result<std::string> CompoundFile::ReadStream(std::string_view path, uint64_t max_bytes) const {
  auto it = streams_.find(path);
  if (it == streams_.end()) return NotFound("no stream " + std::string(path));
  const Stream& s = it->second;
  if (s.size > max_bytes) {
    return TooLarge("stream " + std::string(path) + " is " + std::to_string(s.size) +
                    " bytes, over the limit of " + std::to_string(max_bytes));
  }
  // A size the file cannot hold is a lie; refuse it before allocating.
  if (s.size > bytes_.size()) {
    return Corrupt("stream " + std::string(path) + " is larger than the file");
  }
  std::string out;
  out.reserve(static_cast<size_t>(s.size));
  const Status st =
      s.size < mini_cutoff_ ? ReadMiniChain(s.start, s.size, out) : ReadChain(s.start, s.size, out);
  if (!st.ok()) return st.WithContext(std::string(path));
  return out;
}

std::vector<std::string> CompoundFile::StreamPaths() const {
  std::vector<std::string> out;
  for (const auto& [path, s] : streams_) out.push_back(path);
  return out;
}

}  // namespace docent::ingest
