// Dequantisation of hand-made Q4_K, Q5_K and Q6_K super-blocks, bit-exact. All eight (Q4_K,
// Q5_K) or sixteen (Q6_K) sub-blocks get distinct scales, including the 6-bit maxima and
// the sub-blocks 4..7 whose scale bits are split across the packed bytes; Q6_K includes
// negative scales and -128. The packed scale bytes are literals worked out by hand (shown
// in the comments); expected values follow the layout described in quant_blocks.h, with
// hand-worked spot checks, and every one is exact in float.
#include "docent/llm/quant_k.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "docent/llm/quant_blocks.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

// Intended sub-block scales and mins for the Q4_K/Q5_K blocks.
constexpr int kSc[8] = {1, 5, 10, 17, 33, 47, 60, 63};
constexpr int kMin[8] = {0, 3, 7, 16, 31, 48, 62, 63};

// Packed as the format requires. For j < 4: byte j = sc_j | (sc_{j+4} >> 4) << 6,
// byte j+4 = m_j | (m_{j+4} >> 4) << 6, byte j+8 = (sc_{j+4} & 15) | (m_{j+4} & 15) << 4.
//   sc_4..7 = 33, 47, 60, 63 -> top bits 2, 2, 3, 3; low nibbles 1, 15, 12, 15
//   m_4..7  = 31, 48, 62, 63 -> top bits 1, 3, 3, 3; low nibbles 15, 0, 14, 15
constexpr uint8_t kPackedScales[12] = {
    0x81,  // 1 | 2 << 6
    0x85,  // 5 | 2 << 6
    0xca,  // 10 | 3 << 6
    0xd1,  // 17 | 3 << 6
    0x40,  // 0 | 1 << 6
    0xc3,  // 3 | 3 << 6
    0xc7,  // 7 | 3 << 6
    0xd0,  // 16 | 3 << 6
    0xf1,  // 1 | 15 << 4
    0x0f,  // 15 | 0 << 4
    0xec,  // 12 | 14 << 4
    0xff,  // 15 | 15 << 4
};

uint8_t QsByte(int k) {
  return static_cast<uint8_t>((k & 15) | ((k * 7 + 3) & 15) << 4);
}
uint8_t QhByte(int l) {
  return static_cast<uint8_t>(l * 37 + 11);
}

void PutHalf(std::vector<uint8_t>& b, uint16_t h) {
  b.push_back(static_cast<uint8_t>(h & 0xff));
  b.push_back(static_cast<uint8_t>(h >> 8));
}

std::vector<float> Dequantize(GgmlType type, const std::vector<uint8_t>& blocks) {
  std::vector<float> out(256, -999.0f);
  const Status s = DequantizeRow(type, blocks, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(KScalesTest, UnpacksTheHandPackedBytes) {
  uint8_t sc[8];
  uint8_t m[8];
  UnpackKScales(kPackedScales, sc, m);
  for (int j = 0; j < 8; ++j) {
    EXPECT_EQ(sc[j], kSc[j]) << j;
    EXPECT_EQ(m[j], kMin[j]) << j;
  }
  uint8_t packed[12];
  PackKScales(sc, m, packed);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(packed[i], kPackedScales[i]) << i;
}

TEST(KScalesTest, PackUnpackRoundTripsEveryValue) {
  for (int v = 0; v < 64; ++v) {
    uint8_t sc[8];
    uint8_t m[8];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>((v + 9 * j) % 64);
      m[j] = static_cast<uint8_t>((63 - v + 5 * j) % 64);
    }
    uint8_t packed[12];
    PackKScales(sc, m, packed);
    uint8_t sc2[8];
    uint8_t m2[8];
    UnpackKScales(packed, sc2, m2);
    for (int j = 0; j < 8; ++j) {
      EXPECT_EQ(sc2[j], sc[j]);
      EXPECT_EQ(m2[j], m[j]);
    }
  }
}

// Value i of a Q4_K/Q5_K block: chunk c = i / 64 holds sub-blocks 2c (low nibbles of
// qs[32c..32c+31]) and 2c+1 (their high nibbles); Q5_K adds 16 when bit 2c (resp. 2c+1)
// of qh[l] is set.
float ExpectedK(int i, bool five_bits) {
  const int c = i / 64;
  const int l = i % 64;
  const bool high = l >= 32;
  const int byte = QsByte(32 * c + l % 32);
  int q = high ? byte >> 4 : byte & 15;
  if (five_bits) q += 16 * ((QhByte(l % 32) >> (2 * c + (high ? 1 : 0))) & 1);
  const int j = 2 * c + (high ? 1 : 0);
  return 0.5f * static_cast<float>(kSc[j]) * static_cast<float>(q) -
         0.25f * static_cast<float>(kMin[j]);
}

TEST(DequantQ4_KTest, HandMadeBlockWithEightDistinctSubBlocks) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3800);  // d = 0.5
  PutHalf(b, 0x3400);  // dmin = 0.25
  b.insert(b.end(), kPackedScales, kPackedScales + 12);
  for (int k = 0; k < 128; ++k) b.push_back(QsByte(k));
  ASSERT_EQ(b.size(), sizeof(BlockQ4_K));
  const std::vector<float> x = Dequantize(GgmlType::kQ4_K, b);
  EXPECT_EQ(x[0], 0.0f);       // q 0, sub-block 0: 0.5*1*0 - 0.25*0
  EXPECT_EQ(x[33], 24.25f);    // high nibble of qs[1] = 10, sub-block 1: 0.5*5*10 - 0.25*3
  EXPECT_EQ(x[200], 224.5f);   // low nibble of qs[104] = 8, sub-block 6: 0.5*60*8 - 0.25*62
  EXPECT_EQ(x[255], 362.25f);  // high nibble of qs[127] = 12, sub-block 7: 0.5*63*12 - 0.25*63
  for (int i = 0; i < 256; ++i) EXPECT_EQ(x[i], ExpectedK(i, false)) << i;
}

TEST(DequantQ5_KTest, HandMadeBlockWithFifthBits) {
  std::vector<uint8_t> b;
  PutHalf(b, 0x3800);
  PutHalf(b, 0x3400);
  b.insert(b.end(), kPackedScales, kPackedScales + 12);
  for (int l = 0; l < 32; ++l) b.push_back(QhByte(l));
  for (int k = 0; k < 128; ++k) b.push_back(QsByte(k));
  ASSERT_EQ(b.size(), sizeof(BlockQ5_K));
  const std::vector<float> x = Dequantize(GgmlType::kQ5_K, b);
  EXPECT_EQ(x[0], 8.0f);       // qh[0] = 11 has bit 0: q = 0 + 16
  EXPECT_EQ(x[33], 24.25f);    // qh[1] = 48 lacks bit 1: q = 10
  EXPECT_EQ(x[255], 866.25f);  // qh[31] = 134 has bit 7: q = 12 + 16; 0.5*63*28 - 15.75
  for (int i = 0; i < 256; ++i) EXPECT_EQ(x[i], ExpectedK(i, true)) << i;
}

TEST(DequantQ4_KTest, NegativeSuperScalesFlipSigns) {
  std::vector<uint8_t> b;
  PutHalf(b, 0xb800);  // d = -0.5
  PutHalf(b, 0xb400);  // dmin = -0.25
  b.insert(b.end(), kPackedScales, kPackedScales + 12);
  for (int k = 0; k < 128; ++k) b.push_back(QsByte(k));
  const std::vector<float> x = Dequantize(GgmlType::kQ4_K, b);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(x[i], -ExpectedK(i, false)) << i;
}

constexpr int8_t kQ6Scales[16] = {1, -2, 3, -4, 5, -6, 7, -8, 16, -32, 64, -128, 127, 0, 9, -1};
uint8_t Q6Ql(int k) {
  return static_cast<uint8_t>(k * 5);
}
uint8_t Q6Qh(int k) {
  return static_cast<uint8_t>(k * 11 + 7);
}

// Value i of a Q6_K block: half h = i / 128, quarter k = (i % 128) / 32, l = i % 32. Low 4
// bits from ql[64h + l] (k = 0 low, k = 2 high nibble) or ql[64h + l + 32] (k = 1 low,
// k = 3 high); top 2 bits are bits 2k, 2k+1 of qh[32h + l]; scale 8h + l / 16 + 2k.
float ExpectedQ6(int i) {
  const int h = i / 128;
  const int k = (i % 128) / 32;
  const int l = i % 32;
  const int ql = Q6Ql(64 * h + l + (k % 2 == 1 ? 32 : 0));
  const int low = k < 2 ? ql & 15 : ql >> 4;
  const int top = (Q6Qh(32 * h + l) >> (2 * k)) & 3;
  const int q = (low | top << 4) - 32;
  return 0.5f * static_cast<float>(kQ6Scales[8 * h + l / 16 + 2 * k]) * static_cast<float>(q);
}

TEST(DequantQ6_KTest, HandMadeBlockWithSixteenSignedScales) {
  std::vector<uint8_t> b;
  for (int k = 0; k < 128; ++k) b.push_back(Q6Ql(k));
  for (int k = 0; k < 64; ++k) b.push_back(Q6Qh(k));
  for (int8_t s : kQ6Scales) b.push_back(static_cast<uint8_t>(s));
  PutHalf(b, 0x3800);  // d = 0.5, stored last
  ASSERT_EQ(b.size(), sizeof(BlockQ6_K));
  const std::vector<float> x = Dequantize(GgmlType::kQ6_K, b);
  EXPECT_EQ(x[0], 8.0f);       // ql[0] = 0, qh[0] = 7 -> top 3: q = 48 - 32 = 16; 0.5*1*16
  EXPECT_EQ(x[168], 768.0f);   // ql[104] = 8, qh[40] = 191 bits 2-3 = 3: q = 24; scale 64
  EXPECT_EQ(x[176], 1024.0f);  // ql[112] = 48 low 0, qh[48] = 23 bits 2-3 = 1: q = -16; -128
  EXPECT_EQ(x[255], -3.5f);    // ql[127] = 123 high 7, qh[63] = 188 bits 6-7 = 2: q = 7; -1
  for (int i = 0; i < 256; ++i) EXPECT_EQ(x[i], ExpectedQ6(i)) << i;
  // Scale 13 is 0: sub-block 13 is half 1, quarter 2, l 16..31, i.e. values 208..223.
  for (int i = 208; i < 224; ++i) EXPECT_EQ(x[i], 0.0f) << i;
}

TEST(DequantKTest, TwoBlocksInARowUseTheirOwnScales) {
  std::vector<uint8_t> b;
  for (int block = 0; block < 2; ++block) {
    PutHalf(b, block == 0 ? 0x3800 : 0x4000);  // d = 0.5, then 2
    PutHalf(b, 0x3400);
    b.insert(b.end(), kPackedScales, kPackedScales + 12);
    for (int k = 0; k < 128; ++k) b.push_back(QsByte(k));
  }
  std::vector<float> x(512);
  ASSERT_TRUE(DequantizeRow(GgmlType::kQ4_K, b, x).ok());
  EXPECT_EQ(x[33], 24.25f);
  EXPECT_EQ(x[256 + 33], 2.0f * 5 * 10 - 0.75f);
}

}  // namespace
}  // namespace docent::llm
