// The encoder's loading errors and its pooling, on a synthetic BERT (tests/llm/synth_bert.h).
// Its numbers are held to llama.cpp's by encoder_oracle_test.cc; these are the contract.
#include "docent/llm/encoder.h"

#include <gtest/gtest.h>

#include "llm/synth_bert.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

TEST(EncoderTest, PoolingsReadTheirRowsOfTheLastLayer) {
  docent::testing::TempDir dir;
  auto e = Encoder::Load(synth::WriteBert(dir.path(), GgmlType::kF32, Pooling::kMean, 7));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const Encoder& enc = **e;
  EXPECT_EQ(enc.config().n_embd, synth::kEmbd);
  EXPECT_EQ(enc.config().pooling, Pooling::kMean);
  EXPECT_FALSE(enc.has_classifier());
  const std::vector<int32_t> ids = {2, 57, 58, 3};
  auto hidden = enc.Hidden(ids);
  ASSERT_TRUE(hidden.ok());
  ASSERT_EQ(hidden->size(), ids.size() * synth::kEmbd);
  const size_t E = synth::kEmbd;
  auto mean = enc.Pool(ids, Pooling::kMean);
  auto cls = enc.Pool(ids, Pooling::kCls);
  auto last = enc.Pool(ids, Pooling::kLast);
  ASSERT_TRUE(mean.ok() && cls.ok() && last.ok());
  for (size_t i = 0; i < E; ++i) {
    float sum = 0;
    for (size_t t = 0; t < ids.size(); ++t) sum += (*hidden)[t * E + i];
    EXPECT_NEAR((*mean)[i], sum / 4, 1e-6) << i;
    EXPECT_EQ((*cls)[i], (*hidden)[i]);
    EXPECT_EQ((*last)[i], (*hidden)[3 * E + i]);
  }
  // Attention is non-causal: the first token's output depends on the tokens after it.
  auto shorter = enc.Pool(std::vector<int32_t>{2, 57, 3}, Pooling::kCls);
  ASSERT_TRUE(shorter.ok());
  EXPECT_NE(*shorter, *cls);
  // Each layer ends in a layer norm with weights near 1: the outputs are not degenerate.
  double norm = 0;
  for (float v : *cls) norm += static_cast<double>(v) * v;
  EXPECT_GT(norm, 1.0);
}

TEST(EncoderTest, ARerankerScoresWithItsHead) {
  docent::testing::TempDir dir;
  auto e = Encoder::Load(
      synth::WriteBert(dir.path(), GgmlType::kF32, Pooling::kRank, 7, /*classifier=*/true));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE((*e)->has_classifier());
  auto logits = (*e)->Pool(std::vector<int32_t>{2, 57, 3, 3, 58, 3}, Pooling::kRank);
  ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  EXPECT_EQ(logits->size(), 1u);
  auto plain = Encoder::Load(synth::WriteBert(dir.path(), GgmlType::kF32, Pooling::kCls, 8));
  ASSERT_TRUE(plain.ok());
  auto refused = (*plain)->Pool(std::vector<int32_t>{2, 57, 3}, Pooling::kRank);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

TEST(EncoderTest, BadInputsAreRefused) {
  docent::testing::TempDir dir;
  auto e = Encoder::Load(synth::WriteBert(dir.path(), GgmlType::kF32, Pooling::kCls, 7));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->Hidden(std::vector<int32_t>{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*e)->Hidden(std::vector<int32_t>{2, 9999}).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<int32_t> long_input(synth::kContext + 1, 5);
  EXPECT_EQ((*e)->Hidden(long_input).status().code(), StatusCode::kInvalidArgument);
  // A decoder file is not an encoder.
  auto stories = Encoder::Load(docent::testing::SharedDir() / "models/stories260K.gguf");
  ASSERT_FALSE(stories.ok());
  EXPECT_EQ(stories.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace docent::llm
