// A whole file mapped read-only into memory: how docent reads model weights without copying
// them. The mapping is private and read-only, so the bytes never change under a reader
// (unless another process rewrites the file in place, which the format's users must not do).
//
// Owns the mapping; move-only. bytes() is valid until the object is destroyed or moved from;
// the address of the bytes does not change when the object is moved. Thread-safe for reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "docent/util/status.h"

namespace docent::llm {

class MappedFile {
 public:
  // NotFound when the file does not exist; IOError when it cannot be opened or mapped;
  // InvalidArgument when the path names something other than a regular file.
  static Result<MappedFile> Open(const std::filesystem::path& path);

  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Empty for an empty file. Page-aligned otherwise.
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

  // Drops this process's resident pages wholly inside `part` (a range of bytes()), as a model
  // does once it holds a repacked copy of a tensor: the mapping stays valid, and a page read
  // again comes back from the file. A no-op for a range outside the mapping.
  void ReleasePages(std::span<const uint8_t> part) const;

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  void Reset();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace docent::llm
