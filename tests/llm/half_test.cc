// F16 and BF16 conversions: hand-picked bit patterns (normals, subnormals, the largest value,
// infinities, NaN, signed zero), rounding ties, and exhaustive round trips. Where the
// compiler has _Float16 (GCC on x86-64), every conversion is also checked against it.
#include "docent/llm/half.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

namespace docent::llm {
namespace {

uint32_t Bits(float f) {
  return std::bit_cast<uint32_t>(f);
}

TEST(HalfTest, DecodesHandPickedPatterns) {
  EXPECT_EQ(HalfToFloat(0x0000), 0.0f);
  EXPECT_EQ(Bits(HalfToFloat(0x8000)), 0x80000000u);  // -0 keeps its sign
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x3555), 0x1.554p-2f);         // 1365/4096: 0.333251953125
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);            // largest finite half
  EXPECT_EQ(HalfToFloat(0x0400), 0x1p-14f);            // smallest normal
  EXPECT_EQ(HalfToFloat(0x0001), 0x1p-24f);            // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03ff), 1023.0f * 0x1p-24f);  // largest subnormal
  EXPECT_EQ(HalfToFloat(0x8201), -513.0f * 0x1p-24f);
  EXPECT_EQ(HalfToFloat(0x7c00), INFINITY);
  EXPECT_EQ(HalfToFloat(0xfc00), -INFINITY);
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7c01)));  // signalling NaN stays NaN, not infinity
  EXPECT_TRUE(std::signbit(HalfToFloat(0xfe00)));
}

TEST(HalfTest, EncodesWithRoundToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.0f + 0x1p-11f), 0x3c00);             // tie, 0x3c00 is even
  EXPECT_EQ(FloatToHalf(1.0f + 3 * 0x1p-11f), 0x3c02);         // tie, 0x3c02 is even
  EXPECT_EQ(FloatToHalf(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // just above the tie
  EXPECT_EQ(FloatToHalf(1.0f + 2047 * 0x1p-11f), 0x4000);      // tie rounds up into 2.0
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65519.99f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // the tie above the largest half is infinity
  EXPECT_EQ(FloatToHalf(-1e9f), 0xfc00);
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(0x1p-14f), 0x0400);
  EXPECT_EQ(FloatToHalf(0x1p-24f), 0x0001);
  EXPECT_EQ(FloatToHalf(0x1p-25f), 0x0000);  // tie between 0 and 2^-24: even is 0
  EXPECT_EQ(FloatToHalf(0x1.000002p-25f), 0x0001);
  EXPECT_EQ(FloatToHalf(3 * 0x1p-25f), 0x0002);         // tie between 1 and 2 units: even is 2
  EXPECT_EQ(FloatToHalf(5 * 0x1p-25f), 0x0002);         // tie between 2 and 3 units: even is 2
  EXPECT_EQ(FloatToHalf(-1023.5f * 0x1p-24f), 0x8400);  // rounds up into the normals
  EXPECT_EQ(FloatToHalf(1e-30f), 0x0000);
  const uint16_t nan = FloatToHalf(std::nanf(""));
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(HalfTest, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    const uint16_t back = FloatToHalf(f);
    if (std::isnan(f)) {
      EXPECT_EQ(back & 0x7c00, 0x7c00) << std::hex << h;
      EXPECT_NE(back & 0x03ff, 0) << std::hex << h;
      EXPECT_EQ(back & 0x8000, h & 0x8000) << std::hex << h;
    } else {
      EXPECT_EQ(back, h) << std::hex << h;
    }
  }
}

#if defined(__FLT16_MANT_DIG__)
// The compiler's _Float16 follows IEEE 754 round-to-nearest-even: an independent reference.
TEST(HalfTest, MatchesCompilerFloat16) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const auto bits = static_cast<uint16_t>(h);
    const _Float16 ref = std::bit_cast<_Float16>(bits);
    const float f = HalfToFloat(bits);
    if (std::isnan(f)) continue;
    EXPECT_EQ(Bits(f), Bits(static_cast<float>(ref))) << std::hex << h;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    // Random bit patterns cover every binade; bias half of them into the half range.
    uint32_t x = rng();
    if (i % 2 == 0) x = (x & 0x807fffffu) | ((96u + (x >> 23) % 48u) << 23);
    const float f = std::bit_cast<float>(x);
    if (std::isnan(f)) continue;
    EXPECT_EQ(FloatToHalf(f), std::bit_cast<uint16_t>(static_cast<_Float16>(f)))
        << std::hexfloat << f;
  }
}
#endif

TEST(Bf16Test, HandPickedPatterns) {
  EXPECT_EQ(Bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(Bf16ToFloat(0xc040), -3.0f);
  EXPECT_EQ(Bf16ToFloat(0x0001), 0x1p-133f);  // bf16 keeps float's subnormals
  EXPECT_EQ(Bf16ToFloat(0x7f80), INFINITY);
  EXPECT_TRUE(std::isnan(Bf16ToFloat(0x7fc0)));
  EXPECT_EQ(FloatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(FloatToBf16(1.0f + 0x1p-8f), 0x3f80);                     // tie, even
  EXPECT_EQ(FloatToBf16(1.0f + 3 * 0x1p-8f), 0x3f82);                 // tie, even
  EXPECT_EQ(FloatToBf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);          // above the tie
  EXPECT_EQ(FloatToBf16(std::bit_cast<float>(0x7f7fffffu)), 0x7f80);  // FLT_MAX rounds to inf
  EXPECT_EQ(FloatToBf16(-INFINITY), 0xff80);
  EXPECT_EQ(FloatToBf16(std::bit_cast<float>(0x7f800001u)) & 0x7fc0, 0x7fc0);  // NaN stays NaN
}

TEST(Bf16Test, EveryBf16RoundTrips) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = Bf16ToFloat(static_cast<uint16_t>(b));
    if (std::isnan(f)) continue;
    EXPECT_EQ(FloatToBf16(f), b);
  }
}

}  // namespace
}  // namespace docent::llm
