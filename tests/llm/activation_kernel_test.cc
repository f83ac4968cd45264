// The SwiGLU gate and softmax kernels on every instruction set this CPU runs, against the
// functions computed in double, over the range they meet (and beyond), at odd lengths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

TEST(ActivationKernelTest, SiluMulMatchesDoublePrecision) {
  std::mt19937 rng(3);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
    if (!IsaSupported(isa)) continue;
    std::cout << "[ silu ] checking " << IsaName(isa) << "\n";
    for (int64_t n : {1, 7, 8, 9, 61, 4864}) {
      std::vector<float> g(n), u(n), out(n);
      std::uniform_real_distribution<float> wide(-30.0f, 30.0f);
      for (int64_t i = 0; i < n; ++i) {
        g[i] = i % 5 == 0 ? wide(rng) * 4 : wide(rng) / 10;  // some far into saturation
        u[i] = wide(rng) / 7;
      }
      if (n > 4) {
        g[1] = 0.0f;
        g[2] = -100.0f;
        g[3] = 100.0f;
      }
      SiluMul(isa, g.data(), u.data(), out.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const double x = g[i];
        const double want = x / (1.0 + std::exp(-x)) * u[i];
        EXPECT_NEAR(out[i], want, 1e-6 * std::abs(want) + 1e-30) << "g " << g[i] << " n " << n;
      }
      // In place, and each element independent of the length.
      std::vector<float> prefix(g.begin(), g.begin() + (n + 1) / 2);
      SiluMul(isa, prefix.data(), u.data(), prefix.data(), (n + 1) / 2);
      for (int64_t i = 0; i < (n + 1) / 2; ++i) EXPECT_EQ(prefix[i], out[i]) << i;
    }
  }
}

TEST(ActivationKernelTest, SoftmaxMatchesDoublePrecision) {
  std::mt19937 rng(5);
  for (int64_t n : {1, 2, 7, 8, 9, 15, 17, 63, 1417, 4096}) {
    std::vector<float> x(n);
    std::uniform_real_distribution<float> scores(-12.0f, 12.0f);
    for (float& v : x) v = scores(rng);
    if (n > 3) {
      x[1] = -1e4f;  // masked far below the rest: its weight is 0
      x[2] = 40.0f;  // one position dominates
    }
    double max = x[0];
    for (float v : x) max = std::max<double>(max, v);
    double sum = 0;
    for (float v : x) sum += std::exp(v - max);
    std::vector<float> first_simd;
    for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
      if (!IsaSupported(isa)) {
        std::cout << "[ softmax ] skipped " << IsaName(isa) << ": this CPU lacks it\n";
        continue;
      }
      std::vector<float> out = x;
      Softmax(isa, out.data(), n);
      double total = 0;
      for (int64_t i = 0; i < n; ++i) {
        // x - max is taken in float (as the engine does), so a weight's relative error grows
        // with |x - max| by the float rounding of that difference.
        const double want = std::exp(x[i] - max) / sum;
        EXPECT_NEAR(out[i], want, 1e-6 * want * (1 + std::abs(x[i] - max)) + 1e-30)
            << IsaName(isa) << " x " << x[i] << " i " << i << " n " << n;
        total += out[i];
      }
      EXPECT_NEAR(total, 1.0, 1e-5) << IsaName(isa) << " n " << n;
      // The SIMD paths agree bit for bit (SimdPathTest relies on it).
      if (isa != Isa::kScalar) {
        if (first_simd.empty()) first_simd = out;
        EXPECT_EQ(out, first_simd) << IsaName(isa) << " n " << n;
      }
    }
  }
}

}  // namespace
}  // namespace docent::llm::kernels
