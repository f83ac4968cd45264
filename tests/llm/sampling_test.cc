// The sampler chain against hand-computed cases (which tokens survive top-k / top-p / min-p on a
// 5-token distribution, the penalty arithmetic), against a straightforward full-sort reference
// on a real-sized vocabulary, and statistically (100k seeded draws follow the softmax). The RNG
// and one seeded token sequence are pinned to values computed independently in Python, so a
// change that breaks cross-machine reproducibility fails here.
#include "docent/llm/sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <vector>

#include "docent/llm/sampler.h"
#include "docent/llm/sampling_rng.h"

namespace docent::llm {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Sampler Make(const SamplingParams& params) {
  auto sampler = Sampler::Create(params);
  EXPECT_TRUE(sampler.ok()) << sampler.status().ToString();
  return std::move(sampler).value();
}

// The span Distribution returns lives in its Sampler, so one-shot checks copy it out.
std::vector<TokenProbability> MakeAndDistribute(const SamplingParams& params,
                                                std::span<const float> logits) {
  Sampler sampler = Make(params);
  const auto dist = sampler.Distribution(logits);
  return {dist.begin(), dist.end()};
}

SamplingParams Temperature(float t) {
  SamplingParams p;
  p.temperature = t;
  return p;
}

// id -> probability, for comparing distributions without depending on their order.
std::map<uint32_t, float> AsMap(std::span<const TokenProbability> dist) {
  std::map<uint32_t, float> out;
  for (const auto& tp : dist) out[tp.id] = tp.probability;
  return out;
}

std::vector<uint32_t> Ids(std::span<const TokenProbability> dist) {
  std::vector<uint32_t> out;
  for (const auto& tp : dist) out.push_back(tp.id);
  return out;
}

// Probabilities by token id: 0.15, 0.5, 0.05, 0.2, 0.1. Sorted: 1 (0.5), 3 (0.2), 0 (0.15),
// 4 (0.1), 2 (0.05). Logits are their logs, so softmax at temperature 1 gives them back.
std::vector<float> FiveTokenLogits() {
  return {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.2f), std::log(0.1f)};
}

TEST(SamplingRngTest, MatchesReferenceOutputs) {
  // Computed with a Python transcription of the published reference code.
  SplitMix64 mix(0);
  EXPECT_EQ(mix.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(mix.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(mix.Next(), 0x06c45d188009454fULL);
  Xoshiro256StarStar rng(42);
  EXPECT_EQ(rng.Next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(rng.Next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(rng.Next(), 0xae17533239e499a1ULL);
}

TEST(SamplingRngTest, DoublesAreInUnitInterval) {
  Xoshiro256StarStar rng(7);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.NextDouble();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
}

TEST(SamplingParamsTest, DefaultsAreValidAndGreedy) {
  EXPECT_TRUE(ValidateSamplingParams({}).ok());
  EXPECT_EQ(SamplingParams{}.temperature, 0.0f);
}

TEST(SamplingParamsTest, RejectsBadValuesWithClearMessages) {
  struct Case {
    void (*mutate)(SamplingParams&);
    const char* message;
  };
  const Case cases[] = {
      {[](SamplingParams& p) { p.temperature = -1; }, "temperature must be ≥ 0, got -1"},
      {[](SamplingParams& p) { p.temperature = kNaN; },
       "temperature must be a finite number, got nan"},
      {[](SamplingParams& p) { p.temperature = kInf; },
       "temperature must be a finite number, got inf"},
      {[](SamplingParams& p) { p.top_k = -3; }, "top_k must be ≥ 0 (0 = off), got -3"},
      {[](SamplingParams& p) { p.top_p = 1.5f; }, "top_p must be in [0, 1], got 1.5"},
      {[](SamplingParams& p) { p.top_p = kNaN; }, "top_p must be in [0, 1], got nan"},
      {[](SamplingParams& p) { p.min_p = -0.25f; }, "min_p must be in [0, 1], got -0.25"},
      {[](SamplingParams& p) { p.repeat_penalty = 0; },
       "repeat_penalty must be > 0 (1 = off), got 0"},
      {[](SamplingParams& p) { p.presence_penalty = -kInf; },
       "presence_penalty must be a finite number, got -inf"},
      {[](SamplingParams& p) { p.frequency_penalty = kNaN; },
       "frequency_penalty must be a finite number, got nan"},
      {[](SamplingParams& p) { p.penalty_last_n = -1; },
       "penalty_last_n must be ≥ 0 (0 = off; llama.cpp's -1, the whole context, is not "
       "supported: pass the context length), got -1"},
  };
  for (const Case& c : cases) {
    SamplingParams p;
    c.mutate(p);
    const Status st = ValidateSamplingParams(p);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(st.message(), c.message);
    auto sampler = Sampler::Create(p);
    ASSERT_FALSE(sampler.ok());
    EXPECT_EQ(sampler.status().message(), c.message);
  }
}

TEST(SamplingParamsTest, AcceptsBoundaryValues) {
  SamplingParams p;
  p.temperature = 2;
  p.top_p = 0;
  p.min_p = 1;
  p.repeat_penalty = 0.5f;  // < 1 encourages repetition; allowed, as in llama.cpp
  p.presence_penalty = -2;
  p.frequency_penalty = 2;
  p.penalty_last_n = 0;
  EXPECT_TRUE(ValidateSamplingParams(p).ok());
}

TEST(SamplingTest, TemperatureZeroIsExactlyArgMax) {
  Sampler sampler = Make({});
  const std::vector<float> logits = {0.5f, 3.0f, -1.0f, 3.0f, 2.9f};
  EXPECT_EQ(sampler.Sample(logits), ArgMax(logits));
  EXPECT_EQ(sampler.Sample(logits), 1u);  // lower id wins the tie
  // Filters never change the greedy choice: the maximum survives all of them.
  SamplingParams p;
  p.top_k = 1;
  p.top_p = 0.1f;
  p.min_p = 0.9f;
  Sampler filtered = Make(p);
  EXPECT_EQ(filtered.Sample(logits), 1u);
  const auto dist = filtered.Distribution(logits);
  ASSERT_EQ(dist.size(), 1u);
  EXPECT_EQ(dist[0].id, 1u);
  EXPECT_EQ(dist[0].probability, 1.0f);
}

TEST(SamplingTest, NoFilterKeepsTheWholeSoftmaxInIdOrder) {
  Sampler sampler = Make(Temperature(1));
  const auto dist = sampler.Distribution(FiveTokenLogits());
  EXPECT_EQ(Ids(dist), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  const float expected[] = {0.15f, 0.5f, 0.05f, 0.2f, 0.1f};
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(dist[i].probability, expected[i], 1e-6);
}

TEST(SamplingTest, TopPKeepsSmallestPrefixReachingP) {
  // Cumulative in sorted order: 0.5, 0.7, 0.85, 0.95, 1.0. p = 0.9 first reached at token 4.
  SamplingParams p = Temperature(1);
  p.top_p = 0.9f;
  Sampler sampler = Make(p);
  const auto dist = sampler.Distribution(FiveTokenLogits());
  EXPECT_EQ(Ids(dist), (std::vector<uint32_t>{1, 3, 0, 4}));
  EXPECT_NEAR(dist[0].probability, 0.5 / 0.95, 1e-6);
  EXPECT_NEAR(dist[1].probability, 0.2 / 0.95, 1e-6);
  EXPECT_NEAR(dist[2].probability, 0.15 / 0.95, 1e-6);
  EXPECT_NEAR(dist[3].probability, 0.1 / 0.95, 1e-6);

  p.top_p = 0.6f;  // 0.5 < 0.6 <= 0.7
  EXPECT_EQ(Ids(MakeAndDistribute(p, FiveTokenLogits())), (std::vector<uint32_t>{1, 3}));
  p.top_p = 0.0f;  // at least one token
  EXPECT_EQ(Ids(MakeAndDistribute(p, FiveTokenLogits())), (std::vector<uint32_t>{1}));
}

TEST(SamplingTest, MinPKeepsTokensAboveFractionOfMax) {
  // min_p 0.25: threshold 0.25 * 0.5 = 0.125, so 0.5, 0.2, 0.15 stay; 0.1 and 0.05 go. No sort
  // ran, so the survivors stay in id order.
  SamplingParams p = Temperature(1);
  p.min_p = 0.25f;
  Sampler sampler = Make(p);
  const auto dist = sampler.Distribution(FiveTokenLogits());
  EXPECT_EQ(Ids(dist), (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_NEAR(dist[0].probability, 0.15 / 0.85, 1e-6);
  EXPECT_NEAR(dist[1].probability, 0.5 / 0.85, 1e-6);
  EXPECT_NEAR(dist[2].probability, 0.2 / 0.85, 1e-6);
  p.min_p = 1.0f;  // only the maximum
  EXPECT_EQ(Ids(MakeAndDistribute(p, FiveTokenLogits())), (std::vector<uint32_t>{1}));
}

TEST(SamplingTest, TopKKeepsKLargest) {
  SamplingParams p = Temperature(1);
  p.top_k = 2;
  Sampler sampler = Make(p);
  const auto dist = sampler.Distribution(FiveTokenLogits());
  EXPECT_EQ(Ids(dist), (std::vector<uint32_t>{1, 3}));
  EXPECT_NEAR(dist[0].probability, 0.5 / 0.7, 1e-6);
  EXPECT_NEAR(dist[1].probability, 0.2 / 0.7, 1e-6);
  p.top_k = 10;  // more than the vocabulary: off, everything stays (in id order)
  EXPECT_EQ(MakeAndDistribute(p, FiveTokenLogits()).size(), 5u);
}

TEST(SamplingTest, TopPRenormalisesAfterTopK) {
  // After top-k 3 the mass is 0.85: renormalised cumulative 0.588, 0.824, 1. p = 0.8 stops at
  // the second token; on the raw probabilities (0.5, 0.7, 0.85) it would keep three.
  SamplingParams p = Temperature(1);
  p.top_k = 3;
  p.top_p = 0.8f;
  EXPECT_EQ(Ids(MakeAndDistribute(p, FiveTokenLogits())), (std::vector<uint32_t>{1, 3}));
}

TEST(SamplingTest, TemperatureAppliesAfterTheFilters) {
  // top-k 2 at temperature 2: weights sqrt(0.5), sqrt(0.2), so 0.6126 and 0.3874. min-p judges
  // the untempered probabilities: min_p 0.45 drops token 3 (0.2 / 0.5 = 0.4 < 0.45), although
  // its tempered ratio, sqrt(0.4) = 0.63, would pass.
  SamplingParams p = Temperature(2);
  p.top_k = 2;
  Sampler sampler = Make(p);
  const auto dist = sampler.Distribution(FiveTokenLogits());
  ASSERT_EQ(Ids(dist), (std::vector<uint32_t>{1, 3}));
  const double a = std::sqrt(0.5), b = std::sqrt(0.2);
  EXPECT_NEAR(dist[0].probability, a / (a + b), 1e-6);
  EXPECT_NEAR(dist[1].probability, b / (a + b), 1e-6);
  p.min_p = 0.45f;
  EXPECT_EQ(Ids(MakeAndDistribute(p, FiveTokenLogits())), (std::vector<uint32_t>{1}));
}

TEST(SamplingTest, TiesBreakTowardsLowerIds) {
  SamplingParams p = Temperature(1);
  p.top_k = 2;
  const std::vector<float> logits = {1.0f, 3.0f, 3.0f, 0.0f, 3.0f};
  EXPECT_EQ(Ids(MakeAndDistribute(p, logits)), (std::vector<uint32_t>{1, 2}));
  p.top_k = 1;
  Sampler one = Make(p);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(one.Sample(logits), 1u);
}

TEST(SamplingTest, NaNIsNeverChosenAndInfinitiesAreDeterministic) {
  Sampler sampler = Make(Temperature(1));
  const std::vector<float> with_nan = {kNaN, 1.0f, kNaN, 2.0f};
  for (int i = 0; i < 200; ++i) {
    const uint32_t t = sampler.Sample(with_nan);
    EXPECT_TRUE(t == 1 || t == 3) << t;
  }
  EXPECT_EQ(AsMap(sampler.Distribution(with_nan)).count(0), 1u);  // present with probability 0
  EXPECT_EQ(AsMap(sampler.Distribution(with_nan))[0], 0.0f);
  const std::vector<float> all_nan = {kNaN, kNaN};
  EXPECT_EQ(sampler.Sample(all_nan), 0u);
  const std::vector<float> with_inf = {1.0f, kInf, 0.0f, kInf};
  EXPECT_EQ(sampler.Sample(with_inf), 1u);
  const std::vector<float> all_neg_inf = {-kInf, -kInf, -kInf};
  EXPECT_EQ(sampler.Sample(all_neg_inf), 0u);
}

TEST(SamplingPenaltyTest, ArithmeticMatchesHandComputation) {
  // History 0, 1, 0, 2: counts 2, 1, 1, 0. repeat 2, frequency 0.25, presence 0.5:
  //   token 0:  2.0 / 2 - (2 * 0.25 + 0.5) =  0.0
  //   token 1: -1.0 * 2 - (1 * 0.25 + 0.5) = -2.75  (negative logits are multiplied)
  //   token 2:  0.5 / 2 - (1 * 0.25 + 0.5) = -0.5
  //   token 3:  3.0 (not in the window)
  SamplingParams p = Temperature(1);
  p.repeat_penalty = 2;
  p.frequency_penalty = 0.25f;
  p.presence_penalty = 0.5f;
  Sampler sampler = Make(p);
  for (uint32_t t : {0u, 1u, 0u, 2u}) sampler.Accept(t);
  const std::vector<float> logits = {2.0f, -1.0f, 0.5f, 3.0f};
  const double penalized[] = {0.0, -2.75, -0.5, 3.0};
  double total = 0;
  for (double v : penalized) total += std::exp(v);
  const auto dist = sampler.Distribution(logits);
  ASSERT_EQ(dist.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(dist[i].id, i);
    EXPECT_NEAR(dist[i].probability, std::exp(penalized[i]) / total, 1e-6) << i;
  }
}

TEST(SamplingPenaltyTest, GreedyRespectsPenalties) {
  SamplingParams p;
  p.repeat_penalty = 1.1f;
  Sampler sampler = Make(p);
  const std::vector<float> logits = {5.0f, 4.9f};
  EXPECT_EQ(sampler.Sample(logits), 0u);
  sampler.Accept(0);  // 5.0 / 1.1 = 4.545 < 4.9
  EXPECT_EQ(sampler.Sample(logits), 1u);
  sampler.Reset();
  EXPECT_EQ(sampler.Sample(logits), 0u);
}

TEST(SamplingPenaltyTest, OnlyTheLastNTokensCount) {
  SamplingParams p;
  p.presence_penalty = 1.0f;
  p.penalty_last_n = 2;
  Sampler sampler = Make(p);
  const std::vector<float> logits = {2.0f, 2.0f, 0.0f};
  sampler.Accept(0);  // window {0}: token 0 drops to 1.0
  EXPECT_EQ(sampler.Sample(logits), 1u);
  sampler.Accept(1);
  sampler.Accept(1);  // window {1, 1}: token 0 is out again
  EXPECT_EQ(sampler.Sample(logits), 0u);
  sampler.Accept(99);  // outside the vocabulary: counted in the window, ignored when applied
  EXPECT_EQ(sampler.Sample(logits), 0u);

  p.penalty_last_n = 0;  // off
  Sampler off = Make(p);
  off.Accept(0);
  EXPECT_EQ(off.Sample(logits), 0u);
}

TEST(SamplingPenaltyTest, FrequencyScalesWithCount) {
  SamplingParams p;
  p.frequency_penalty = 0.4f;
  Sampler sampler = Make(p);
  const std::vector<float> logits = {1.0f, 0.0f};
  sampler.Accept(0);
  sampler.Accept(0);  // 1.0 - 2 * 0.4 = 0.2 > 0
  EXPECT_EQ(sampler.Sample(logits), 0u);
  sampler.Accept(0);  // 1.0 - 3 * 0.4 = -0.2 < 0
  EXPECT_EQ(sampler.Sample(logits), 1u);
}

TEST(SamplingTest, SeededSequenceIsPinned) {
  // Computed independently (Python: the same xoshiro256** stream, u = (x >> 11) * 2^-53, the
  // draw walking the softmax at temperature 0.8 in id order); the closest draw is 1e-3 from a
  // boundary, so last-bit differences in exp cannot move it.
  Sampler sampler = Make([] {
    SamplingParams p = Temperature(0.8f);
    p.seed = 42;
    return p;
  }());
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 1.5f};
  std::vector<uint32_t> got;
  for (int i = 0; i < 20; ++i) got.push_back(sampler.Sample(logits));
  EXPECT_EQ(got,
            (std::vector<uint32_t>{0, 1, 2, 4, 4, 4, 2, 4, 4, 1, 2, 1, 4, 1, 2, 4, 1, 4, 2, 2}));
}

TEST(SamplingTest, SameSeedSameSequenceDifferentSeedDifferentSequence) {
  SamplingParams p = Temperature(1);
  p.top_k = 50;
  p.top_p = 0.95f;
  p.seed = 7;
  std::vector<float> logits(1000);
  Xoshiro256StarStar gen(1);
  for (float& l : logits) l = static_cast<float>(gen.NextDouble() * 6);
  auto run = [&](uint64_t seed) {
    SamplingParams q = p;
    q.seed = seed;
    Sampler s = Make(q);
    std::vector<uint32_t> out;
    for (int i = 0; i < 500; ++i) {
      out.push_back(s.Sample(logits));
      s.Accept(out.back());
    }
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));

  Sampler s = Make(p);
  std::vector<uint32_t> first, again;
  for (int i = 0; i < 50; ++i) first.push_back(s.Sample(logits));
  s.Reset();
  for (int i = 0; i < 50; ++i) again.push_back(s.Sample(logits));
  EXPECT_EQ(first, again);
}

// Empirical frequencies over `draws` against the probabilities in `expected`, each within five
// standard errors (seeded, so not flaky; five sigma so a correct sampler never sits at the edge).
void ExpectFrequencies(Sampler& sampler, std::span<const float> logits,
                       const std::map<uint32_t, double>& expected, int draws) {
  std::map<uint32_t, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[sampler.Sample(logits)];
  for (const auto& [id, count] : counts) {
    EXPECT_TRUE(expected.count(id)) << "token " << id << " drawn " << count << " times";
  }
  for (const auto& [id, prob] : expected) {
    const double freq = static_cast<double>(counts[id]) / draws;
    const double sigma = std::sqrt(prob * (1 - prob) / draws);
    EXPECT_NEAR(freq, prob, 5 * sigma + 1e-12) << "token " << id;
  }
}

TEST(SamplingStatisticsTest, FrequenciesFollowTheSoftmax) {
  const std::vector<float> logits = {1.0f, 2.0f, 0.5f, -1.0f, 1.5f};
  const double t = 0.8;
  std::map<uint32_t, double> expected;
  double total = 0;
  for (float l : logits) total += std::exp(l / t);
  for (uint32_t i = 0; i < logits.size(); ++i) expected[i] = std::exp(logits[i] / t) / total;
  SamplingParams p = Temperature(0.8f);
  p.seed = 2024;
  Sampler sampler = Make(p);
  ExpectFrequencies(sampler, logits, expected, 100000);
}

TEST(SamplingStatisticsTest, FrequenciesFollowTheFilteredDistribution) {
  SamplingParams p = Temperature(1.3f);
  p.top_k = 4;
  p.top_p = 0.9f;
  p.seed = 99;
  Sampler sampler = Make(p);
  const std::vector<float> logits = FiveTokenLogits();
  // Hand-derived: top-k 4 drops token 2; renormalised over 0.95, the cumulative is 0.526,
  // 0.737, 0.895, 1.0, so p = 0.9 keeps all four; temperature 1.3 reweights them as p^(1/1.3).
  std::map<uint32_t, double> expected;
  double total = 0;
  for (uint32_t id : {0u, 1u, 3u, 4u}) total += std::exp(FiveTokenLogits()[id] / 1.3);
  for (uint32_t id : {0u, 1u, 3u, 4u}) expected[id] = std::exp(FiveTokenLogits()[id] / 1.3) / total;
  const auto dist = AsMap(sampler.Distribution(logits));
  ASSERT_EQ(dist.size(), 4u);
  for (const auto& [id, prob] : expected) EXPECT_NEAR(dist.at(id), prob, 1e-6) << id;
  ExpectFrequencies(sampler, logits, expected, 100000);
}

// A full-vocabulary reference: a complete sort, then the chain's filters written the obvious
// way. Returns the surviving ids, sorted by id.
std::vector<uint32_t> ReferenceSurvivors(std::span<const float> logits, const SamplingParams& p) {
  struct C {
    float logit;
    uint32_t id;
  };
  std::vector<C> all;
  for (uint32_t i = 0; i < logits.size(); ++i) all.push_back({logits[i], i});
  auto better = [](const C& a, const C& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  const float max_logit = std::max_element(all.begin(), all.end(), [&](auto& a, auto& b) {
                            return better(b, a);
                          })->logit;
  bool top_k_ran = false;
  std::sort(all.begin(), all.end(), better);
  if (p.top_k > 0 && static_cast<size_t>(p.top_k) < all.size()) {
    all.resize(static_cast<size_t>(p.top_k));
    top_k_ran = true;
  }
  if (p.top_p < 1) {
    // The total in the order the sampler sums it (id order unless top-k sorted), so both sides
    // round identically at the cut.
    double total = 0;
    if (top_k_ran) {
      for (const C& c : all) total += std::exp(c.logit - max_logit);
    } else {
      for (float l : logits) total += std::exp(l - max_logit);
    }
    double cumulative = 0;
    size_t keep = all.size();
    for (size_t i = 0; i < all.size(); ++i) {
      cumulative += std::exp(all[i].logit - max_logit) / total;
      if (cumulative >= p.top_p) {
        keep = i + 1;
        break;
      }
    }
    all.resize(keep);
  }
  if (p.min_p > 0) {
    const float min_logit = max_logit + std::log(p.min_p);
    std::erase_if(all, [&](const C& c) { return c.logit < min_logit; });
  }
  std::vector<uint32_t> ids;
  for (const C& c : all) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Logits shaped like a model's: a broad noise floor, a few dozen plausible tokens, one or two
// strong ones, and deliberate exact ties.
std::vector<float> VocabularyLogits(size_t n, uint64_t seed, float peak) {
  Xoshiro256StarStar gen(seed);
  std::vector<float> logits(n);
  for (float& l : logits) l = static_cast<float>(gen.NextDouble() * 4 - 2);
  for (int i = 0; i < 40; ++i)
    logits[gen.Next() % n] = static_cast<float>(4 + gen.NextDouble() * 4);
  logits[gen.Next() % n] = peak;
  logits[123] = logits[4567] = 6.5f;
  return logits;
}

TEST(SamplingVocabularyTest, MatchesFullSortReferenceOn151936Tokens) {
  constexpr size_t kVocab = 151936;
  struct Case {
    int32_t top_k;
    float top_p;
    float min_p;
  };
  const Case cases[] = {{40, 1, 0},    {0, 0.95f, 0},      {0, 0.5f, 0},
                        {0, 0, 0.05f}, {100, 0.9f, 0.02f}, {0, 0.99f, 0.01f},
                        {1, 1, 0},     {0, 1, 0},          {static_cast<int32_t>(kVocab), 0.8f, 0}};
  for (uint64_t seed : {1u, 2u}) {
    for (float peak : {9.0f, 20.0f}) {
      const std::vector<float> logits = VocabularyLogits(kVocab, seed, peak);
      for (const Case& c : cases) {
        SamplingParams p = Temperature(0.7f);
        p.top_k = c.top_k;
        p.top_p = c.top_p;
        p.min_p = c.min_p;
        Sampler sampler = Make(p);
        std::vector<uint32_t> got = Ids(sampler.Distribution(logits));
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, ReferenceSurvivors(logits, p))
            << "seed " << seed << " peak " << peak << " top_k " << c.top_k << " top_p " << c.top_p
            << " min_p " << c.min_p;
        const uint32_t token = sampler.Sample(logits);
        EXPECT_TRUE(std::binary_search(got.begin(), got.end(), token)) << token;
      }
    }
  }
}

TEST(SamplingVocabularyTest, FlatDistributionTopPSortsMostOfTheVocabulary) {
  // Nearly uniform logits: top-p 0.95 needs ~95% of the vocabulary, exercising the growing
  // partial sort all the way to a full one.
  constexpr size_t kVocab = 151936;
  Xoshiro256StarStar gen(5);
  std::vector<float> logits(kVocab);
  for (float& l : logits) l = static_cast<float>(gen.NextDouble() * 0.1);
  SamplingParams p = Temperature(1);
  p.top_p = 0.95f;
  Sampler sampler = Make(p);
  std::vector<uint32_t> got = Ids(sampler.Distribution(logits));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, ReferenceSurvivors(logits, p));
  EXPECT_GT(got.size(), kVocab * 9 / 10);
}

TEST(SamplingVocabularyTest, TimingOn151936Tokens) {
  // Reported, not asserted (machines differ): the cost of one Sample on a full Qwen vocabulary.
  // The logits are shaped like a trained model's (a wide floor far below a few strong tokens),
  // where top-p needs a short sorted prefix; the flat case above is the worst case.
  constexpr size_t kVocab = 151936;
  Xoshiro256StarStar gen(11);
  std::vector<float> logits(kVocab);
  for (float& l : logits) l = static_cast<float>(gen.NextDouble() * 12 - 12);
  for (int i = 0; i < 30; ++i)
    logits[gen.Next() % kVocab] = static_cast<float>(8 + gen.NextDouble() * 8);
  struct Case {
    const char* name;
    int32_t top_k;
    float top_p;
    float min_p;
    float repeat_penalty;
  };
  const Case cases[] = {
      {"temperature only", 0, 1, 0, 1},
      {"top_k 40", 40, 1, 0, 1},
      {"top_p 0.95", 0, 0.95f, 0, 1},
      {"min_p 0.05", 0, 1, 0.05f, 1},
      {"top_k 40 + top_p 0.95 + min_p 0.05 + repeat 1.1", 40, 0.95f, 0.05f, 1.1f}};
  for (const Case& c : cases) {
    SamplingParams p = Temperature(0.8f);
    p.top_k = c.top_k;
    p.top_p = c.top_p;
    p.min_p = c.min_p;
    p.repeat_penalty = c.repeat_penalty;
    Sampler sampler = Make(p);
    constexpr int kCalls = 50;
    uint64_t sink = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCalls; ++i) {
      const uint32_t t = sampler.Sample(logits);
      sampler.Accept(t);
      sink += t;
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count() /
        kCalls;
    std::cout << "[ timing ] " << c.name << ": " << us << " us/sample (sink " << sink % 10 << ")\n";
  }
}

}  // namespace
}  // namespace docent::llm
