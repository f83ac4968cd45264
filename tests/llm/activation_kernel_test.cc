// The SwiGLU gate and softmax kernels on every instruction set this CPU runs, against the
// functions computed in double, over the range they meet (and beyond), at odd lengths; and the
// encoder's kernels (GELU by table, scores against transposed keys, half activations), which
// must give the same bits on every path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include "docent/llm/half.h"
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

// The encoder's GELU through its table: every path gives, for every half-precision input and
// beyond the table's range, the value the scalar formula gives (encoder.cc's GeluGgml).
TEST(ActivationKernelTest, GeluTableMatchesTheScalarGeluOnEveryPath) {
  std::vector<float> table(65536);
  for (uint32_t i = 0; i < table.size(); ++i) {
    // Any function of the half's bits serves: the index must be the input's rounding.
    table[i] = static_cast<float>(i) * 0.5f - 7.0f;
  }
  std::vector<float> x;
  for (uint32_t bits = 0; bits < 65536; bits += 7) x.push_back(HalfToFloat(bits & 0xffff));
  for (float v : {-10.0f, -9.9990234f, 9.9990234f, 10.0f, 1e6f, -1e6f, 0.33333334f}) {
    x.push_back(v);
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) x[i] = 0.0f;
  }
  std::vector<float> expected = x;
  for (float& v : expected) {
    v = v <= -10.0f ? 0.0f : v >= 10.0f ? v : table[FloatToHalf(v)];
  }
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
    if (!IsaSupported(isa)) continue;
    std::vector<float> y = x;
    GeluTable(isa, table.data(), y.data(), static_cast<int64_t>(y.size()));
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(y[i], expected[i]) << IsaName(isa) << " at " << x[i];
    }
  }
}

// Scores against transposed keys: the same bits on every path, equal to the FMA chain in
// ascending order computed here, at lengths around the kernel's 32- and 8-key blocks.
TEST(ActivationKernelTest, KeyScoresAgreeOnEveryPath) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int64_t dim : {32, 64}) {
    for (int64_t n : {1, 7, 8, 31, 32, 33, 77, 256}) {
      std::vector<float> q(dim), kt(dim * n);
      for (float& v : q) v = dist(rng);
      for (float& v : kt) v = dist(rng);
      std::vector<float> expected(n);
      for (int64_t j = 0; j < n; ++j) {
        float s = 0;
        for (int64_t e = 0; e < dim; ++e) s = std::fma(q[e], kt[e * n + j], s);
        expected[j] = s * 0.125f;
      }
      for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
        if (!IsaSupported(isa)) continue;
        std::vector<float> out(n);
        KeyScores(isa, q.data(), kt.data(), n, dim, 0.125f, out.data());
        ASSERT_EQ(out, expected) << IsaName(isa) << " dim " << dim << " keys " << n;
      }
    }
  }
}

// F16 weights read activations rounded to half and widened back: the F16C path and the scalar
// one give the same bits.
TEST(ActivationKernelTest, HalfActivationsAgreeOnEveryPath) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-70000.0f, 70000.0f);
  for (int64_t n : {1, 9, 384, 1001}) {
    std::vector<float> x(n);
    for (int64_t i = 0; i < n; ++i) x[i] = i % 3 == 0 ? dist(rng) : dist(rng) * 1e-6f;
    const size_t bytes = ActivationBytes(GgmlType::kF16, n);
    std::vector<uint8_t> scalar(bytes);
    PrepareActivations(Isa::kScalar, GgmlType::kF16, x.data(), n, scalar.data());
    for (Isa isa : {Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
      if (!IsaSupported(isa)) continue;
      std::vector<uint8_t> simd(bytes);
      PrepareActivations(isa, GgmlType::kF16, x.data(), n, simd.data());
      ASSERT_EQ(simd, scalar) << IsaName(isa) << " n " << n;
    }
  }
}

}  // namespace
}  // namespace docent::llm::kernels
