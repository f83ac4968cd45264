// The on-disk store of passage KV (see chunk_kv_store.h).
//
// File layout (little-endian): "DOCENTKV", u32 version, u32 token count, u32 first position,
// u32 reserved, u64 payload bytes, u64 XXH3-64 of the payload, the key (16 bytes); then the
// payload: the tokens (u32 each), then the KV bytes.
#include "docent/engine/chunk_kv_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "docent/util/hex.h"

namespace docent::engine {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'D', 'O', 'C', 'E', 'N', 'T', 'K', 'V'};
constexpr uint32_t kVersion = 1;
constexpr const char* kSuffix = ".kv";

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t n_tokens;
  uint32_t first_pos;
  uint32_t reserved;
  uint64_t payload_bytes;
  uint64_t checksum;
  uint8_t key[16];
};
static_assert(sizeof(Header) == 56);

Status WriteAll(int fd, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IOError(std::string("write: ") + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

std::array<uint8_t, 16> FingerprintBytes(std::span<const uint8_t> bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), &h.low64, 8);
  std::memcpy(out.data() + 8, &h.high64, 8);
  return out;
}

ChunkKvKey MakeChunkKvKey(std::span<const uint8_t> model_fingerprint, std::string_view kv_type,
                          std::string_view workspace, std::span<const uint32_t> tokens) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  // Each part is length-prefixed, so no two different inputs concatenate alike.
  auto part = [state](const void* data, uint64_t n) {
    XXH3_128bits_update(state, &n, sizeof n);
    XXH3_128bits_update(state, data, n);
  };
  part("docent chunk kv 1", 17);
  part(model_fingerprint.data(), model_fingerprint.size());
  part(kv_type.data(), kv_type.size());
  part(workspace.data(), workspace.size());
  part(tokens.data(), tokens.size_bytes());
  const XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  ChunkKvKey key;
  std::memcpy(key.data(), &h.low64, 8);
  std::memcpy(key.data() + 8, &h.high64, 8);
  return key;
}

Result<std::unique_ptr<ChunkKvStore>> ChunkKvStore::Open(const fs::path& dir,
                                                         uint64_t budget_bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError(dir.string() + ": " + ec.message());
  std::unique_ptr<ChunkKvStore> store(new ChunkKvStore(dir, budget_bytes));
  // Known entries, oldest first by modification time (touched on every hit).
  std::vector<std::tuple<fs::file_time_type, std::string, uint64_t>> found;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tmp.") != std::string::npos) {
      fs::remove(e.path(), ec);  // a writer died before its rename
      continue;
    }
    if (!name.ends_with(kSuffix) || !e.is_regular_file(ec)) continue;
    found.emplace_back(e.last_write_time(ec), name, e.file_size(ec));
  }
  if (ec) return IOError(dir.string() + ": " + ec.message());
  std::sort(found.begin(), found.end());
  std::lock_guard<std::mutex> lock(store->mu_);
  for (const auto& [time, name, size] : found) {
    store->entries_[name] = {++store->tick_, size};
    store->bytes_ += size;
  }
  store->EvictLocked();
  return store;
}

fs::path ChunkKvStore::PathOf(const ChunkKvKey& key) const {
  return dir_ / (util::HexBytes(key) + kSuffix);
}

bool ChunkKvStore::Contains(const ChunkKvKey& key) const {
  std::error_code ec;
  return fs::exists(PathOf(key), ec);
}

std::shared_ptr<const ChunkKvEntry> ChunkKvStore::Get(const ChunkKvKey& key) {
  {
    // Queued for writing: read from memory.
    std::lock_guard<std::mutex> lock(write_mu_);
    std::shared_ptr<const PendingWrite> pending =
        writing_ && writing_->key == key ? writing_ : nullptr;
    for (const auto& w : writes_) {
      if (w->key == key) pending = w;
    }
    if (pending) {
      auto entry = std::make_shared<ChunkKvEntry>();
      entry->tokens_ = pending->tokens;
      entry->first_pos_ = pending->first_pos;
      entry->kv_ = pending->kv;
      entry->pending_ = pending;
      std::lock_guard<std::mutex> counters(mu_);
      ++counters_.hits;
      return entry;
    }
  }
  const fs::path path = PathOf(key);
  auto miss = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.misses;
    return nullptr;
  };
  auto file = llm::MappedFile::Open(path);
  if (!file.ok()) return miss();
  const std::span<const uint8_t> bytes = file->bytes();
  Header h;
  bool good = bytes.size() >= sizeof h;
  if (good) {
    std::memcpy(&h, bytes.data(), sizeof h);
    good = std::memcmp(h.magic, kMagic, 8) == 0 && h.version == kVersion &&
           std::memcmp(h.key, key.data(), 16) == 0 && h.payload_bytes == bytes.size() - sizeof h &&
           uint64_t{h.n_tokens} * 4 <= h.payload_bytes &&
           XXH3_64bits(bytes.data() + sizeof h, h.payload_bytes) == h.checksum;
  }
  if (!good) {
    // Torn, foreign or damaged: never used; removed so it is computed again.
    std::error_code ec;
    fs::remove(path, ec);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(path.filename().string());
    if (it != entries_.end()) {
      bytes_ -= it->second.second;
      entries_.erase(it);
    }
    ++counters_.misses;
    return nullptr;
  }
  auto entry = std::make_shared<ChunkKvEntry>();
  entry->first_pos_ = h.first_pos;
  const uint8_t* payload = bytes.data() + sizeof h;
  // The payload starts 56 bytes into a page-aligned mapping: 4-byte aligned for the tokens.
  entry->tokens_ = {reinterpret_cast<const uint32_t*>(payload), h.n_tokens};
  entry->kv_ = {payload + size_t{h.n_tokens} * 4, h.payload_bytes - size_t{h.n_tokens} * 4};
  entry->file_ = std::move(file).value();
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // recency for the next start
  Touch(path.filename().string(), bytes.size());
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.hits;
  return entry;
}

void ChunkKvStore::Touch(const std::string& name, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = entries_.try_emplace(name, 0, size);
  if (inserted) bytes_ += size;
  it->second.first = ++tick_;
}

Status ChunkKvStore::Put(const ChunkKvKey& key, std::span<const uint32_t> tokens,
                         uint32_t first_pos, std::span<const uint8_t> kv) {
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.n_tokens = static_cast<uint32_t>(tokens.size());
  h.first_pos = first_pos;
  h.payload_bytes = tokens.size_bytes() + kv.size();
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, tokens.data(), tokens.size_bytes());
  XXH3_64bits_update(state, kv.data(), kv.size());
  h.checksum = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  std::memcpy(h.key, key.data(), 16);
  const uint64_t size = sizeof h + h.payload_bytes;
  if (size > budget_) return Status::Ok();  // would evict everything else and itself

  const fs::path path = PathOf(key);
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(std::random_device{}());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IOError(tmp.string() + ": " + std::strerror(errno));
  Status st = WriteAll(fd, &h, sizeof h);
  if (st.ok()) st = WriteAll(fd, tokens.data(), tokens.size_bytes());
  if (st.ok()) st = WriteAll(fd, kv.data(), kv.size());
  if (st.ok() && ::fsync(fd) != 0) st = IOError(std::string("fsync: ") + std::strerror(errno));
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = IOError(std::string("rename: ") + std::strerror(errno));
  }
  if (!st.ok()) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return st.WithContext(path.string());
  }
  Touch(path.filename().string(), size);
  std::lock_guard<std::mutex> lock(mu_);
  EvictLocked();
  return Status::Ok();
}

void ChunkKvStore::EvictLocked() {
  while (bytes_ > budget_ && !entries_.empty()) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
    std::error_code ec;
    fs::remove(dir_ / oldest->first, ec);
    bytes_ -= oldest->second.second;
    entries_.erase(oldest);
    ++counters_.evictions;
  }
}

void ChunkKvStore::PutInBackground(const ChunkKvKey& key, std::span<const uint32_t> tokens,
                                   uint32_t first_pos, std::span<const uint8_t> kv) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (!writer_.joinable()) writer_ = std::thread([this] { WriterLoop(); });
  writes_.push_back(std::make_shared<const PendingWrite>(
      PendingWrite{key, {tokens.begin(), tokens.end()}, first_pos, {kv.begin(), kv.end()}}));
  write_cv_.notify_all();
}

void ChunkKvStore::WriterLoop() {
  std::unique_lock<std::mutex> lock(write_mu_);
  for (;;) {
    write_cv_.wait(lock, [&] { return stop_ || !writes_.empty(); });
    if (writes_.empty()) return;  // stopping, and nothing left to write
    writing_ = std::move(writes_.front());
    writes_.pop_front();
    const std::shared_ptr<const PendingWrite> w = writing_;
    lock.unlock();
    const Status st = Put(w->key, w->tokens, w->first_pos, w->kv);
    lock.lock();
    writing_ = nullptr;
    if (!st.ok()) {
      std::lock_guard<std::mutex> counters(mu_);
      ++counters_.write_errors;
    }
    write_cv_.notify_all();
  }
}

void ChunkKvStore::Flush() {
  std::unique_lock<std::mutex> lock(write_mu_);
  write_cv_.wait(lock, [&] { return writes_.empty() && writing_ == nullptr; });
}

ChunkKvStore::~ChunkKvStore() {
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    stop_ = true;
  }
  write_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

ChunkKvStats ChunkKvStore::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ChunkKvStats s = counters_;
  s.entries = entries_.size();
  s.bytes = bytes_;
  return s;
}

}  // namespace docent::engine
