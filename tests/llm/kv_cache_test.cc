// The KV cache's position copies, which the prefix cache moves between sequences: positions
// exported from one sequence and imported into another at the same place give bit-identical
// attention products, in every storage type, and imports follow BeginPositions' rules.
#include "docent/llm/kv_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace docent::llm {
namespace {

KvCacheShape Shape() {
  KvCacheShape s;
  s.n_layer = 3;
  s.n_head_kv = 2;
  s.head_dim_k = 32;
  s.head_dim_v = 64;
  s.max_positions = 16;
  s.n_seq = 2;
  return s;
}

void Fill(KvCache& kv, uint32_t seq, uint32_t first, uint32_t count, uint32_t seed) {
  const KvCacheShape& s = kv.shape();
  ASSERT_TRUE(kv.BeginPositions(seq, first, count).ok());
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2, 2);
  std::vector<float> k(s.n_head_kv * s.head_dim_k), v(s.n_head_kv * s.head_dim_v);
  for (uint32_t p = first; p < first + count; ++p) {
    for (uint32_t l = 0; l < s.n_layer; ++l) {
      for (float& x : k) x = d(rng);
      for (float& x : v) x = d(rng);
      kv.Store(seq, l, p, k, v);
    }
  }
}

TEST(KvCacheTest, ExportedPositionsImportBitExactInEveryStorage) {
  for (KvStorage storage : {KvStorage::kF16, KvStorage::kF32, KvStorage::kQ8_0}) {
    SCOPED_TRACE(static_cast<int>(storage));
    auto created = KvCache::Create(Shape(), storage);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    KvCache& kv = *created;
    Fill(kv, 0, 0, 10, 1);
    Fill(kv, 1, 0, 12, 2);  // different contents to overwrite
    std::vector<uint8_t> bytes(5 * kv.PositionBytes());
    kv.ExportPositions(0, 3, 5, bytes.data());
    // Sequence 1 rewinds to 3 and takes positions 3..7 from sequence 0.
    ASSERT_TRUE(kv.ImportPositions(1, 3, 5, bytes.data()).ok());
    EXPECT_EQ(kv.Length(1), 8u);
    std::vector<float> q(32, 0.25f);
    for (uint32_t i = 0; i < 32; ++i) q[i] = 0.1f * static_cast<float>(i) - 1.0f;
    for (uint32_t l = 0; l < 3; ++l) {
      for (uint32_t p = 3; p < 8; ++p) {
        for (uint32_t h = 0; h < 2; ++h) {
          EXPECT_EQ(kv.DotKey(1, l, p, h, q), kv.DotKey(0, l, p, h, q));
          std::vector<float> a(64, 0), b(64, 0);
          kv.AddValue(1, l, p, h, 0.5f, a);
          kv.AddValue(0, l, p, h, 0.5f, b);
          EXPECT_EQ(a, b);
        }
      }
    }
    // The copy is of sequence 0's positions, not sequence 1's old ones.
    std::vector<uint8_t> again(5 * kv.PositionBytes());
    kv.ExportPositions(1, 3, 5, again.data());
    EXPECT_EQ(again, bytes);
  }
}

TEST(KvCacheTest, ImportsFollowThePositionRules) {
  auto kv = KvCache::Create(Shape());
  ASSERT_TRUE(kv.ok());
  std::vector<uint8_t> bytes(4 * kv->PositionBytes());
  EXPECT_EQ(kv->PositionBytes(), 3u * 2 * 2 * (32 + 64));  // layers x heads x F16 x (k + v)
  EXPECT_FALSE(kv->ImportPositions(0, 2, 4, bytes.data()).ok())
      << "skips ahead of an empty sequence";
  EXPECT_FALSE(kv->ImportPositions(0, 14, 4, bytes.data()).ok()) << "past the context";
  EXPECT_FALSE(kv->ImportPositions(5, 0, 4, bytes.data()).ok()) << "no such sequence";
  EXPECT_TRUE(kv->ImportPositions(0, 0, 4, bytes.data()).ok());
  EXPECT_EQ(kv->Length(0), 4u);
}

}  // namespace
}  // namespace docent::llm
