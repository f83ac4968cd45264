// The ggml tensor element types a GGUF file may name, with the block geometry of each.
//
// A quantised type packs `block_size` consecutive elements of a row into `type_size` bytes;
// plain types have block_size 1. docent knows the geometry of every type ggml has defined
// (so a reader can size and bounds-check any tensor), but computes with only some of them:
// IsComputable says which. Ids are the numbers stored in GGUF files and never change; the
// gaps (4, 5, 31-33, 36-38) are types ggml removed, which no file may use.
#pragma once

#include <cstdint>
#include <string_view>

#include "docent/util/status.h"

namespace docent::llm {

enum class GgmlType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
  kNVFP4 = 40,
  kQ1_0 = 41,
};

struct GgmlTypeTraits {
  GgmlType type;
  std::string_view name;  // as llama.cpp prints it: "F32", "Q4_K", "IQ2_XXS"
  uint32_t block_size;    // elements per block
  uint32_t type_size;     // bytes per block
  bool computable;        // docent can dequantise it (and so compute with it)
};

// The traits for a raw GGUF type id, or nullptr when the id names no known type.
const GgmlTypeTraits* FindGgmlType(uint32_t id);

// The traits of a known type; never null.
const GgmlTypeTraits& TraitsOf(GgmlType type);

inline std::string_view GgmlTypeName(GgmlType type) {
  return TraitsOf(type).name;
}
inline bool IsComputable(GgmlType type) {
  return TraitsOf(type).computable;
}

// Bytes of a row of `n` elements: Corrupt when n is not a multiple of the block size,
// Corrupt on overflow.
Result<uint64_t> RowBytes(GgmlType type, uint64_t n);

// Unsupported ("docent cannot compute with tensors of type IQ2_XXS") unless computable.
Status CheckComputable(GgmlType type);

}  // namespace docent::llm
