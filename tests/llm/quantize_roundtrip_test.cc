// The reference quantisers: quantise -> dequantise round trips with error bounds derived
// from each format's step size, exact round trips for values already on a type's grid, and
// degenerate inputs (zeros, constants, NaN, infinity) that must give defined blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

std::vector<float> RoundTrip(GgmlType type, const std::vector<float>& x) {
  std::vector<uint8_t> q(*RowBytes(type, x.size()));
  EXPECT_TRUE(QuantizeRow(type, x, q).ok());
  std::vector<float> y(x.size());
  EXPECT_TRUE(DequantizeRow(type, q, y).ok());
  return y;
}

std::vector<float> Gaussian(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

// RMS error over RMS of the input.
double RelativeRmse(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0;
  double ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    ref += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(err / ref);
}

struct LegacyCase {
  GgmlType type;
  // Bound on |x - y| within a 32-value block, as a multiple of the block's amax (symmetric
  // types) or of its max - min (asymmetric ones).
  double max_error_per_range;
  bool asymmetric;
};

class LegacyRoundTripTest : public ::testing::TestWithParam<LegacyCase> {};

TEST_P(LegacyRoundTripTest, ErrorWithinHalfAStepPerBlock) {
  const LegacyCase& c = GetParam();
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    // Mix scales across blocks so each block's own scale matters; shift some blocks so the
    // asymmetric types see all-positive and all-negative blocks.
    std::vector<float> x = Gaussian(1024, seed);
    for (size_t b = 0; b < x.size() / 32; ++b) {
      const float scale = std::ldexp(1.0f, static_cast<int>(b % 7) - 3);
      const float shift = (b % 3 == 0) ? 3.0f : (b % 3 == 1 ? -2.0f : 0.0f);
      for (size_t i = 0; i < 32; ++i) x[32 * b + i] = x[32 * b + i] * scale + shift * scale;
    }
    const std::vector<float> y = RoundTrip(c.type, x);
    for (size_t b = 0; b < x.size() / 32; ++b) {
      const auto [lo, hi] = std::minmax_element(x.begin() + 32 * b, x.begin() + 32 * b + 32);
      const double range = c.asymmetric ? *hi - *lo : std::max(std::fabs(*lo), std::fabs(*hi));
      for (size_t i = 32 * b; i < 32 * b + 32; ++i) {
        ASSERT_LE(std::fabs(x[i] - y[i]), c.max_error_per_range * range)
            << GgmlTypeName(c.type) << " seed " << seed << " element " << i;
      }
    }
  }
}

// Q8_0: step amax/127, so half a step is 1/254 of amax; the scale is rounded to half (2^-11
// relative) which moves the extreme levels by up to 127 * 2^-11 of a step: bound 0.0045.
// Q4_0: step amax/8, and the extreme of the sign with no twin level can be a full step off.
// Q5_0: step amax/16, same. Q4_1/Q5_1: half a step of range/15 or range/31, plus the half
// rounding of the min.
INSTANTIATE_TEST_SUITE_P(Types, LegacyRoundTripTest,
                         ::testing::Values(LegacyCase{GgmlType::kQ8_0, 0.0045, false},
                                           LegacyCase{GgmlType::kQ4_0, 0.126, false},
                                           LegacyCase{GgmlType::kQ5_0, 0.0630, false},
                                           LegacyCase{GgmlType::kQ4_1, 0.035, true},
                                           LegacyCase{GgmlType::kQ5_1, 0.0175, true}),
                         [](const ::testing::TestParamInfo<LegacyCase>& info) {
                           return std::string(GgmlTypeName(info.param.type));
                         });

struct RmseCase {
  GgmlType type;
  double max_relative_rmse;
};

class RmseRoundTripTest : public ::testing::TestWithParam<RmseCase> {};

TEST_P(RmseRoundTripTest, GaussianRowsStayCloseOnAverage) {
  const RmseCase& c = GetParam();
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    const std::vector<float> x = Gaussian(4096, seed, 0.02f);  // weight-like magnitudes
    const double rmse = RelativeRmse(x, RoundTrip(c.type, x));
    EXPECT_LT(rmse, c.max_relative_rmse) << GgmlTypeName(c.type) << " seed " << seed;
    EXPECT_GT(rmse, 0.0) << "a lossy type reproduced random data exactly";
  }
}

// What the reference reaches on these rows (worst of the 8 seeds): Q8_0 0.0054, Q4_0 0.088,
// Q4_1 0.079, Q5_0 0.043, Q5_1 0.039, Q4_K 0.080, Q5_K 0.039, Q6_K 0.019. The bounds leave
// about 15% of headroom, so a real regression in a quantiser fails here.
INSTANTIATE_TEST_SUITE_P(
    Types, RmseRoundTripTest,
    ::testing::Values(RmseCase{GgmlType::kQ8_0, 0.0063}, RmseCase{GgmlType::kQ4_0, 0.10},
                      RmseCase{GgmlType::kQ4_1, 0.091}, RmseCase{GgmlType::kQ5_0, 0.050},
                      RmseCase{GgmlType::kQ5_1, 0.045}, RmseCase{GgmlType::kQ4_K, 0.092},
                      RmseCase{GgmlType::kQ5_K, 0.045}, RmseCase{GgmlType::kQ6_K, 0.022}),
    [](const ::testing::TestParamInfo<RmseCase>& info) {
      return std::string(GgmlTypeName(info.param.type));
    });

TEST(QuantizeExactTest, ValuesOnTheGridRoundTripExactly) {
  // Q8_0 with d = 1: integers -127..127 (amax 127 gives d = 127 / 127 = 1 exactly).
  std::vector<float> q8(64);
  for (int i = 0; i < 64; ++i) q8[i] = static_cast<float>((i * 37) % 255 - 127);
  q8[5] = 127.0f;
  q8[40] = -127.0f;
  EXPECT_EQ(RoundTrip(GgmlType::kQ8_0, q8), q8);
  // Q4_0 with d = -0.5: the extreme -4 maps to level -8, so the grid is -4 .. 3.5.
  std::vector<float> q4(32);
  for (int i = 0; i < 32; ++i) q4[i] = 0.5f * static_cast<float>(i % 16 - 8);
  EXPECT_EQ(RoundTrip(GgmlType::kQ4_0, q4), q4);
  // Q5_0: grid -8 .. 7.5 in steps of 0.5.
  std::vector<float> q5(32);
  for (int i = 0; i < 32; ++i) q5[i] = 0.5f * static_cast<float>(i - 16);
  EXPECT_EQ(RoundTrip(GgmlType::kQ5_0, q5), q5);
  // Q4_1 / Q5_1: min 1, step 0.25 (range 3.75 / 15 and 7.75 / 31).
  std::vector<float> a4(32);
  std::vector<float> a5(32);
  for (int i = 0; i < 32; ++i) {
    a4[i] = 1.0f + 0.25f * static_cast<float>(i % 16);
    a5[i] = 1.0f + 0.25f * static_cast<float>(i);
  }
  EXPECT_EQ(RoundTrip(GgmlType::kQ4_1, a4), a4);
  EXPECT_EQ(RoundTrip(GgmlType::kQ5_1, a5), a5);
  // F16 and BF16 keep values they can represent.
  const std::vector<float> h = {1.0f, -65504.0f, 0x1p-24f, 0.333251953125f};
  EXPECT_EQ(RoundTrip(GgmlType::kF16, h), h);
  const std::vector<float> bf = {1.0f, -3.0f, 0x1p-133f, 3.3895314e38f};
  EXPECT_EQ(RoundTrip(GgmlType::kBF16, bf), bf);
}

TEST(QuantizeExactTest, Q6_KStaysWithinAStepOfAGrid) {
  // Groups of 16 alternate steps of 1/8 and 1/16 with the extreme on level -32, so the ideal
  // sub-block scales are 1/8 and 1/16. Only d = (1/8) / 127 and the int8 multiples of it
  // are stored (64 d for 1/16 is 0.8% off), so the check is one small step, not exactness.
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) {
    const float step = (i / 16) % 2 == 0 ? 0.125f : 0.0625f;
    x[i] = step * static_cast<float>(i % 16 * 4 - 32);
  }
  const std::vector<float> y = RoundTrip(GgmlType::kQ6_K, x);
  for (int i = 0; i < 256; ++i) EXPECT_NEAR(y[i], x[i], 0.0625f) << i;
}

TEST(QuantizeDegenerateTest, ZerosAndConstantsGiveExactBlocks) {
  for (GgmlType t : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0,
                     GgmlType::kQ5_1, GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K}) {
    const std::vector<float> zeros(256, 0.0f);
    EXPECT_EQ(RoundTrip(t, zeros), zeros) << GgmlTypeName(t);
    const std::vector<float> ones(256, 1.0f);
    const std::vector<float> y = RoundTrip(t, ones);
    for (float v : y) EXPECT_NEAR(v, 1.0f, 1e-3f) << GgmlTypeName(t);
  }
}

TEST(QuantizeDegenerateTest, NonFiniteInputsGiveDefinedBlocks) {
  // Model weights are finite; this checks only that nothing undefined happens (UBSan runs
  // these) and finite neighbours are unharmed where the format allows.
  for (GgmlType t :
       {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,
        GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K, GgmlType::kF16, GgmlType::kBF16}) {
    std::vector<float> x = Gaussian(256, 3);
    x[3] = std::numeric_limits<float>::quiet_NaN();
    x[100] = std::numeric_limits<float>::infinity();
    x[200] = -std::numeric_limits<float>::infinity();
    x[201] = 1e30f;
    const std::vector<float> y = RoundTrip(t, x);
    EXPECT_EQ(y.size(), x.size());
  }
}

TEST(QuantizeRowTest, Q8_0ScaleIsTheHalfOfAmaxOver127) {
  std::vector<float> x(32, 0.0f);
  x[7] = -3.0f;
  x[9] = 1.5f;
  std::vector<uint8_t> q(34);
  ASSERT_TRUE(QuantizeRow(GgmlType::kQ8_0, x, q).ok());
  BlockQ8_0 b;
  std::memcpy(&b, q.data(), sizeof(b));
  EXPECT_EQ(b.d, FloatToHalf(3.0f / 127.0f));
  EXPECT_EQ(b.qs[7], -127);
  EXPECT_EQ(b.qs[9], 64);  // 1.5 / (3/127) = 63.5, rounded away from zero (with d as stored)
  EXPECT_EQ(b.qs[0], 0);
}

}  // namespace
}  // namespace docent::llm
