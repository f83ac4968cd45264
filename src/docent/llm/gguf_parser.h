// Parsing of a GGUF v2/v3 file image into metadata and tensor descriptions (private to llm;
// GgufFile in gguf_file.h is the public face).
//
// Layout (little-endian throughout):
//   "GGUF" u32 version  u64 tensor_count  u64 kv_count
//   kv_count x   { string key, u32 value_type, value }
//   tensor_count x { string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset }
//   padding to `alignment`, then the tensor data section; each tensor's bytes start at
//   data_offset + offset.
// string = u64 length + bytes; array = u32 element_type + u64 count + elements.
//
// Every field is distrusted: each count is checked against the bytes left before anything is
// allocated for it, each size computation is overflow-checked, and each failure returns a
// Status naming what was wrong and the byte offset where it was read. The parser keeps
// views into `bytes` and copies nothing large, so `bytes` must outlive the result.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/ggml_types.h"
#include "docent/llm/gguf_value.h"
#include "docent/util/status.h"

namespace docent::llm {

inline constexpr uint32_t kGgufMaxDims = 4;
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr uint64_t kGgufMaxKeyBytes = 65535;        // the spec's limit for keys
inline constexpr uint64_t kGgufMaxTensorNameBytes = 64;    // the spec's limit for names
inline constexpr int kGgufMaxArrayDepth = 8;               // arrays of arrays of ...
inline constexpr uint64_t kGgufMaxNestedArrays = 1 << 20;  // array values inside arrays

struct GgufTensorInfo {
  std::string_view name;
  GgmlType type = GgmlType::kF32;
  uint32_t n_dims = 0;
  std::array<uint64_t, kGgufMaxDims> dims = {1, 1, 1, 1};  // dims[0] is the row length
  uint64_t n_elements = 0;
  uint64_t offset = 0;       // as stored: from the start of the data section
  uint64_t file_offset = 0;  // from the start of the file
  uint64_t n_bytes = 0;
};

struct GgufContents {
  uint32_t version = 0;
  uint32_t alignment = kGgufDefaultAlignment;
  // Start of the data section. With no tensors a file may end before it (vocabulary-only
  // files do), so it can exceed the file size; tensors' bytes are always inside the file.
  uint64_t data_offset = 0;
  std::vector<GgufKeyValue> metadata;   // in file order; keys are unique
  std::vector<GgufTensorInfo> tensors;  // in file order; names are unique
};

// `name` (usually the path) prefixes every error message.
Result<GgufContents> ParseGguf(std::span<const uint8_t> bytes, std::string_view name);

// A string from a file made safe to quote in a message: at most 80 bytes, non-printable
// bytes as \xNN, in single quotes.
std::string QuoteForMessage(std::string_view s);

}  // namespace docent::llm
