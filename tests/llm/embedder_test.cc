// The Embedder on synthetic tiny-bert models (docent synth-model's shapes with BGE's real
// WordPiece vocabulary): framing, normalisation, truncation, thread-count independence,
// reranking and the errors of using one kind of model as the other. Agreement with llama.cpp
// is embedder_oracle_test.cc's.
#include "docent/llm/embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "docent/llm/model_synth.h"
#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

class EmbedderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    embedder_path_ = new std::filesystem::path(testing::WriteSynthShape(dir_->path(), "tiny-bert"));
    reranker_path_ = new std::filesystem::path(
        testing::WriteSynthShape(dir_->path(), "tiny-bert-reranker", "q8_0"));
  }
  static void TearDownTestSuite() {
    delete embedder_path_;
    delete reranker_path_;
    delete dir_;
  }
  static std::unique_ptr<Embedder> Load(const std::filesystem::path& path, int threads = 1) {
    auto e = Embedder::Load(path, threads);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  static testing::TempDir* dir_;
  static std::filesystem::path* embedder_path_;
  static std::filesystem::path* reranker_path_;
};
testing::TempDir* EmbedderTest::dir_ = nullptr;
std::filesystem::path* EmbedderTest::embedder_path_ = nullptr;
std::filesystem::path* EmbedderTest::reranker_path_ = nullptr;

TEST_F(EmbedderTest, FramesAsBertWasTrained) {
  auto e = Load(*embedder_path_);
  ASSERT_NE(e, nullptr);
  const Tokenizer& tok = e->encoder().tokenizer();
  const int32_t cls = tok.TokenId("[CLS]"), sep = tok.TokenId("[SEP]");
  ASSERT_GE(cls, 0);
  ASSERT_GE(sep, 0);
  const std::vector<int32_t> words = tok.Encode("annual leave", false, false);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(e->Frame("annual leave"), (std::vector<int32_t>{cls, words[0], words[1], sep}));
  // llama.cpp's pair for WordPiece: [CLS] query [SEP] document (no EOS of its own).
  const std::vector<int32_t> doc = tok.Encode("days", false, false);
  std::vector<int32_t> pair = {cls, words[0], words[1], sep};
  pair.insert(pair.end(), doc.begin(), doc.end());
  EXPECT_EQ(e->FramePair("annual leave", "days"), pair);
}

TEST_F(EmbedderTest, EmbeddingsAreTheNormalisedPoolingAndIndependentOfThreads) {
  auto one = Load(*embedder_path_, 1);
  auto three = Load(*embedder_path_, 3);
  ASSERT_NE(one, nullptr);
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(one->dimensions(), 128u);
  const std::string text = "Employees receive 15 days of paid annual leave per year.";
  auto a = one->Embed(text);
  auto b = three->Embed(text);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->vector, b->vector) << "the thread count changed the result";
  EXPECT_EQ(a->tokens, one->Frame(text).size());
  EXPECT_FALSE(a->truncated);
  // The file's mean pooling, divided by its length.
  auto pooled = one->encoder().Pool(one->Frame(text), Pooling::kMean);
  ASSERT_TRUE(pooled.ok());
  double norm = 0;
  for (float v : *pooled) norm += static_cast<double>(v) * v;
  norm = std::sqrt(norm);
  ASSERT_EQ(pooled->size(), a->vector.size());
  double length = 0;
  for (size_t i = 0; i < pooled->size(); ++i) {
    EXPECT_NEAR(a->vector[i], (*pooled)[i] / norm, 1e-6) << i;
    length += static_cast<double>(a->vector[i]) * a->vector[i];
  }
  EXPECT_NEAR(length, 1.0, 1e-5);
  // Different texts, different vectors.
  auto c = one->Embed("The laptop password policy");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->vector, c->vector);
}

TEST_F(EmbedderTest, LongTextsAreCutOrRefused) {
  auto e = Load(*embedder_path_);
  ASSERT_NE(e, nullptr);
  std::string text;
  for (int i = 0; i < 600; ++i) text += "leave ";
  const std::vector<int32_t> ids = e->Frame(text);
  ASSERT_EQ(ids.size(), 512u);  // tiny-bert's positions
  EXPECT_EQ(ids.back(), e->encoder().tokenizer().TokenId("[SEP]"));
  auto cut = e->Embed(text, Overflow::kTruncate);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(cut->tokens, 512u);
  auto refused = e->Embed(text, Overflow::kReject);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("602 tokens, more than the model's 512"));
  // A pair keeps its query whole and cuts the document.
  size_t full = 0;
  const std::vector<int32_t> pair = e->FramePair("annual leave", text, &full);
  EXPECT_EQ(pair.size(), 512u);
  EXPECT_EQ(full, 2u + 600u + 2u);
}

TEST_F(EmbedderTest, RerankerScoresPairsAndEmbedsNothing) {
  auto r = Load(*reranker_path_, 2);
  auto e = Load(*embedder_path_);
  ASSERT_NE(r, nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(r->is_reranker());
  EXPECT_FALSE(e->is_reranker());
  auto s = r->Rerank("annual leave", "Employees receive 15 days of annual leave.");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto logits = r->encoder().Pool(
      r->FramePair("annual leave", "Employees receive 15 days of annual leave."), Pooling::kRank);
  ASSERT_TRUE(logits.ok());
  EXPECT_EQ(s->logit, (*logits)[0]);
  EXPECT_FLOAT_EQ(s->relevance, 1.0f / (1.0f + std::exp(-s->logit)));
  auto other = r->Rerank("annual leave", "The laptop password policy.");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(s->logit, other->logit);

  auto embed = r->Embed("annual leave");
  ASSERT_FALSE(embed.ok());
  EXPECT_EQ(embed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(embed.status().message(), HasSubstr("is a reranker"));
  auto rank = e->Rerank("q", "d");
  ASSERT_FALSE(rank.ok());
  EXPECT_EQ(rank.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(rank.status().message(), HasSubstr("not a reranker"));
}

TEST_F(EmbedderTest, AModelWithoutPoolingIsRefusedAtLoad) {
  auto shape = FindSynthShape("tiny-bert");
  ASSERT_TRUE(shape.ok());
  SynthModelSpec spec = shape->spec;
  spec.encoder->pooling = Pooling::kNone;
  auto vocab = LoadSynthVocabulary(testing::SharedDir() / shape->default_vocab);
  ASSERT_TRUE(vocab.ok());
  const auto path = dir_->path() / "no-pooling.gguf";
  ASSERT_TRUE(WriteSynthModel(spec, *vocab, path).ok());
  auto e = Embedder::Load(path, 1);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(e.status().message(), HasSubstr("pooling_type is none"));
}

TEST(EmbeddingPrefixesTest, FollowTheModelCards) {
  EXPECT_EQ(PrefixesForModel("multilingual-e5-small").query, "query: ");
  EXPECT_EQ(PrefixesForModel("Multilingual-E5-Base").passage, "passage: ");
  EXPECT_THAT(PrefixesForModel("multilingual-e5-large-instruct").query,
              ::testing::StartsWith("Instruct: "));
  EXPECT_EQ(PrefixesForModel("multilingual-e5-large-instruct").passage, "");
  EXPECT_EQ(PrefixesForModel("bge-small-en-v1.5").query,
            "Represent this sentence for searching relevant passages: ");
  EXPECT_EQ(PrefixesForModel("bge-small-en-v1.5").passage, "");
  EXPECT_EQ(PrefixesForModel("bge-m3").query, "");
  EXPECT_EQ(PrefixesForModel("bge-reranker-v2-m3").query, "");
}

}  // namespace
}  // namespace docent::llm
