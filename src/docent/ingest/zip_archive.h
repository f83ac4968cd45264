// A read-only zip archive over bytes in memory, with zip-bomb limits: the container formats
// (docx, pptx, xlsx, hwpx) read their XML parts through it. Private to the ingest module.
//
// Limits are enforced twice: on the sizes each entry declares, before anything is inflated,
// and on the bytes actually produced while inflating, because declared sizes can lie.
// Not thread-safe; one archive per extraction. The archive borrows the bytes it was opened
// on, which must outlive it.
#pragma once

#include <zip.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/ingest/extract.h"
#include "docent/util/status.h"

namespace docent::ingest {

class ZipArchive {
 public:
  // kCorrupt when the bytes are not a zip (with a hint for password-protected Office files,
  // which are OLE containers), kTooLarge when it holds more than max_zip_entries entries.
  static Result<std::unique_ptr<ZipArchive>> Open(std::string_view bytes, const Limits& limits);

  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // Entry names as stored (UTF-8), in archive order.
  const std::vector<std::string>& Names() const { return names_; }
  // Whether an entry exists; names match exactly, else ignoring ASCII case (OOXML part names
  // are case-insensitive) and a leading '/'.
  bool Has(std::string_view name) const { return Find(name).has_value(); }

  // Inflates one entry. kNotFound when absent; kTooLarge when it would pass a limit (the
  // entry's own size or ratio, or the archive's running total); kCorrupt on a damaged or
  // encrypted entry. Messages name the entry.
  Result<std::string> Read(std::string_view name);
  // As Read, but nullopt for an absent entry.
  Result<std::optional<std::string>> ReadIfPresent(std::string_view name);

 private:
  ZipArchive(zip_t* zip, const Limits& limits) : zip_(zip), limits_(limits) {}
  std::optional<uint64_t> Find(std::string_view name) const;

  zip_t* zip_;
  Limits limits_;
  std::vector<std::string> names_;
  std::map<std::string, uint64_t, std::less<>> index_;         // exact name -> entry index
  std::map<std::string, uint64_t, std::less<>> folded_index_;  // lower-cased name -> index
  uint64_t inflated_total_ = 0;  // bytes inflated so far, against max_uncompressed_bytes
};

}  // namespace docent::ingest
