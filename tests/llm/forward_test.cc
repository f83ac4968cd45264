// The reference forward pass without an oracle: rotary layouts on hand-checked vectors, RMS
// norm and softmax, greedy argmax ties, and the determinism contract (a sequence's logits do
// not depend on other sequences, on rewinding, or on how it was reached), plus the errors
// for bad tokens and positions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "docent/llm/forward_ops.h"
#include "docent/llm/model.h"
#include "docent/llm/sampler.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Model> Stories(uint32_t n_seq = 1, KvStorage kv = KvStorage::kF16) {
  ModelOptions options;
  options.n_seq = n_seq;
  options.kv_storage = kv;
  auto m = Model::Load(testing::SharedDir() / "models/stories260K.gguf", options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) std::abort();
  return std::move(m).value();
}

TEST(ForwardOpsTest, RopeNormalRotatesAdjacentPairs) {
  // n_rot 4: pair 0 turns by pos, pair 1 by pos * base^(-1/2) = pos / 100 for base 1e4.
  std::vector<float> x = {1, 0, 1, 0, 7};
  ApplyRope({RopeType::kNormal, 4, 10000.0f, 1.0f, {}}, 2, x);
  EXPECT_NEAR(x[0], std::cos(2.0f), 1e-6);
  EXPECT_NEAR(x[1], std::sin(2.0f), 1e-6);
  EXPECT_NEAR(x[2], std::cos(0.02f), 1e-6);
  EXPECT_NEAR(x[3], std::sin(0.02f), 1e-6);
  EXPECT_EQ(x[4], 7.0f);  // past n_rot: untouched
}

TEST(ForwardOpsTest, RopeNeoxRotatesHalves) {
  std::vector<float> x = {1, 1, 0, 0};
  ApplyRope({RopeType::kNeox, 4, 10000.0f, 1.0f, {}}, 2, x);
  EXPECT_NEAR(x[0], std::cos(2.0f), 1e-6);
  EXPECT_NEAR(x[2], std::sin(2.0f), 1e-6);
  EXPECT_NEAR(x[1], std::cos(0.02f), 1e-6);
  EXPECT_NEAR(x[3], std::sin(0.02f), 1e-6);
}

TEST(ForwardOpsTest, RopeScalingAndFactorsSlowTheRotation) {
  std::vector<float> x = {1, 0, 1, 0};
  const float factors[] = {2.0f, 1.0f};
  ApplyRope({RopeType::kNormal, 4, 10000.0f, 0.5f, factors}, 4, x);
  EXPECT_NEAR(x[0], std::cos(4.0f * 0.5f / 2.0f), 1e-6);
  EXPECT_NEAR(x[2], std::cos(4.0f * 0.5f / 100.0f), 1e-6);
}

TEST(ForwardOpsTest, RopeAtPositionZeroIsIdentity) {
  std::vector<float> x = {0.3f, -1.5f, 2.0f, 4.0f};
  const std::vector<float> before = x;
  ApplyRope({RopeType::kNeox, 4, 500000.0f, 1.0f, {}}, 0, x);
  EXPECT_EQ(x, before);
}

// Chunk KV reuse moves stored keys to another position by turning them by the difference;
// rotations by angles add, so that equals rotating at the new position up to float rounding
// of the angles (|pos| * 2^-24 radians) and of the products. Both layouts, with frequency
// factors and scaling, forwards and backwards.
TEST(ForwardOpsTest, RotatingByADeltaMatchesRotatingAtTheNewPosition) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> factors(64);
  for (float& f : factors) f = 1.0f + std::abs(dist(rng));
  for (RopeType type : {RopeType::kNormal, RopeType::kNeox}) {
    for (bool scaled : {false, true}) {
      RopeParams rope{type, 128, 1000000.0f, scaled ? 0.25f : 1.0f, {}};
      if (scaled) rope.freq_factors = factors;
      for (uint32_t pos : {0u, 5u, 300u, 4000u}) {
        for (int64_t delta : {int64_t{1}, int64_t{7}, int64_t{-3}, int64_t{1000}}) {
          if (int64_t{pos} + delta < 0) continue;
          std::vector<float> x(128);
          for (float& v : x) v = dist(rng);
          std::vector<float> fresh = x;
          ApplyRope(rope, pos, x);
          RotateRopeBy(rope, delta, x);
          ApplyRope(rope, static_cast<uint32_t>(pos + delta), fresh);
          const double angle_error = (std::abs(double(pos)) + std::abs(double(delta))) * 6e-8;
          for (size_t i = 0; i < x.size(); ++i) {
            EXPECT_NEAR(x[i], fresh[i], 16.0 * (1e-6 + angle_error))
                << RopeTypeName(type) << " pos " << pos << " delta " << delta << " i " << i;
          }
        }
      }
    }
  }
}

// The precomputed turn is the same arithmetic as RotateRopeBy: bit-identical.
TEST(ForwardOpsTest, APrecomputedTurnIsExactlyRotateRopeBy) {
  std::mt19937 rng(9);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (RopeType type : {RopeType::kNormal, RopeType::kNeox}) {
    const RopeParams rope{type, 64, 10000.0f, 1.0f, {}};
    for (int64_t delta : {int64_t{-40}, int64_t{3}, int64_t{777}}) {
      const RopeTurn turn = MakeRopeTurn(rope, delta);
      for (int h = 0; h < 8; ++h) {
        std::vector<float> a(80);
        for (float& v : a) v = dist(rng);
        std::vector<float> b = a;
        RotateRopeBy(rope, delta, a);
        ApplyRopeTurn(turn, b);
        EXPECT_EQ(a, b) << RopeTypeName(type) << " " << delta;
      }
    }
  }
}

TEST(ForwardOpsTest, RmsNormAndSoftmax) {
  std::vector<float> x = {3, 4};
  const std::vector<float> w = {1, 2};
  RmsNorm(x, w, 0.0f, x);  // rms = sqrt(12.5)
  EXPECT_NEAR(x[0], 3 / std::sqrt(12.5f), 1e-6);
  EXPECT_NEAR(x[1], 8 / std::sqrt(12.5f), 1e-6);
  std::vector<float> s = {10.0f, 10.0f + std::log(3.0f)};  // shifted: only differences matter
  SoftmaxInPlace(s);
  EXPECT_NEAR(s[0], 0.25f, 1e-6);
  EXPECT_NEAR(s[1], 0.75f, 1e-6);
}

TEST(SamplerTest, ArgMaxTakesTheFirstOfEqualsAndSkipsNaN) {
  const float a[] = {1, 5, 5, 2};
  EXPECT_EQ(ArgMax(a), 1u);
  const float b[] = {std::nanf(""), -1, 3, std::nanf("")};
  EXPECT_EQ(ArgMax(b), 2u);
  const float inf = std::numeric_limits<float>::infinity();
  const float c[] = {std::nanf(""), -inf, -inf};  // the first real value, even -inf
  EXPECT_EQ(ArgMax(c), 1u);
  const float d[] = {std::nanf(""), std::nanf("")};  // nothing real: index 0
  EXPECT_EQ(ArgMax(d), 0u);
  std::vector<float> e(151936, -2.0f);  // a vocabulary's worth, best near the end
  e[151000] = 7.0f;
  e[151001] = 7.0f;
  EXPECT_EQ(ArgMax(e), 151000u);
}

TEST(ForwardTest, StoriesGreedyIsCoherentAndRepeatable) {
  auto model = Stories();
  const std::vector<uint32_t> prompt = {1, 403, 407, 261, 378};  // "Once upon a time"
  GreedyOptions options;
  options.max_new_tokens = 20;
  auto a = GreedyGenerate(*model, prompt, options);
  auto b = GreedyGenerate(*model, prompt, options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  // llama.cpp's continuation: ", there was a little girl named Lily. She loved to play outsid"
  EXPECT_EQ(*a, (std::vector<uint32_t>{432, 383, 286, 261, 376, 298, 315, 421, 395, 317,
                                       426, 338, 401, 396, 267, 337, 410, 408, 419, 292}));
}

TEST(ForwardTest, SequencesAreIndependentOfEachOther) {
  // The same tokens in sequence 1, interleaved with unrelated work in sequence 0, give
  // bit-identical logits to running them alone.
  auto alone = Stories(1);
  auto shared = Stories(2);
  const std::vector<uint32_t> tokens = {1, 300, 301, 302, 303, 304, 305};
  for (uint32_t pos = 0; pos < tokens.size(); ++pos) {
    auto want = alone->Forward(0, tokens[pos], pos);
    ASSERT_TRUE(shared->Forward(0, 400 - pos, pos).ok());
    auto got = shared->Forward(1, tokens[pos], pos);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(*want, *got) << "position " << pos;
  }
}

TEST(ForwardTest, RewindingRecomputesTheSameLogits) {
  auto model = Stories();
  const std::vector<uint32_t> tokens = {1, 403, 407, 261, 378};
  std::vector<float> last;
  for (uint32_t pos = 0; pos < tokens.size(); ++pos) last = *model->Forward(0, tokens[pos], pos);
  ASSERT_TRUE(model->Forward(0, 99, 3).ok());  // overwrite position 3 with another token
  EXPECT_EQ(model->SequenceLength(0), 4u);
  ASSERT_TRUE(model->Forward(0, tokens[3], 3).ok());
  auto again = model->Forward(0, tokens[4], 4);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, last);
}

TEST(ForwardTest, F32CacheStaysCloseToF16) {
  auto f16 = Stories(1, KvStorage::kF16);
  auto f32 = Stories(1, KvStorage::kF32);
  const std::vector<uint32_t> tokens = {1, 403, 407, 261, 378, 432, 383};
  float max_diff = 0.0f;
  for (uint32_t pos = 0; pos < tokens.size(); ++pos) {
    auto a = f16->Forward(0, tokens[pos], pos);
    auto b = f32->Forward(0, tokens[pos], pos);
    ASSERT_TRUE(a.ok() && b.ok());
    for (size_t i = 0; i < a->size(); ++i)
      max_diff = std::max(max_diff, std::abs((*a)[i] - (*b)[i]));
  }
  EXPECT_LT(max_diff, 0.05f);
}

TEST(ForwardTest, BadTokensAndPositionsAreErrors) {
  auto model = Stories();
  auto r = model->Forward(0, 512, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("outside the vocabulary"));
  r = model->Forward(0, 1, 5);  // skips positions 0..4
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("skips ahead"));
  r = model->Forward(1, 1, 0);  // only one sequence
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = model->Forward(0, 1, model->config().context_length);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  auto g = GreedyGenerate(*model, {}, {});
  EXPECT_FALSE(g.ok());
}

TEST(ForwardTest, ContextRunsOutCleanly) {
  auto model = Stories();
  GreedyOptions options;
  options.max_new_tokens = 100000;
  options.stop_at_eos = false;
  const std::vector<uint32_t> prompt = {1};
  auto g = GreedyGenerate(*model, prompt, options);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kResourceExhausted) << g.status().ToString();
}

TEST(ForwardTest, ReportsDecodeSpeed) {
  auto model = Stories();
  const uint32_t n = std::min<uint32_t>(model->max_positions(), 256);
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t pos = 0; pos < n; ++pos) ASSERT_TRUE(model->Forward(0, 1 + pos % 500, pos).ok());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ stories260K ] reference decode: " << n / s << " tokens/s over " << n
            << " positions (1 thread)\n";
}

}  // namespace
}  // namespace docent::llm
