// A reader for the OLE2 compound file (MS-CFB), the container of HWP 5 documents: a small
// file system of sectors chained through allocation tables, with a directory tree of storages
// (folders) and streams. Read-only, in memory, and written for hostile input: every sector
// number, chain and size is checked against the file before it is followed, chains that loop
// are refused, and no stream is read beyond a caller's cap.
//
// Why not libgsf (Debian's OLE2 library): it brings GLib and GObject into the binary for
// what is a few hundred lines here, and its compound-document reader has had integer-overflow
// advisories of its own. This reader is fuzzed (tests/fuzz/hwp_fuzzer.cc).
// Private to the ingest module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::ingest {

// True when `bytes` start with the compound file signature D0 CF 11 E0 A1 B1 1A E1.
bool IsCompoundFile(std::string_view bytes);

class CompoundFile {
 public:
  // Parses the header, allocation tables and directory. `bytes` must outlive the object.
  // kCorrupt, with what was wrong, for anything that is not a well-formed compound file.
  static Result<CompoundFile> Open(std::string_view bytes);

  // Stream paths are storage names joined by '/', as "BodyText/Section0"; names are matched
  // exactly (HWP's are ASCII, two start with the byte 0x05).
  bool HasStream(std::string_view path) const;
  // The whole stream. kNotFound when absent, kTooLarge when it is over `max_bytes`, kCorrupt
  // when its chain is broken.
  Result<std::string> ReadStream(std::string_view path, uint64_t max_bytes) const;
  // Every stream's path, sorted.
  std::vector<std::string> StreamPaths() const;

 private:
  struct Stream {
    uint32_t start = 0;
    uint64_t size = 0;
  };
  CompoundFile() = default;

  Status ReadAllocationTables(uint32_t fat_sectors, uint32_t first_difat);
  // Follows a chain of regular sectors from `start`, appending at most `size` bytes.
  Status ReadChain(uint32_t start, uint64_t size, std::string& out) const;
  Status ReadMiniChain(uint32_t start, uint64_t size, std::string& out) const;
  Status ReadDirectory(uint32_t first_sector);
  std::string_view Sector(uint32_t n) const;

  std::string_view bytes_;
  uint32_t sector_size_ = 512;
  uint32_t mini_cutoff_ = 4096;
  uint64_t sector_count_ = 0;  // whole sectors after the header
  std::vector<uint32_t> fat_, minifat_;
  std::string mini_stream_;
  std::map<std::string, Stream, std::less<>> streams_;
};

}  // namespace docent::ingest
