// Dequantisation of hand-made Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 blocks, bit-exact. Each block's
// bytes are written out here; the expected values come from the format definition
// (quant_blocks.h, ggml's block layouts) worked through in the test, with a few worked by
// hand as literals. Scales are powers of two (or small multiples), so every expected value
// is exact in float and the comparison is exact.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "docent/llm/quant_blocks.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

std::vector<float> Dequantize(GgmlType type, const std::vector<uint8_t>& blocks, size_t n) {
  std::vector<float> out(n, -999.0f);
  const Status s = DequantizeRow(type, blocks, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Appends a little-endian half (given as raw bits).
void PutHalf(std::vector<uint8_t>& b, uint16_t h) {
  b.push_back(static_cast<uint8_t>(h & 0xff));
  b.push_back(static_cast<uint8_t>(h >> 8));
}

// 16 bytes of nibbles: low nibble of byte j is j, high nibble is 15 - j.
void PutRampNibbles(std::vector<uint8_t>& b) {
  for (int j = 0; j < 16; ++j) b.push_back(static_cast<uint8_t>(j | (15 - j) << 4));
}
int RampNibble(int i) {
  return i < 16 ? i : 15 - (i - 16);
}

TEST(DequantQ8_0Test, HandMadeBlocks) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3800);  // d = 0.5
  for (int i = 0; i < 30; ++i) b.push_back(static_cast<uint8_t>(static_cast<int8_t>(i - 16)));
  b.push_back(0x7f);   // 127
  b.push_back(0x80);   // -128
  PutHalf(b, 0xbc00);  // d = -1
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(i * 8));
  PutHalf(b, 0x0001);  // d = 2^-24, a subnormal half
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<uint8_t>(i + 100));
  ASSERT_EQ(b.size(), 3u * sizeof(BlockQ8_0));

  const std::vector<float> x = Dequantize(GgmlType::kQ8_0, b, 96);
  EXPECT_EQ(x[0], -8.0f);
  EXPECT_EQ(x[16], 0.0f);
  EXPECT_EQ(x[30], 63.5f);
  EXPECT_EQ(x[31], -64.0f);
  EXPECT_EQ(x[33], -8.0f);   // byte 8 as int8, times -1
  EXPECT_EQ(x[48], 128.0f);  // byte 128 is int8 -128, times -1
  EXPECT_EQ(x[63], 8.0f);    // byte 248 is int8 -8
  EXPECT_EQ(x[64], 100.0f * 0x1p-24f);
  EXPECT_EQ(x[95], -125.0f * 0x1p-24f);  // byte 131 is int8 -125
  for (int i = 0; i < 30; ++i) EXPECT_EQ(x[i], 0.5f * static_cast<float>(i - 16)) << i;
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(x[32 + i], -1.0f * static_cast<float>(static_cast<int8_t>(i * 8))) << i;
    EXPECT_EQ(x[64 + i], 0x1p-24f * static_cast<float>(static_cast<int8_t>(i + 100))) << i;
  }
}

TEST(DequantQ4_0Test, HandMadeBlocks) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x4000);  // d = 2
  PutRampNibbles(b);
  PutHalf(b, 0xc000);  // d = -2: negative scales flip the sign
  PutRampNibbles(b);
  ASSERT_EQ(b.size(), 2u * sizeof(BlockQ4_0));
  const std::vector<float> x = Dequantize(GgmlType::kQ4_0, b, 64);
  EXPECT_EQ(x[0], -16.0f);  // nibble 0: (0 - 8) * 2
  EXPECT_EQ(x[8], 0.0f);
  EXPECT_EQ(x[15], 14.0f);
  EXPECT_EQ(x[16], 14.0f);  // high nibble of byte 0 is 15
  EXPECT_EQ(x[31], -16.0f);
  EXPECT_EQ(x[32], 16.0f);
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(x[i], 2.0f * static_cast<float>(RampNibble(i) - 8)) << i;
    EXPECT_EQ(x[32 + i], -2.0f * static_cast<float>(RampNibble(i) - 8)) << i;
  }
}

TEST(DequantQ4_1Test, HandMadeBlocksWithNegativeMin) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3800);  // d = 0.5
  PutHalf(b, 0xc100);  // m = -2.5
  PutRampNibbles(b);
  PutHalf(b, 0xb400);  // d = -0.25
  PutHalf(b, 0x4600);  // m = 6
  PutRampNibbles(b);
  ASSERT_EQ(b.size(), 2u * sizeof(BlockQ4_1));
  const std::vector<float> x = Dequantize(GgmlType::kQ4_1, b, 64);
  EXPECT_EQ(x[0], -2.5f);
  EXPECT_EQ(x[15], 5.0f);
  EXPECT_EQ(x[16], 5.0f);
  EXPECT_EQ(x[32], 6.0f);
  EXPECT_EQ(x[47], 2.25f);
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(x[i], 0.5f * static_cast<float>(RampNibble(i)) - 2.5f) << i;
    EXPECT_EQ(x[32 + i], -0.25f * static_cast<float>(RampNibble(i)) + 6.0f) << i;
  }
}

// qh = 0xa5c3f00f: bit i is the fifth bit of element i.
constexpr uint32_t kQh = 0xa5c3f00fu;
void PutQh(std::vector<uint8_t>& b) {
  for (int k = 0; k < 4; ++k) b.push_back(static_cast<uint8_t>(kQh >> (8 * k)));
}
int Q5(int i) {
  return RampNibble(i) | static_cast<int>((kQh >> i) & 1) << 4;
}

TEST(DequantQ5_0Test, HandMadeBlockUsesEveryHighBit) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3c00);  // d = 1
  PutQh(b);
  PutRampNibbles(b);
  ASSERT_EQ(b.size(), sizeof(BlockQ5_0));
  const std::vector<float> x = Dequantize(GgmlType::kQ5_0, b, 32);
  EXPECT_EQ(x[0], 0.0f);    // nibble 0, high bit 1: 16 - 16
  EXPECT_EQ(x[4], -12.0f);  // nibble 4, high bit 0
  EXPECT_EQ(x[12], 12.0f);  // nibble 12, bit 12 of 0x...f00f is 1: 28 - 16
  EXPECT_EQ(x[16], 15.0f);  // nibble 15, bit 16 (0xc3 bit 0) is 1: 31 - 16
  EXPECT_EQ(x[20], -5.0f);  // nibble 11, bit 20 (0xc3 bit 4) is 0
  EXPECT_EQ(x[31], 0.0f);   // nibble 0, bit 31 is 1
  for (int i = 0; i < 32; ++i) EXPECT_EQ(x[i], static_cast<float>(Q5(i) - 16)) << i;
}

TEST(DequantQ5_1Test, HandMadeBlockUsesEveryHighBit) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3800);  // d = 0.5
  PutHalf(b, 0x4200);  // m = 3
  PutQh(b);
  PutRampNibbles(b);
  ASSERT_EQ(b.size(), sizeof(BlockQ5_1));
  const std::vector<float> x = Dequantize(GgmlType::kQ5_1, b, 32);
  EXPECT_EQ(x[0], 11.0f);  // 16 * 0.5 + 3
  EXPECT_EQ(x[4], 5.0f);
  EXPECT_EQ(x[16], 18.5f);  // 31 * 0.5 + 3
  for (int i = 0; i < 32; ++i) EXPECT_EQ(x[i], 0.5f * static_cast<float>(Q5(i)) + 3.0f) << i;
}

TEST(DequantPlainTypesTest, F32F16Bf16) {
  const std::vector<uint8_t> f16 = {0x00, 0x3c, 0x01, 0x80, 0xff, 0x7b, 0x00, 0xfc};
  const std::vector<float> h = Dequantize(GgmlType::kF16, f16, 4);
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -0x1p-24f);
  EXPECT_EQ(h[2], 65504.0f);
  EXPECT_EQ(h[3], -INFINITY);
  const std::vector<uint8_t> bf16 = {0x80, 0x3f, 0x40, 0xc0};
  const std::vector<float> b = Dequantize(GgmlType::kBF16, bf16, 2);
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], -3.0f);
  const std::vector<uint8_t> f32 = {0x00, 0x00, 0xc0, 0x3f};
  EXPECT_EQ(Dequantize(GgmlType::kF32, f32, 1)[0], 1.5f);
}

TEST(DequantizeRowTest, ChecksSizesAndTypes) {
  std::vector<float> out(32);
  const std::vector<uint8_t> block(34);
  EXPECT_TRUE(DequantizeRow(GgmlType::kQ8_0, block, out).ok());
  EXPECT_EQ(DequantizeRow(GgmlType::kQ8_0, std::vector<uint8_t>(33), out).code(),
            StatusCode::kInvalidArgument);
  std::vector<float> ragged(31);
  EXPECT_EQ(DequantizeRow(GgmlType::kQ8_0, block, ragged).code(), StatusCode::kInvalidArgument);
  std::vector<float> k_row(256);
  const Status s = DequantizeRow(GgmlType::kQ2_K, std::vector<uint8_t>(84), k_row);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_EQ(s.message(), "docent cannot compute with tensors of type Q2_K");
  std::vector<uint8_t> dst(33);
  EXPECT_EQ(QuantizeRow(GgmlType::kQ8_0, out, dst).code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> iq4(18);
  EXPECT_EQ(QuantizeRow(GgmlType::kIQ4_NL, out, iq4).code(), StatusCode::kUnsupported);
  EXPECT_TRUE(DequantizeRow(GgmlType::kF32, {}, {}).ok());  // an empty row is fine
}

}  // namespace
}  // namespace docent::llm
