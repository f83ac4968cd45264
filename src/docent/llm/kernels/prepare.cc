// Activation preparation for the quantised weight types: each 32-value block quantised to
// int8 in the ActivationFormat of its weight type (internal.h), plus the per-block sums the
// integer kernels need. This scalar version is the definition; the SIMD ones (simd_body.inc)
// are tested to write the same bytes.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "docent/llm/half.h"
#include "docent/llm/kernels/internal.h"

namespace docent::llm::kernels::internal {
namespace {

constexpr int64_t kSuperBlock = 256;

// v rounded to the nearest integer, ties to even (ggml's vroundps and nearest_int), clamped
// to [-127, 127] with NaN at -127.
int RoundToQ(float v) {
  if (!(v > -127.0f)) return -127;
  if (!(v < 127.0f)) return 127;
  return static_cast<int>(std::nearbyint(v));
}

// The largest |x| of n values, NaN ignored.
float AbsMax(const float* x, int64_t n) {
  float amax = 0.0f;
  for (int64_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[i]));
  return amax;
}

// Quantises block b (32 values) with multiplier `id` and stores it with scale `d`; `q8_1`
// rounds dsum to F16 from the unrounded scale `d_exact`, as block_q8_1's s is.
void StoreBlock(const float* xb, float id, float d, float d_exact, bool q8_1, int64_t nb, int64_t b,
                uint8_t* out) {
  int32_t half_sums[2] = {0, 0};
  for (int i = 0; i < kQk8; ++i) {
    const int q = RoundToQ(xb[i] * id);
    out[32 * b + i] = static_cast<uint8_t>(static_cast<int8_t>(q));
    half_sums[i / 16] += q;
  }
  const int32_t sum = half_sums[0] + half_sums[1];
  const float dsum = q8_1 ? HalfToFloat(FloatToHalf(d_exact * static_cast<float>(sum)))
                          : d * static_cast<float>(sum);
  const uint32_t hsum =
      (static_cast<uint32_t>(half_sums[0]) & 0xffffu) | (static_cast<uint32_t>(half_sums[1]) << 16);
  std::memcpy(out + 32 * nb + 4 * b, &d, 4);
  std::memcpy(out + 36 * nb + 4 * b, &sum, 4);
  std::memcpy(out + 40 * nb + 4 * b, &dsum, 4);
  std::memcpy(out + 44 * nb + 4 * b, &hsum, 4);
}

}  // namespace

void PrepareQuantised(ActivationFormat format, const float* x, int64_t n, uint8_t* out) {
  const int64_t nb = n / kQk8;
  if (format == kActQ8_K) {
    for (int64_t s = 0; s < n / kSuperBlock; ++s) {
      const float* xs = x + s * kSuperBlock;
      const float amax = AbsMax(xs, kSuperBlock);
      float iscale = 0.0f;
      float d = 0.0f;
      if (amax > 0.0f) {
        const bool positive = std::find(xs, xs + kSuperBlock, amax) != xs + kSuperBlock;
        iscale = positive ? -127.0f / amax : 127.0f / amax;
        d = 1.0f / iscale;
      }
      for (int64_t j = 0; j < kSuperBlock / kQk8; ++j) {
        const int64_t b = s * (kSuperBlock / kQk8) + j;
        StoreBlock(x + b * kQk8, iscale, d, d, false, nb, b, out);
      }
    }
    return;
  }
  for (int64_t b = 0; b < nb; ++b) {
    const float* xb = x + b * kQk8;
    const float amax = AbsMax(xb, kQk8);
    const float d_exact = amax / 127.0f;
    const float d = HalfToFloat(FloatToHalf(d_exact));
    const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
    StoreBlock(xb, id, d, d_exact, format == kActQ8_1, nb, b, out);
  }
}

}  // namespace docent::llm::kernels::internal
