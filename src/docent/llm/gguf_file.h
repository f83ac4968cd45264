// A parsed GGUF file (v2 or v3, little-endian): its metadata and its tensors, with each
// tensor's bytes left in place in the mapped file.
//
// Open() maps the file read-only; FromBytes() copies a buffer (for tests, fuzzing and files
// docent has just written in memory). Either way the GgufFile owns the bytes, and every
// string_view, span and GgufValue it hands out points into them: they stay valid while the
// GgufFile lives, across moves. Parsing validates the whole structure (see gguf_parser.h), so
// a GgufFile that exists is internally consistent: every tensor's bytes are inside the file,
// aligned, non-overlapping and exactly the size its type and shape require. It does not
// check that a model architecture is complete; that belongs to the model loader.
//
// Getters return Result: a missing key is Corrupt ("required key ... is missing"), a value of
// the wrong type or range is Corrupt naming the key and both types. Immutable once built;
// safe to read from many threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docent/llm/gguf_parser.h"
#include "docent/llm/gguf_value.h"
#include "docent/llm/mapped_file.h"
#include "docent/util/status.h"

namespace docent::llm {

class GgufFile {
 public:
  // Errors name the path: NotFound/IOError from the file system, Corrupt or Unsupported
  // (unknown version, big-endian, unknown tensor type) from the contents, TooLarge past a
  // parser limit (more than kGgufMaxNestedArrays arrays inside arrays).
  static Result<GgufFile> Open(const std::filesystem::path& path);
  // Copies `bytes`; `name` stands for the file in error messages.
  static Result<GgufFile> FromBytes(std::span<const uint8_t> bytes, std::string name);

  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& name() const { return name_; }
  uint32_t version() const { return contents_.version; }
  uint32_t alignment() const { return contents_.alignment; }
  uint64_t data_offset() const { return contents_.data_offset; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // Metadata, in file order.
  const std::vector<GgufKeyValue>& metadata() const { return contents_.metadata; }
  const GgufValue* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  Result<std::string_view> GetString(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<uint32_t> GetU32(std::string_view key) const;  // any integer type, value in range
  Result<uint64_t> GetU64(std::string_view key) const;  // any integer type, value >= 0
  Result<int64_t> GetI64(std::string_view key) const;   // any integer type, value in range
  Result<float> GetF32(std::string_view key) const;     // float32, or float64 narrowed
  // As above, but `fallback` when the key is absent (a wrong type is still an error).
  Result<uint32_t> GetU32Or(std::string_view key, uint32_t fallback) const;
  Result<float> GetF32Or(std::string_view key, float fallback) const;
  Result<bool> GetBoolOr(std::string_view key, bool fallback) const;

  Result<const GgufArray*> GetArray(std::string_view key) const;
  Result<std::span<const std::string_view>> GetStringArray(std::string_view key) const;
  Result<std::vector<float>> GetF32Array(std::string_view key) const;    // float32/64 elements
  Result<std::vector<int32_t>> GetI32Array(std::string_view key) const;  // integers in range

  // Tensors, in file order.
  const std::vector<GgufTensorInfo>& tensors() const { return contents_.tensors; }
  const GgufTensorInfo* FindTensor(std::string_view name) const;
  // The bytes of a tensor of this file (RowBytes(type, dims[0]) per row, rows contiguous).
  std::span<const uint8_t> TensorData(const GgufTensorInfo& tensor) const;
  // Corrupt ("no tensor named ...") when absent.
  Result<std::span<const uint8_t>> TensorDataByName(std::string_view name) const;
  // Drops the resident pages of `part` (bytes of this file) when the file is mapped, for a
  // caller that keeps its own copy of them (MappedFile::ReleasePages); a copy made by
  // FromBytes is left alone.
  void ReleasePages(std::span<const uint8_t> part) const { mapped_.ReleasePages(part); }

 private:
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };

  GgufFile() = default;
  static Result<GgufFile> Build(GgufFile file);
  Result<const GgufValue*> Require(std::string_view key) const;
  Status KeyError(std::string_view key, const Status& cause) const;

  std::string name_;
  MappedFile mapped_;                             // set by Open
  std::unique_ptr<uint8_t[], AlignedFree> copy_;  // set by FromBytes
  std::span<const uint8_t> bytes_;                // whichever of the two holds the file
  GgufContents contents_;
  std::unordered_map<std::string_view, size_t> key_index_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace docent::llm
