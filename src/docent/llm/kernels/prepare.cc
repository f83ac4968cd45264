// Activation preparation for the quantised weight types: each 32-value block quantised to
// int8 exactly as QuantizeRowQ8_0 does (so the scalar reference DotQ8_0 is the oracle), plus
// the per-block sums the integer kernels need (layout in internal.h). Scalar on every ISA:
// it is O(n) per column against the matrix product's O(rows * n), and one implementation
// keeps the prepared bytes, and so the products, independent of the ISA.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "docent/llm/half.h"
#include "docent/llm/kernels/internal.h"
#include "docent/llm/quant_util.h"

namespace docent::llm::kernels::internal {

void PrepareQuantised(const float* x, int64_t n, uint8_t* out) {
  const int64_t nb = n / kQk8;
  int8_t* qs = reinterpret_cast<int8_t*>(out);
  uint8_t* d_out = out + 32 * nb;
  uint8_t* sum_out = out + 36 * nb;
  uint8_t* dsum_out = out + 40 * nb;
  uint8_t* hsum_out = out + 44 * nb;
  for (int64_t b = 0; b < nb; ++b) {
    const float* xb = x + b * kQk8;
    float amax = 0.0f;
    for (int i = 0; i < kQk8; ++i) amax = std::max(amax, std::fabs(xb[i]));
    const float d = HalfToFloat(FloatToHalf(amax / 127.0f));
    const float id = llm::internal::InverseOrZero(d);
    int32_t half_sums[2] = {0, 0};
    for (int i = 0; i < kQk8; ++i) {
      const int q = llm::internal::RoundClamp(xb[i] * id, -127, 127);
      qs[b * kQk8 + i] = static_cast<int8_t>(q);
      half_sums[i / 16] += q;
    }
    const int32_t sum = half_sums[0] + half_sums[1];
    const float dsum = d * static_cast<float>(sum);
    const uint32_t hsum = (static_cast<uint32_t>(half_sums[0]) & 0xffffu) |
                          (static_cast<uint32_t>(half_sums[1]) << 16);
    std::memcpy(d_out + 4 * b, &d, 4);
    std::memcpy(sum_out + 4 * b, &sum, 4);
    std::memcpy(dsum_out + 4 * b, &dsum, 4);
    std::memcpy(hsum_out + 4 * b, &hsum, 4);
  }
}

}  // namespace docent::llm::kernels::internal
