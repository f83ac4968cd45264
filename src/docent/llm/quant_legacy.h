// Scalar reference (de)quantisation of the 32-element "legacy" block types: Q8_0, Q4_0,
// Q4_1, Q5_0 and Q5_1 (layouts in quant_blocks.h).
//
// These are the definitions optimised kernels are checked against, so they favour being
// obviously right over being fast. `n` is the row length in elements and must be a multiple
// of kQk (asserted: the checked entry points are in quantize.h); `blocks` holds n / kQk
// blocks. Quantisers pick each block's scale from the block itself, round to nearest (ties
// away from zero) using the scale as stored (after rounding to half), and clamp to the
// type's range, so NaN or infinite inputs give defined, if useless, blocks. Pure functions.
#pragma once

#include <cstdint>

namespace docent::llm {

void DequantizeRowQ8_0(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ4_0(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ4_1(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ5_0(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ5_1(const uint8_t* blocks, float* out, int64_t n);

void QuantizeRowQ8_0(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ4_0(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ4_1(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ5_0(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ5_1(const float* in, uint8_t* blocks, int64_t n);

}  // namespace docent::llm
