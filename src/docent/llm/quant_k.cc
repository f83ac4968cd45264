// Dequantisation of Q4_K, Q5_K and Q6_K, and the 6-bit scale packing the first two share,
// written from the block definitions in quant_blocks.h. Quantisers: quant_k_quantize.cc.
#include "docent/llm/quant_k.h"

#include <cassert>

#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_util.h"

namespace docent::llm {

using internal::LoadBlock;

void UnpackKScales(const uint8_t* packed, uint8_t* scales, uint8_t* mins) {
  for (int j = 0; j < 4; ++j) {
    scales[j] = packed[j] & 63;
    mins[j] = packed[j + 4] & 63;
    // Sub-blocks 4..7 keep their low 4 bits in bytes 8..11 and their top 2 bits in the spare
    // top bits of bytes 0..7.
    scales[j + 4] = static_cast<uint8_t>((packed[j + 8] & 0x0f) | (packed[j] >> 6) << 4);
    mins[j + 4] = static_cast<uint8_t>((packed[j + 8] >> 4) | (packed[j + 4] >> 6) << 4);
  }
}

void PackKScales(const uint8_t* scales, const uint8_t* mins, uint8_t* packed) {
  for (int j = 0; j < 4; ++j) {
    packed[j] = static_cast<uint8_t>((scales[j] & 63) | (scales[j + 4] >> 4) << 6);
    packed[j + 4] = static_cast<uint8_t>((mins[j] & 63) | (mins[j + 4] >> 4) << 6);
    packed[j + 8] = static_cast<uint8_t>((scales[j + 4] & 0x0f) | (mins[j + 4] & 0x0f) << 4);
  }
}

void DequantizeRowQ4_K(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQkK == 0 && "Q4_K row length must be a multiple of 256");
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const auto blk = LoadBlock<BlockQ4_K>(blocks, b);
    const float d = HalfToFloat(blk.d);
    const float dmin = HalfToFloat(blk.dmin);
    uint8_t sc[8];
    uint8_t m[8];
    UnpackKScales(blk.scales, sc, m);
    float* y = out + b * kQkK;
    for (int c = 0; c < 4; ++c) {  // 64 values: two sub-blocks sharing 32 bytes of nibbles
      const float d_lo = d * static_cast<float>(sc[2 * c]);
      const float m_lo = dmin * static_cast<float>(m[2 * c]);
      const float d_hi = d * static_cast<float>(sc[2 * c + 1]);
      const float m_hi = dmin * static_cast<float>(m[2 * c + 1]);
      const uint8_t* q = blk.qs + 32 * c;
      for (int l = 0; l < 32; ++l) {
        y[64 * c + l] = d_lo * static_cast<float>(q[l] & 0x0f) - m_lo;
        y[64 * c + 32 + l] = d_hi * static_cast<float>(q[l] >> 4) - m_hi;
      }
    }
  }
}

void DequantizeRowQ5_K(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQkK == 0 && "Q5_K row length must be a multiple of 256");
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const auto blk = LoadBlock<BlockQ5_K>(blocks, b);
    const float d = HalfToFloat(blk.d);
    const float dmin = HalfToFloat(blk.dmin);
    uint8_t sc[8];
    uint8_t m[8];
    UnpackKScales(blk.scales, sc, m);
    float* y = out + b * kQkK;
    for (int c = 0; c < 4; ++c) {
      const float d_lo = d * static_cast<float>(sc[2 * c]);
      const float m_lo = dmin * static_cast<float>(m[2 * c]);
      const float d_hi = d * static_cast<float>(sc[2 * c + 1]);
      const float m_hi = dmin * static_cast<float>(m[2 * c + 1]);
      const uint8_t* q = blk.qs + 32 * c;
      for (int l = 0; l < 32; ++l) {
        const int lo = (q[l] & 0x0f) | ((blk.qh[l] >> (2 * c)) & 1) << 4;
        const int hi = (q[l] >> 4) | ((blk.qh[l] >> (2 * c + 1)) & 1) << 4;
        y[64 * c + l] = d_lo * static_cast<float>(lo) - m_lo;
        y[64 * c + 32 + l] = d_hi * static_cast<float>(hi) - m_hi;
      }
    }
  }
}

void DequantizeRowQ6_K(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQkK == 0 && "Q6_K row length must be a multiple of 256");
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const auto blk = LoadBlock<BlockQ6_K>(blocks, b);
    const float d = HalfToFloat(blk.d);
    float* y = out + b * kQkK;
    for (int h = 0; h < 2; ++h) {  // two halves of 128 values
      const uint8_t* ql = blk.ql + 64 * h;
      const uint8_t* qh = blk.qh + 32 * h;
      const int8_t* sc = blk.scales + 8 * h;
      for (int l = 0; l < 32; ++l) {
        const int s = l / 16;
        const int q0 = ((ql[l] & 0x0f) | ((qh[l] >> 0) & 3) << 4) - 32;
        const int q1 = ((ql[l + 32] & 0x0f) | ((qh[l] >> 2) & 3) << 4) - 32;
        const int q2 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
        const int q3 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
        y[128 * h + l] = d * static_cast<float>(sc[s]) * static_cast<float>(q0);
        y[128 * h + l + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q1);
        y[128 * h + l + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q2);
        y[128 * h + l + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q3);
      }
    }
  }
}

}  // namespace docent::llm
