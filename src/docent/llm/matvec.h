// Scalar reference dot products and matrix-vector products over quantised weight rows: the
// numbers the SIMD kernels must match (within a tolerance, since they reorder sums).
//
// Two paths, as the fast kernels will have them:
//  * f32 activations: each weight block is decoded and multiplied in float, for every
//    computable type (F32, F16, BF16 and the quantised ones).
//  * Q8_0 activations: the vector is quantised to Q8_0 once (QuantizeRow), and each 32-value
//    slice is combined with the weights in integers, then scaled: for the quantised types
//    only. K-quant sub-blocks line up with the 32-value activation blocks (Q6_K's 16-value
//    sub-blocks pair up inside one), so every product is an exact int32 sum times scales.
// Sums run in a fixed order (block by block, left to right), so the result is the same for
// the same inputs, whatever the batch. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "docent/llm/ggml_types.h"
#include "docent/util/status.h"

namespace docent::llm {

// sum_i w_i * x_i for one row of `type` holding x.size() elements. InvalidArgument on size
// mismatches, Unsupported for a type docent cannot compute with.
Result<float> DotF32(GgmlType type, std::span<const uint8_t> row, std::span<const float> x);

// The same with x given as Q8_0 blocks of n elements (n a multiple of 32). Unsupported for
// F32, F16 and BF16 weights, which take the f32 path.
Result<float> DotQ8_0(GgmlType type, std::span<const uint8_t> row, std::span<const uint8_t> x_q8,
                      int64_t n);

// y = W x for W of `rows` rows of x.size() elements each, stored row after row.
Status MatVecF32(GgmlType type, std::span<const uint8_t> w, std::span<const float> x,
                 std::span<float> y);
// y = W x with x quantised to Q8_0 (n elements); quantised W only.
Status MatVecQ8_0(GgmlType type, std::span<const uint8_t> w, std::span<const uint8_t> x_q8,
                  int64_t n, std::span<float> y);

}  // namespace docent::llm
