// Reference dot products and matrix-vector products against dequantise-then-dot in double:
// the f32 path for every computable type, the Q8_0-activation path for every quantised type
// (against the dequantised activations, and against the f32 activations within the error
// Q8_0 rounding allows), a hand-made block, and the size and type checks.
#include "docent/llm/matvec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

constexpr int64_t kN = 512;  // two K-quant super-blocks, sixteen legacy blocks

std::vector<float> Gaussian(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

std::vector<uint8_t> Quantize(GgmlType type, const std::vector<float>& x) {
  std::vector<uint8_t> q(*RowBytes(type, x.size()));
  EXPECT_TRUE(QuantizeRow(type, x, q).ok());
  return q;
}

std::vector<float> Dequantize(GgmlType type, const std::vector<uint8_t>& q, size_t n) {
  std::vector<float> x(n);
  EXPECT_TRUE(DequantizeRow(type, q, x).ok());
  return x;
}

struct Reference {
  double dot = 0;
  double magnitude = 0;  // sum of |w_i x_i|: the scale rounding errors are relative to
};

Reference DoubleDot(const std::vector<float>& w, const std::vector<float>& x) {
  Reference r;
  for (size_t i = 0; i < w.size(); ++i) {
    r.dot += static_cast<double>(w[i]) * x[i];
    r.magnitude += std::fabs(static_cast<double>(w[i]) * x[i]);
  }
  return r;
}

const GgmlType kComputable[] = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ8_0,
                                GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,
                                GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K};
const GgmlType kQuantised[] = {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0,
                               GgmlType::kQ5_1, GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K};

class DotTest : public ::testing::TestWithParam<GgmlType> {};

TEST_P(DotTest, F32PathMatchesDequantiseThenDot) {
  const GgmlType type = GetParam();
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    const std::vector<uint8_t> row = Quantize(type, Gaussian(kN, seed));
    const std::vector<float> x = Gaussian(kN, seed + 100);
    const Reference ref = DoubleDot(Dequantize(type, row, kN), x);
    const auto dot = DotF32(type, row, x);
    ASSERT_TRUE(dot.ok()) << dot.status().ToString();
    // float accumulation over 512 terms: a few ulps of the magnitude.
    EXPECT_NEAR(*dot, ref.dot, 1e-5 * ref.magnitude) << GgmlTypeName(type) << " seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, DotTest, ::testing::ValuesIn(kComputable),
                         [](const ::testing::TestParamInfo<GgmlType>& info) {
                           return std::string(GgmlTypeName(info.param));
                         });

class DotQ8Test : public ::testing::TestWithParam<GgmlType> {};

TEST_P(DotQ8Test, IntegerPathMatchesDequantisedOperands) {
  const GgmlType type = GetParam();
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    const std::vector<uint8_t> row = Quantize(type, Gaussian(kN, seed));
    const std::vector<float> x = Gaussian(kN, seed + 100);
    const std::vector<uint8_t> xq = Quantize(GgmlType::kQ8_0, x);
    const std::vector<float> w = Dequantize(type, row, kN);
    const std::vector<float> xd = Dequantize(GgmlType::kQ8_0, xq, kN);
    const auto dot = DotQ8_0(type, row, xq, kN);
    ASSERT_TRUE(dot.ok()) << dot.status().ToString();
    // Integer sums are exact, so only the per-block float scaling rounds.
    const Reference exact = DoubleDot(w, xd);
    EXPECT_NEAR(*dot, exact.dot, 1e-5 * exact.magnitude) << GgmlTypeName(type) << " " << seed;
    // Against the unquantised activations, the gap is what Q8_0 rounding of x allows:
    // |x_i - xd_i| <= amax(block) / 254 (plus the half rounding of the scale).
    double bound = 0;
    for (int64_t b = 0; b < kN / 32; ++b) {
      float amax = 0;
      for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[32 * b + i]));
      for (int i = 0; i < 32; ++i) bound += std::fabs(w[32 * b + i]) * amax * (0.5 / 127 + 1e-3);
    }
    EXPECT_NEAR(*dot, DoubleDot(w, x).dot, bound) << GgmlTypeName(type) << " " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, DotQ8Test, ::testing::ValuesIn(kQuantised),
                         [](const ::testing::TestParamInfo<GgmlType>& info) {
                           return std::string(GgmlTypeName(info.param));
                         });

TEST(MatVecTest, EachRowIsItsDotProduct) {
  constexpr int kRows = 5;
  for (GgmlType type : kQuantised) {
    std::vector<uint8_t> w;
    std::vector<std::vector<uint8_t>> rows;
    for (int r = 0; r < kRows; ++r) {
      rows.push_back(Quantize(type, Gaussian(kN, 50 + r)));
      w.insert(w.end(), rows.back().begin(), rows.back().end());
    }
    const std::vector<float> x = Gaussian(kN, 7);
    const std::vector<uint8_t> xq = Quantize(GgmlType::kQ8_0, x);
    std::vector<float> y(kRows);
    std::vector<float> yq(kRows);
    ASSERT_TRUE(MatVecF32(type, w, x, y).ok());
    ASSERT_TRUE(MatVecQ8_0(type, w, xq, kN, yq).ok());
    for (int r = 0; r < kRows; ++r) {
      EXPECT_EQ(y[r], *DotF32(type, rows[r], x)) << GgmlTypeName(type) << " row " << r;
      EXPECT_EQ(yq[r], *DotQ8_0(type, rows[r], xq, kN)) << GgmlTypeName(type) << " row " << r;
    }
  }
}

TEST(DotHandMadeTest, Q4_0Block) {
  // d = 0.5, nibbles j / 15 - j: the values are (j - 8) / 2 then (7 - j) / 2.
  std::vector<uint8_t> block = {0x00, 0x38};
  for (int j = 0; j < 16; ++j) block.push_back(static_cast<uint8_t>(j | (15 - j) << 4));
  std::vector<float> x(32, 0.0f);
  x[0] = 1.0f;    // value -4
  x[17] = 2.0f;   // value 3
  x[31] = -1.0f;  // value -4
  EXPECT_EQ(*DotF32(GgmlType::kQ4_0, block, x), -4.0f + 6.0f + 4.0f);
  // With Q8_0 ones (every level 127, d the half nearest 1/127) the dot is the sum of the
  // values: 0.5 * (sum_j (j - 8) + sum_j (7 - j)) = 0.5 * (-8 - 8) = -8, times 127 d.
  const std::vector<float> ones(32, 1.0f);
  const std::vector<uint8_t> xq = Quantize(GgmlType::kQ8_0, ones);
  EXPECT_NEAR(*DotQ8_0(GgmlType::kQ4_0, block, xq, 32), -8.0f, 8.0f * 0x1p-11f);
}

TEST(DotErrorsTest, ChecksSizesAndTypes) {
  const std::vector<float> x(32, 1.0f);
  const std::vector<uint8_t> q8(34);
  EXPECT_TRUE(DotF32(GgmlType::kQ8_0, q8, x).ok());
  EXPECT_EQ(DotF32(GgmlType::kQ8_0, std::vector<uint8_t>(33), x).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      DotF32(GgmlType::kQ2_K, std::vector<uint8_t>(84), std::vector<float>(256)).status().code(),
      StatusCode::kUnsupported);
  EXPECT_EQ(DotQ8_0(GgmlType::kF16, std::vector<uint8_t>(64), q8, 32).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(DotQ8_0(GgmlType::kQ8_0, q8, std::vector<uint8_t>(33), 32).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DotQ8_0(GgmlType::kQ8_0, q8, q8, 31).status().code(), StatusCode::kInvalidArgument);
  std::vector<float> y(2);
  EXPECT_EQ(MatVecF32(GgmlType::kQ8_0, q8, x, y).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MatVecQ8_0(GgmlType::kQ8_0, q8, q8, 32, y).code(), StatusCode::kInvalidArgument);
  std::vector<float> one(1);
  EXPECT_TRUE(MatVecQ8_0(GgmlType::kQ8_0, q8, q8, 32, one).ok());
}

}  // namespace
}  // namespace docent::llm
