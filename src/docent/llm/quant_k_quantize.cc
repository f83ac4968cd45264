// Reference quantisers for Q4_K, Q5_K and Q6_K (docent's own method; see quant_k.h).
//
// Q4_K/Q5_K: each 32-value sub-block j is fitted as x ~ S_j * q - M_j with M_j >= 0 (the mins
// are unsigned in the format) and S_j = (max - min) / levels. The super-block stores
// d = max S_j / 63 and dmin = max M_j / 63 as halves; each S_j and M_j becomes a 6-bit
// multiple of them, and the values are quantised against the rounded scales actually stored.
// Q6_K: each 16-value sub-block is symmetric, S_j = (signed extreme) / -32, so the extreme
// lands on level -32; d = max |S_j| / 127 and the int8 scales are multiples of d.
#include <algorithm>
#include <cassert>
#include <cmath>

#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_k.h"
#include "docent/llm/quant_util.h"

namespace docent::llm {
namespace {

using internal::InverseOrZero;
using internal::RoundClamp;
using internal::StoreBlock;

constexpr int kSubBlocks = 8;
constexpr int kSubLen = kQkK / kSubBlocks;  // 32

struct KFit {
  uint16_t d = 0;
  uint16_t dmin = 0;
  uint8_t sc[kSubBlocks] = {};
  uint8_t m[kSubBlocks] = {};
  int q[kQkK] = {};  // levels 0..max_level
};

// Shared by Q4_K (max_level 15) and Q5_K (max_level 31).
KFit FitAsymmetric(const float* x, int max_level) {
  float scale[kSubBlocks];
  float min_offset[kSubBlocks];
  float max_scale = 0.0f;
  float max_min = 0.0f;
  for (int j = 0; j < kSubBlocks; ++j) {
    float lo = 0.0f;  // starting at 0 keeps M_j >= 0 when a sub-block is all positive
    float hi = x[j * kSubLen];
    for (int l = 0; l < kSubLen; ++l) {
      lo = std::min(lo, x[j * kSubLen + l]);
      hi = std::max(hi, x[j * kSubLen + l]);
    }
    scale[j] = std::max(hi - lo, 0.0f) / static_cast<float>(max_level);
    min_offset[j] = -lo;
    max_scale = std::max(max_scale, scale[j]);
    max_min = std::max(max_min, min_offset[j]);
  }
  KFit fit;
  fit.d = FloatToHalf(max_scale / 63.0f);
  fit.dmin = FloatToHalf(max_min / 63.0f);
  const float d = HalfToFloat(fit.d);
  const float dmin = HalfToFloat(fit.dmin);
  const float inv_d = InverseOrZero(d);
  const float inv_dmin = InverseOrZero(dmin);
  for (int j = 0; j < kSubBlocks; ++j) {
    fit.sc[j] = static_cast<uint8_t>(RoundClamp(scale[j] * inv_d, 0, 63));
    fit.m[j] = static_cast<uint8_t>(RoundClamp(min_offset[j] * inv_dmin, 0, 63));
    const float s = d * static_cast<float>(fit.sc[j]);
    const float mo = dmin * static_cast<float>(fit.m[j]);
    const float inv_s = InverseOrZero(s);
    for (int l = 0; l < kSubLen; ++l) {
      const int i = j * kSubLen + l;
      fit.q[i] = RoundClamp((x[i] + mo) * inv_s, 0, max_level);
    }
  }
  return fit;
}

}  // namespace

void QuantizeRowQ4_K(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQkK == 0 && "Q4_K row length must be a multiple of 256");
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const KFit fit = FitAsymmetric(in + b * kQkK, 15);
    BlockQ4_K blk{};
    blk.d = fit.d;
    blk.dmin = fit.dmin;
    PackKScales(fit.sc, fit.m, blk.scales);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        blk.qs[32 * c + l] = static_cast<uint8_t>(fit.q[64 * c + l] | fit.q[64 * c + 32 + l] << 4);
      }
    }
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ5_K(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQkK == 0 && "Q5_K row length must be a multiple of 256");
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const KFit fit = FitAsymmetric(in + b * kQkK, 31);
    BlockQ5_K blk{};
    blk.d = fit.d;
    blk.dmin = fit.dmin;
    PackKScales(fit.sc, fit.m, blk.scales);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int lo = fit.q[64 * c + l];
        const int hi = fit.q[64 * c + 32 + l];
        blk.qs[32 * c + l] = static_cast<uint8_t>((lo & 0x0f) | (hi & 0x0f) << 4);
        blk.qh[l] =
            static_cast<uint8_t>(blk.qh[l] | (lo >> 4) << (2 * c) | (hi >> 4) << (2 * c + 1));
      }
    }
    StoreBlock(blk, blocks, b);
  }
}

void QuantizeRowQ6_K(const float* in, uint8_t* blocks, int64_t n) {
  assert(n % kQkK == 0 && "Q6_K row length must be a multiple of 256");
  constexpr int kGroups = 16;
  constexpr int kGroupLen = kQkK / kGroups;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float* x = in + b * kQkK;
    float scale[kGroups];
    float max_abs_scale = 0.0f;
    for (int j = 0; j < kGroups; ++j) {
      float extreme = 0.0f;
      for (int l = 0; l < kGroupLen; ++l) {
        const float v = x[j * kGroupLen + l];
        if (std::fabs(v) > std::fabs(extreme)) extreme = v;
      }
      scale[j] = extreme / -32.0f;
      max_abs_scale = std::max(max_abs_scale, std::fabs(scale[j]));
    }
    BlockQ6_K blk{};
    blk.d = FloatToHalf(max_abs_scale / 127.0f);
    const float d = HalfToFloat(blk.d);
    const float inv_d = InverseOrZero(d);
    int q[kQkK];
    for (int j = 0; j < kGroups; ++j) {
      blk.scales[j] = static_cast<int8_t>(RoundClamp(scale[j] * inv_d, -128, 127));
      const float inv_s = InverseOrZero(d * static_cast<float>(blk.scales[j]));
      for (int l = 0; l < kGroupLen; ++l) {
        const int i = j * kGroupLen + l;
        q[i] = RoundClamp(x[i] * inv_s + 32.0f, 0, 63);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int* qq = q + 128 * h;
      for (int l = 0; l < 32; ++l) {
        blk.ql[64 * h + l] = static_cast<uint8_t>((qq[l] & 0x0f) | (qq[l + 64] & 0x0f) << 4);
        blk.ql[64 * h + l + 32] =
            static_cast<uint8_t>((qq[l + 32] & 0x0f) | (qq[l + 96] & 0x0f) << 4);
        blk.qh[32 * h + l] = static_cast<uint8_t>(qq[l] >> 4 | (qq[l + 32] >> 4) << 2 |
                                                  (qq[l + 64] >> 4) << 4 | (qq[l + 96] >> 4) << 6);
      }
    }
    StoreBlock(blk, blocks, b);
  }
}

}  // namespace docent::llm
