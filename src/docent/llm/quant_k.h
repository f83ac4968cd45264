// Scalar reference (de)quantisation of the K-quant super-block types docent computes with:
// Q4_K, Q5_K and Q6_K (256 elements per block; layouts in quant_blocks.h).
//
// As with quant_legacy.h, these define the numbers optimised kernels must reproduce; `n` is
// the row length and must be a multiple of kQkK (asserted; quantize.h has the checked entry
// points). The quantisers are docent's own (a min/max fit per sub-block, scales quantised
// against the super-block's largest), not llama.cpp's iterative search: they exist to write
// synthetic test models, where plain and predictable beats the last bit of accuracy.
#pragma once

#include <cstdint>

namespace docent::llm {

// The 8 six-bit scales and mins of a Q4_K/Q5_K block from its 12 packed bytes, and back.
void UnpackKScales(const uint8_t* packed, uint8_t* scales, uint8_t* mins);
void PackKScales(const uint8_t* scales, const uint8_t* mins, uint8_t* packed);

void DequantizeRowQ4_K(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ5_K(const uint8_t* blocks, float* out, int64_t n);
void DequantizeRowQ6_K(const uint8_t* blocks, float* out, int64_t n);

void QuantizeRowQ4_K(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ5_K(const float* in, uint8_t* blocks, int64_t n);
void QuantizeRowQ6_K(const float* in, uint8_t* blocks, int64_t n);

}  // namespace docent::llm
