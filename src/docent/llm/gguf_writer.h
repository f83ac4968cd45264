// Writes GGUF v2/v3 files (little-endian): metadata and tensors in, file bytes out. Used by
// tests to build fixtures and by `docent synth-model` to write synthetic models.
//
// Metadata keys are unique: setting a key again replaces its value in place. Tensors keep
// the order they are added in and are laid out back to back, each starting on the alignment
// (general.alignment when set with SetAlignment, else 32); the file ends at the last
// tensor's last byte. A file without tensors ends right after the metadata, as llama.cpp's
// vocabulary files do. Not thread-safe; owns
// copies of everything it is given.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "docent/llm/ggml_types.h"
#include "docent/llm/gguf_value.h"
#include "docent/util/status.h"

namespace docent::llm {

// An owned metadata value for writing: a scalar, a string, or an array of such values.
struct GgufWriteValue {
  GgufValueType type = GgufValueType::kUint8;
  uint64_t bits = 0;  // fixed-size types: the value's little-endian bit pattern
  std::string text;   // kString
  GgufValueType element_type = GgufValueType::kUint8;  // kArray
  std::vector<GgufWriteValue> items;                   // kArray; all of element_type

  static GgufWriteValue U8(uint8_t v);
  static GgufWriteValue I8(int8_t v);
  static GgufWriteValue U16(uint16_t v);
  static GgufWriteValue I16(int16_t v);
  static GgufWriteValue U32(uint32_t v);
  static GgufWriteValue I32(int32_t v);
  static GgufWriteValue U64(uint64_t v);
  static GgufWriteValue I64(int64_t v);
  static GgufWriteValue F32(float v);
  static GgufWriteValue F64(double v);
  static GgufWriteValue Bool(bool v);
  static GgufWriteValue String(std::string v);
  // Every item must have type `element_type` (asserted).
  static GgufWriteValue Array(GgufValueType element_type, std::vector<GgufWriteValue> items);
  static GgufWriteValue StringArray(const std::vector<std::string>& v);
  static GgufWriteValue F32Array(std::span<const float> v);
  static GgufWriteValue I32Array(std::span<const int32_t> v);
};

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t version = 3);

  void Set(std::string key, GgufWriteValue value);
  void SetString(std::string key, std::string v) {
    Set(std::move(key), GgufWriteValue::String(std::move(v)));
  }
  void SetU32(std::string key, uint32_t v) { Set(std::move(key), GgufWriteValue::U32(v)); }
  void SetF32(std::string key, float v) { Set(std::move(key), GgufWriteValue::F32(v)); }
  void SetBool(std::string key, bool v) { Set(std::move(key), GgufWriteValue::Bool(v)); }
  // Sets general.alignment (uint32) and pads the data section to it. Must be a power of two.
  Status SetAlignment(uint32_t alignment);

  // `dims[0]` is the row length. InvalidArgument unless the name is new and at most 64
  // bytes, there are 1 to 4 dims, and `data` is exactly the tensor's size for `type`.
  Status AddTensor(std::string name, GgmlType type, std::vector<uint64_t> dims,
                   std::vector<uint8_t> data);

  std::vector<uint8_t> Serialize() const;
  // Writes Serialize() to `path` (through a temporary file renamed into place).
  Status WriteFile(const std::filesystem::path& path) const;

 private:
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> dims;
    std::vector<uint8_t> data;
  };

  uint32_t version_;
  uint32_t alignment_ = 32;
  std::vector<std::pair<std::string, GgufWriteValue>> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace docent::llm
