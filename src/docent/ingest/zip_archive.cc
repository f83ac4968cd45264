// ZipArchive over libzip's in-memory source. libzip parses the central directory; the
// limits here decide what may be inflated, and the read loop counts real output bytes.
#include "docent/ingest/zip_archive.h"

#include <algorithm>
#include <cctype>

namespace docent::ingest {
namespace {

// Entries smaller than this skip the ratio check: a small part cannot be a bomb, and short
// repetitive XML (styles, empty sheets) legitimately compresses past 200:1.
constexpr uint64_t kRatioCheckMinBytes = 1ull << 20;
constexpr size_t kReadChunk = 64 * 1024;

std::string Fold(std::string_view name) {
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Mb(uint64_t bytes) {
  if (bytes < (1ull << 20)) return std::to_string(bytes) + " bytes";
  return std::to_string(bytes >> 20) + " MB";
}

bool OverRatio(uint64_t inflated, uint64_t compressed, uint32_t max_ratio) {
  if (inflated < kRatioCheckMinBytes) return false;
  return compressed == 0 || inflated / compressed > max_ratio;
}

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace

Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(std::string_view bytes, const Limits& limits) {
  // Word, Excel and PowerPoint save password-protected files as OLE compound documents.
  if (bytes.size() >= 8 && bytes.substr(0, 8) == "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
    return Corrupt(
        "not a zip container but an OLE compound file: a password-protected (encrypted) or "
        "legacy binary Office/HWP document");
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Internal("cannot read zip from memory: " + text);
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (zip == nullptr) {
    zip_source_free(source);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Corrupt("not a valid zip archive (" + text + ")");
  }
  zip_error_fini(&error);
  std::unique_ptr<ZipArchive> archive(new ZipArchive(zip, limits));

  const zip_int64_t count = zip_get_num_entries(zip, 0);
  if (count < 0) return Corrupt("unreadable zip directory");
  if (static_cast<uint64_t>(count) > limits.max_zip_entries) {
    return TooLarge("zip holds " + std::to_string(count) + " entries, over the limit of " +
                    std::to_string(limits.max_zip_entries));
  }
  archive->names_.reserve(static_cast<size_t>(count));
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* name = zip_get_name(zip, i, ZIP_FL_ENC_GUESS);
    if (name == nullptr) continue;
    archive->names_.emplace_back(name);
    archive->index_.emplace(name, i);
    archive->folded_index_.emplace(Fold(name), i);
  }
  return archive;
}

ZipArchive::~ZipArchive() {
  zip_discard(zip_);
}

std::optional<uint64_t> ZipArchive::Find(std::string_view name) const {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  if (auto it = folded_index_.find(Fold(name)); it != folded_index_.end()) return it->second;
  return std::nullopt;
}

Result<std::optional<std::string>> ZipArchive::ReadIfPresent(std::string_view name) {
  if (!Has(name)) return std::optional<std::string>();
  DOCENT_ASSIGN_OR_RETURN(std::string data, Read(name));
  return std::optional<std::string>(std::move(data));
}

Result<std::string> ZipArchive::Read(std::string_view name) {
  const std::optional<uint64_t> index = Find(name);
  const std::string entry(name);
  if (!index) return NotFound(entry + ": no such zip entry");
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip_, *index, 0, &st) != 0) return Corrupt(entry + ": unreadable zip entry");
  const uint64_t declared = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
  const uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    return Corrupt(entry + ": zip entry is encrypted (password required)");
  }

  // Before inflating: refuse on what the entry declares.
  if (declared > limits_.max_entry_bytes) {
    return TooLarge(entry + ": zip entry declares " + Mb(declared) +
                    " uncompressed, over the per-entry limit of " + Mb(limits_.max_entry_bytes));
  }
  if (inflated_total_ + declared > limits_.max_uncompressed_bytes) {
    return TooLarge(entry + ": zip would inflate past the limit of " +
                    Mb(limits_.max_uncompressed_bytes) + " in total");
  }
  if (OverRatio(declared, compressed, limits_.max_compression_ratio)) {
    return TooLarge(entry + ": zip entry compression ratio " +
                    (compressed == 0 ? std::string("unbounded")
                                     : std::to_string(declared / compressed) + ":1") +
                    " is over the limit of " + std::to_string(limits_.max_compression_ratio) +
                    ":1 (zip bomb?)");
  }

  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip_, *index, 0));
  if (!file) {
    const int code = zip_error_code_zip(zip_get_error(zip_));
    if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
      return Corrupt(entry + ": zip entry is encrypted (password required)");
    }
    return Corrupt(entry + ": cannot open zip entry (" + ZipErrorText(code) + ")");
  }
  // While inflating: count what actually comes out, since the declared size can lie.
  std::string data;
  data.reserve(static_cast<size_t>(std::min<uint64_t>(declared, 64ull << 20)));
  char buffer[kReadChunk];
  while (true) {
    const zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      const int code = zip_error_code_zip(zip_file_get_error(file.get()));
      return Corrupt(entry + ": damaged zip entry (" + ZipErrorText(code) + ")");
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    const uint64_t got = data.size();
    if (got > declared) {
      return Corrupt(entry + ": zip entry inflates past its declared size of " +
                     std::to_string(declared) + " bytes (zip bomb?)");
    }
    if (got > limits_.max_entry_bytes || inflated_total_ + got > limits_.max_uncompressed_bytes ||
        OverRatio(got, compressed, limits_.max_compression_ratio)) {
      return TooLarge(entry + ": zip entry inflates past the limits (zip bomb?)");
    }
  }
  inflated_total_ += data.size();
  return data;
}

}  // namespace docent::ingest
