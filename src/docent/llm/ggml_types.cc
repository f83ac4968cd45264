// The table of ggml types: geometry from the format definitions (ggml-common.h block structs
// and the GGUF spec), checked there by static_assert and here by the unit tests.
#include "docent/llm/ggml_types.h"

#include <array>
#include <cassert>
#include <string>

#include "docent/llm/checked_math.h"

namespace docent::llm {
namespace {

constexpr uint32_t kQk = 32;    // elements per legacy block
constexpr uint32_t kQkK = 256;  // elements per K-quant / i-quant super-block

// Ordered by id. Sizes of the types docent does not compute with are still needed so a
// reader can bound-check their tensors and skip past them.
constexpr std::array<GgmlTypeTraits, 34> kTraits = {{
    {GgmlType::kF32, "F32", 1, 4, true},
    {GgmlType::kF16, "F16", 1, 2, true},
    {GgmlType::kQ4_0, "Q4_0", kQk, 2 + 16, true},
    {GgmlType::kQ4_1, "Q4_1", kQk, 2 + 2 + 16, true},
    {GgmlType::kQ5_0, "Q5_0", kQk, 2 + 4 + 16, true},
    {GgmlType::kQ5_1, "Q5_1", kQk, 2 + 2 + 4 + 16, true},
    {GgmlType::kQ8_0, "Q8_0", kQk, 2 + 32, true},
    {GgmlType::kQ8_1, "Q8_1", kQk, 2 + 2 + 32, false},
    {GgmlType::kQ2_K, "Q2_K", kQkK, 16 + 64 + 2 + 2, false},
    {GgmlType::kQ3_K, "Q3_K", kQkK, 32 + 64 + 12 + 2, false},
    {GgmlType::kQ4_K, "Q4_K", kQkK, 2 + 2 + 12 + 128, true},
    {GgmlType::kQ5_K, "Q5_K", kQkK, 2 + 2 + 12 + 32 + 128, true},
    {GgmlType::kQ6_K, "Q6_K", kQkK, 128 + 64 + 16 + 2, true},
    {GgmlType::kQ8_K, "Q8_K", kQkK, 4 + 256 + 32, false},
    {GgmlType::kIQ2_XXS, "IQ2_XXS", kQkK, 2 + 64, false},
    {GgmlType::kIQ2_XS, "IQ2_XS", kQkK, 2 + 64 + 8, false},
    {GgmlType::kIQ3_XXS, "IQ3_XXS", kQkK, 2 + 96, false},
    {GgmlType::kIQ1_S, "IQ1_S", kQkK, 2 + 32 + 16, false},
    {GgmlType::kIQ4_NL, "IQ4_NL", kQk, 2 + 16, false},
    {GgmlType::kIQ3_S, "IQ3_S", kQkK, 2 + 64 + 8 + 32 + 4, false},
    {GgmlType::kIQ2_S, "IQ2_S", kQkK, 2 + 64 + 8 + 8, false},
    {GgmlType::kIQ4_XS, "IQ4_XS", kQkK, 2 + 2 + 4 + 128, false},
    {GgmlType::kI8, "I8", 1, 1, false},
    {GgmlType::kI16, "I16", 1, 2, false},
    {GgmlType::kI32, "I32", 1, 4, false},
    {GgmlType::kI64, "I64", 1, 8, false},
    {GgmlType::kF64, "F64", 1, 8, false},
    {GgmlType::kIQ1_M, "IQ1_M", kQkK, 32 + 16 + 8, false},
    {GgmlType::kBF16, "BF16", 1, 2, true},
    {GgmlType::kTQ1_0, "TQ1_0", kQkK, 48 + 4 + 2, false},
    {GgmlType::kTQ2_0, "TQ2_0", kQkK, 64 + 2, false},
    {GgmlType::kMXFP4, "MXFP4", kQk, 1 + 16, false},
    {GgmlType::kNVFP4, "NVFP4", 64, 4 + 32, false},
    {GgmlType::kQ1_0, "Q1_0", 128, 2 + 16, false},
}};

}  // namespace

const GgmlTypeTraits* FindGgmlType(uint32_t id) {
  for (const GgmlTypeTraits& t : kTraits) {
    if (static_cast<uint32_t>(t.type) == id) return &t;
  }
  return nullptr;
}

const GgmlTypeTraits& TraitsOf(GgmlType type) {
  const GgmlTypeTraits* t = FindGgmlType(static_cast<uint32_t>(type));
  assert(t != nullptr && "TraitsOf called with a value outside GgmlType");
  return t != nullptr ? *t : kTraits[0];
}

Result<uint64_t> RowBytes(GgmlType type, uint64_t n) {
  const GgmlTypeTraits& t = TraitsOf(type);
  if (n % t.block_size != 0) {
    return Corrupt(std::to_string(n) + " elements of type " + std::string(t.name) +
                   " are not a whole number of blocks of " + std::to_string(t.block_size));
  }
  const auto bytes = CheckedMul(n / t.block_size, t.type_size);
  if (!bytes) {
    return Corrupt(std::to_string(n) + " elements of type " + std::string(t.name) +
                   " overflow a 64-bit byte count");
  }
  return *bytes;
}

Status CheckComputable(GgmlType type) {
  const GgmlTypeTraits& t = TraitsOf(type);
  if (t.computable) return Status::Ok();
  return Unsupported("docent cannot compute with tensors of type " + std::string(t.name));
}

}  // namespace docent::llm
