// The prefix cache's blocks: a lookup finds the longest run of whole blocks a prompt starts
// with (a block is the same block only after the same tokens), hands back the bytes that were
// copied in, stays within its byte budget by evicting least recently used leaves, and never
// leaves a chain with a hole.
#include "docent/engine/prefix_cache.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace docent::engine {
namespace {

constexpr size_t kPositionBytes = 8;

// Position p of a sequence is 8 bytes of (token at p) + p, so copies can be checked.
PrefixCache::CopyOut CopyOf(const std::vector<uint32_t>& tokens) {
  return [tokens](uint32_t first, uint32_t count, uint8_t* dst) {
    for (uint32_t p = first; p < first + count; ++p) {
      for (size_t b = 0; b < kPositionBytes; ++b) {
        *dst++ = static_cast<uint8_t>(tokens[p] + p + b);
      }
    }
  };
}

std::vector<uint32_t> Tokens(uint32_t start, size_t n) {
  std::vector<uint32_t> t(n);
  std::iota(t.begin(), t.end(), start);
  return t;
}

PrefixCache Cache(uint64_t blocks) {
  return PrefixCache(kPositionBytes, {4, blocks * 4 * kPositionBytes});
}

TEST(PrefixCacheTest, AScopeFindsOnlyItsOwnBlocks) {
  PrefixCache cache = Cache(16);
  const std::vector<uint32_t> a = Tokens(100, 8);
  cache.Insert(7, a, CopyOf(a));
  EXPECT_EQ(cache.Lookup(7, a, 8).size(), 2u);
  EXPECT_TRUE(cache.Lookup(0, a, 8).empty()) << "plain chat does not see a workspace's prompt";
  EXPECT_TRUE(cache.Lookup(8, a, 8).empty()) << "nor does another workspace";
  cache.Insert(8, a, CopyOf(a));  // the same tokens in another scope: blocks of their own
  EXPECT_EQ(cache.Stats().blocks, 4u);
  EXPECT_EQ(cache.Lookup(8, a, 8).size(), 2u);
}

TEST(PrefixCacheTest, FindsTheLongestRunOfWholeBlocksWithTheirBytes) {
  PrefixCache cache = Cache(16);
  const std::vector<uint32_t> a = Tokens(100, 10);  // two whole blocks and a partial one
  cache.Insert(0, a, CopyOf(a));
  EXPECT_EQ(cache.Stats().blocks, 2u);

  std::vector<uint32_t> longer = a;
  longer.push_back(7);
  const auto found = cache.Lookup(0, longer, longer.size());
  ASSERT_EQ(found.size(), 2u);
  std::vector<uint8_t> expected(4 * kPositionBytes);
  CopyOf(a)(4, 4, expected.data());
  EXPECT_EQ(std::vector<uint8_t>(found[1], found[1] + expected.size()), expected);

  EXPECT_EQ(cache.Lookup(0, longer, 7).size(), 1u) << "the limit cuts the run to whole blocks";
  std::vector<uint32_t> differs_in_second = a;
  differs_in_second[5] = 1;
  EXPECT_EQ(cache.Lookup(0, differs_in_second, 10).size(), 1u);
  std::vector<uint32_t> differs_in_first = a;
  differs_in_first[0] = 1;
  EXPECT_TRUE(cache.Lookup(0, differs_in_first, 10).empty())
      << "the second block's tokens alone do not name it: what came before does too";
  EXPECT_EQ(cache.Stats().lookups, 4u);
  EXPECT_EQ(cache.Stats().hits, 3u);
}

TEST(PrefixCacheTest, StaysWithinItsBudgetEvictingLeastRecentlyUsedLeaves) {
  PrefixCache cache = Cache(3);
  const std::vector<uint32_t> a = Tokens(100, 8), b = Tokens(200, 4), c = Tokens(300, 4);
  cache.Insert(0, a, CopyOf(a));  // blocks a0 <- a1
  cache.Insert(0, b, CopyOf(b));  // b0: full
  EXPECT_EQ(cache.Stats().bytes, 3 * cache.block_bytes());
  EXPECT_EQ(cache.Lookup(0, a, 8).size(), 2u);  // a is now the most recent
  cache.Insert(0, c, CopyOf(c));                // evicts b0, the least recently used
  EXPECT_TRUE(cache.Lookup(0, b, 4).empty());
  EXPECT_EQ(cache.Lookup(0, a, 8).size(), 2u);
  EXPECT_EQ(cache.Lookup(0, c, 4).size(), 1u);
  EXPECT_EQ(cache.Stats().evicted_blocks, 1u);
  EXPECT_LE(cache.Stats().bytes, cache.Stats().capacity_bytes);

  // c is newest; a's chain goes leaf first: a1, and a0 is still found.
  const std::vector<uint32_t> d = Tokens(400, 4);
  cache.Insert(0, d, CopyOf(d));
  EXPECT_EQ(cache.Lookup(0, a, 8).size(), 1u);
  EXPECT_EQ(cache.Stats().blocks, 3u);
}

TEST(PrefixCacheTest, ABudgetBelowOneBlockCachesNothing) {
  PrefixCache cache(kPositionBytes, {4, 4 * kPositionBytes - 1});
  const std::vector<uint32_t> a = Tokens(1, 8);
  cache.Insert(0, a, CopyOf(a));
  EXPECT_EQ(cache.Stats().blocks, 0u);
  EXPECT_TRUE(cache.Lookup(0, a, 8).empty());
}

}  // namespace
}  // namespace docent::engine
