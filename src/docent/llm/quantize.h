// Checked entry points to the scalar reference conversions between f32 and every type docent
// computes with (ggml_types.h IsComputable): F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
// Q4_K, Q5_K, Q6_K.
//
// A row is `out.size()` (or `in.size()`) elements, stored in RowBytes(type, n) bytes; the
// functions check the sizes and the type and return a Status instead of asserting, so they
// may be handed data straight from a file. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "docent/llm/ggml_types.h"
#include "docent/util/status.h"

namespace docent::llm {

// Decodes one row. Unsupported for a type docent cannot compute with; InvalidArgument when
// out.size() is not a whole number of blocks or `in` is not exactly the row's bytes.
Status DequantizeRow(GgmlType type, std::span<const uint8_t> in, std::span<float> out);

// Encodes one row (F16/BF16 round to nearest even). Same errors as DequantizeRow.
Status QuantizeRow(GgmlType type, std::span<const float> in, std::span<uint8_t> out);

}  // namespace docent::llm
