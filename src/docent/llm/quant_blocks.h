// Byte layouts of the quantised blocks docent computes with, as GGUF stores them.
//
// Each struct is the exact on-disk block (little-endian, no padding; static_asserts pin the
// sizes to ggml_types.cc). Scales are IEEE half floats kept as raw uint16_t bits. Code never
// casts file bytes to these types (the bytes may be unaligned for the struct); it memcpy's a
// block into a local, which compilers turn into plain loads.
//
// Value of element i, per type (q are the stored integers, d/m the decoded halves):
//   Q8_0  x = d * qs[i]                                 qs int8
//   Q4_0  x = d * (q - 8)         q = low nibble of qs[i] for i < 16, high nibble of qs[i-16]
//   Q4_1  x = d * q + m           q as in Q4_0
//   Q5_0  x = d * (q - 16)        q = Q4_0's nibble | bit i of qh (little-endian u32) << 4
//   Q5_1  x = d * q + m           q as in Q5_0
//   Q4_K  256 values in 8 sub-blocks of 32, sub-block j with 6-bit scale sc_j and min m_j:
//         x = d * sc_j * q - dmin * m_j. Values 64c..64c+31 are the low nibbles of
//         qs[32c..32c+31] (sub-block 2c), values 64c+32..64c+63 their high nibbles (2c+1).
//         scales[12] packs sc/m: for j < 4, sc_j = scales[j] & 63, m_j = scales[j+4] & 63;
//         for j >= 4, sc_j = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4 and
//         m_j = (scales[j+4] >> 4) | (scales[j] >> 6) << 4.
//   Q5_K  as Q4_K with a fifth bit: value 64c+l (l < 32) adds 16 if bit 2c of qh[l] is set,
//         value 64c+32+l if bit 2c+1 of qh[l] is set.
//   Q6_K  256 values in 16 sub-blocks of 16, x = d * scales[j] * (q - 32), scales int8.
//         Each half h (values 128h..128h+127) uses ql[64h..], qh[32h..], scales[8h..]; for
//         l < 32 the four values 128h + l + 32k (k = 0..3) take their low 4 bits from
//         ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high, their top 2 bits from bits
//         2k..2k+1 of qh[l], and the scale of sub-block 8h + l/16 + 2k.
#pragma once

#include <cstdint>

namespace docent::llm {

inline constexpr int kQk = 32;    // elements per legacy block
inline constexpr int kQkK = 256;  // elements per K-quant super-block
inline constexpr int kKScaleBytes = 12;

struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQk];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ5_0) == 22);

struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ5_1) == 24);

struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQkK / 8];
  uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

struct BlockQ6_K {
  uint8_t ql[kQkK / 2];
  uint8_t qh[kQkK / 4];
  int8_t scales[kQkK / 16];
  uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210);

}  // namespace docent::llm
