// Scalar reference (de)quantisation of Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1, written from the block
// definitions in quant_blocks.h.
#include "docent/llm/quant_legacy.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_util.h"

namespace docent::llm {
namespace {

using internal::InverseOrZero;
using internal::LoadBlock;
using internal::RoundClamp;
using internal::StoreBlock;

constexpr int kHalf = kQk / 2;

uint32_t LoadQh(const uint8_t (&qh)[4]) {
  return static_cast<uint32_t>(qh[0]) | static_cast<uint32_t>(qh[1]) << 8 |
         static_cast<uint32_t>(qh[2]) << 16 | static_cast<uint32_t>(qh[3]) << 24;
}

void StoreQh(uint32_t bits, uint8_t (&qh)[4]) {
  for (int i = 0; i < 4; ++i) qh[i] = static_cast<uint8_t>(bits >> (8 * i));
}

// The element of largest magnitude, with its sign (the first one on ties): symmetric types
// map it to their most negative level, which has no positive twin, so the full range is used.
float SignedMaxMagnitude(const float* x) {
  float best = 0.0f;
  for (int i = 0; i < kQk; ++i) {
    if (std::fabs(x[i]) > std::fabs(best)) best = x[i];
  }
  return best;
}

void MinMax(const float* x, float* lo, float* hi) {
  *lo = x[0];
  *hi = x[0];
  for (int i = 1; i < kQk; ++i) {
    *lo = std::min(*lo, x[i]);
    *hi = std::max(*hi, x[i]);
  }
}

// The 4-bit part of element i of a 32-element block packed as nibbles (see quant_blocks.h).
int Nibble(const uint8_t* qs, int i) {
  return i < kHalf ? qs[i] & 0x0f : qs[i - kHalf] >> 4;
}

void PackNibbles(const int* q, uint8_t* qs) {
  for (int i = 0; i < kHalf; ++i) {
    qs[i] = static_cast<uint8_t>((q[i] & 0x0f) | (q[i + kHalf] & 0x0f) << 4);
  }
}

}  // namespace

void DequantizeRowQ8_0(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQk == 0 && "Q8_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const auto blk = LoadBlock<BlockQ8_0>(blocks, b);
    const float d = HalfToFloat(blk.d);
    for (int i = 0; i < kQk; ++i) out[b * kQk + i] = d * static_cast<float>(blk.qs[i]);
  }
}

void DequantizeRowQ4_0(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQk == 0 && "Q4_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const auto blk = LoadBlock<BlockQ4_0>(blocks, b);
    const float d = HalfToFloat(blk.d);
    for (int i = 0; i < kQk; ++i) {
      out[b * kQk + i] = d * static_cast<float>(Nibble(blk.qs, i) - 8);
    }
  }
}

void DequantizeRowQ4_1(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQk == 0 && "Q4_1 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const auto blk = LoadBlock<BlockQ4_1>(blocks, b);
    const float d = HalfToFloat(blk.d);
    const float m = HalfToFloat(blk.m);
    for (int i = 0; i < kQk; ++i) {
      out[b * kQk + i] = d * static_cast<float>(Nibble(blk.qs, i)) + m;
    }
  }
}

void DequantizeRowQ5_0(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQk == 0 && "Q5_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const auto blk = LoadBlock<BlockQ5_0>(blocks, b);
    const float d = HalfToFloat(blk.d);
    const uint32_t qh = LoadQh(blk.qh);
    for (int i = 0; i < kQk; ++i) {
      const int q = Nibble(blk.qs, i) | static_cast<int>((qh >> i) & 1u) << 4;
      out[b * kQk + i] = d * static_cast<float>(q - 16);
    }
  }
}

void DequantizeRowQ5_1(const uint8_t* blocks, float* out, int64_t n) {
  assert(n % kQk == 0 && "Q5_1 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const auto blk = LoadBlock<BlockQ5_1>(blocks, b);
    const float d = HalfToFloat(blk.d);
    const float m = HalfToFloat(blk.m);
    const uint32_t qh = LoadQh(blk.qh);
    for (int i = 0; i < kQk; ++i) {
      const int q = Nibble(blk.qs, i) | static_cast<int>((qh >> i) & 1u) << 4;
      out[b * kQk + i] = d * static_cast<float>(q) + m;
    }
  }
}

void QuantizeRowQ8_0(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQk == 0 && "Q8_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* x = in + b * kQk;
    float amax = 0.0f;
    for (int i = 0; i < kQk; ++i) amax = std::max(amax, std::fabs(x[i]));
    BlockQ8_0 blk{};
    blk.d = FloatToHalf(amax / 127.0f);
    const float id = InverseOrZero(HalfToFloat(blk.d));
    for (int i = 0; i < kQk; ++i) blk.qs[i] = static_cast<int8_t>(RoundClamp(x[i] * id, -127, 127));
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ4_0(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQk == 0 && "Q4_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* x = in + b * kQk;
    BlockQ4_0 blk{};
    blk.d = FloatToHalf(SignedMaxMagnitude(x) / -8.0f);
    const float id = InverseOrZero(HalfToFloat(blk.d));
    int q[kQk];
    for (int i = 0; i < kQk; ++i) q[i] = RoundClamp(x[i] * id + 8.0f, 0, 15);
    PackNibbles(q, blk.qs);
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ4_1(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQk == 0 && "Q4_1 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* x = in + b * kQk;
    float lo = 0.0f;
    float hi = 0.0f;
    MinMax(x, &lo, &hi);
    BlockQ4_1 blk{};
    blk.d = FloatToHalf((hi - lo) / 15.0f);
    blk.m = FloatToHalf(lo);
    const float id = InverseOrZero(HalfToFloat(blk.d));
    const float m = HalfToFloat(blk.m);
    int q[kQk];
    for (int i = 0; i < kQk; ++i) q[i] = RoundClamp((x[i] - m) * id, 0, 15);
    PackNibbles(q, blk.qs);
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ5_0(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQk == 0 && "Q5_0 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* x = in + b * kQk;
    BlockQ5_0 blk{};
    blk.d = FloatToHalf(SignedMaxMagnitude(x) / -16.0f);
    const float id = InverseOrZero(HalfToFloat(blk.d));
    int q[kQk];
    uint32_t qh = 0;
    for (int i = 0; i < kQk; ++i) {
      q[i] = RoundClamp(x[i] * id + 16.0f, 0, 31);
      qh |= static_cast<uint32_t>(q[i] >> 4) << i;
    }
    PackNibbles(q, blk.qs);
    StoreQh(qh, blk.qh);
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ5_1(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQk == 0 && "Q5_1 row length must be a multiple of 32");
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* x = in + b * kQk;
    float lo = 0.0f;
    float hi = 0.0f;
    MinMax(x, &lo, &hi);
    BlockQ5_1 blk{};
    blk.d = FloatToHalf((hi - lo) / 31.0f);
    blk.m = FloatToHalf(lo);
    const float id = InverseOrZero(HalfToFloat(blk.d));
    const float m = HalfToFloat(blk.m);
    int q[kQk];
    uint32_t qh = 0;
    for (int i = 0; i < kQk; ++i) {
      q[i] = RoundClamp((x[i] - m) * id, 0, 31);
      qh |= static_cast<uint32_t>(q[i] >> 4) << i;
    }
    PackNibbles(q, blk.qs);
    StoreQh(qh, blk.qh);
    StoreBlock(blk, blocks, b);
  }
}

}  // namespace docent::llm
