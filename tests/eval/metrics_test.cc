#include "docent/eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace docent::eval {
namespace {

// Hand-computed: relevant b (rank 2) and d (not retrieved).
// DCG = 1/log2(3); IDCG = 1 + 1/log2(3); nDCG = 0.6309298 / 1.6309298.
TEST(MetricsTest, MatchesHandComputedValues) {
  std::vector<std::string> ranked = {"a", "b", "c"};
  Judgements rel = {{"b", 1}, {"d", 1}, {"x", 0}};
  EXPECT_NEAR(NdcgAtK(ranked, rel, 10), 0.6309298 / 1.6309298, 1e-6);
  EXPECT_DOUBLE_EQ(RecallAtK(ranked, rel, 10), 0.5);
  EXPECT_DOUBLE_EQ(RecallAtK(ranked, rel, 1), 0.0);
  EXPECT_DOUBLE_EQ(MrrAtK(ranked, rel, 10), 0.5);
  EXPECT_DOUBLE_EQ(MrrAtK(ranked, rel, 1), 0.0);
}

TEST(MetricsTest, PerfectRankingScoresOne) {
  std::vector<std::string> ranked = {"d", "b", "z"};
  Judgements rel = {{"b", 1}, {"d", 2}};
  EXPECT_DOUBLE_EQ(NdcgAtK(ranked, rel, 10), 1.0);
  EXPECT_DOUBLE_EQ(MrrAtK(ranked, rel, 10), 1.0);
  EXPECT_DOUBLE_EQ(RecallAtK(ranked, rel, 2), 1.0);
}

TEST(MetricsTest, GradedGainsAreLinear) {
  // rel 2 at rank 2, rel 1 at rank 1: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3).
  std::vector<std::string> ranked = {"b", "d"};
  Judgements rel = {{"b", 1}, {"d", 2}};
  double l3 = std::log2(3.0);
  EXPECT_NEAR(NdcgAtK(ranked, rel, 10), (1 + 2 / l3) / (2 + 1 / l3), 1e-12);
}

TEST(MetricsTest, PercentileByNearestRank) {
  std::vector<double> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 5);
  EXPECT_DOUBLE_EQ(Percentile(v, 99), 10);
  EXPECT_DOUBLE_EQ(Percentile(v, 10), 1);
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0);
}

}  // namespace
}  // namespace docent::eval
