// The SwiGLU gate kernel on every instruction set this CPU runs, against silu computed in
// double, over the range a gate meets (and beyond, where it saturates), at odd lengths.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

TEST(ActivationKernelTest, SiluMulMatchesDoublePrecision) {
  std::mt19937 rng(3);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512Vnni}) {
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

}  // namespace
}  // namespace docent::llm::kernels
