// The Embedder on synthetic tiny-bert models (docent synth-model's shapes with BGE's real
// WordPiece vocabulary) and on the tiny Qwen3-Embedding / Qwen3-Reranker layouts: framing,
// normalisation, truncation, thread-count independence, reranking and the errors of using one kind
// of model as the other. Agreement with llama.cpp is embedder_oracle_test.cc's.
#include "docent/llm/embedder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "docent/llm/model_synth.h"
#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

// Two synthetic models written once per suite, `Shapes::kEmbed` (F16) and `Shapes::kRerank`
// (Q8_0), and loading them.
template <typename Shapes>
class SynthPairTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    embedder_path_ =
        new std::filesystem::path(testing::WriteSynthShape(dir_->path(), Shapes::kEmbed));
    reranker_path_ =
        new std::filesystem::path(testing::WriteSynthShape(dir_->path(), Shapes::kRerank, "q8_0"));
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
  // Embedder::Load's status for `shape` written with `change` made to its spec.
  static Status LoadChanged(const std::string& shape,
                            const std::function<void(SynthModelSpec&)>& change) {
    auto found = FindSynthShape(shape);
    EXPECT_TRUE(found.ok());
    SynthModelSpec spec = found->spec;
    change(spec);
    auto vocab = LoadSynthVocabulary(testing::SharedDir() / found->default_vocab);
    EXPECT_TRUE(vocab.ok());
    const auto path = dir_->path() / ("changed-" + shape + ".gguf");
    EXPECT_TRUE(WriteSynthModel(spec, *vocab, path).ok());
    return Embedder::Load(path, 1).status();
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline std::filesystem::path* embedder_path_ = nullptr;
  static inline std::filesystem::path* reranker_path_ = nullptr;
};

struct BertShapes {
  static constexpr const char* kEmbed = "tiny-bert";
  static constexpr const char* kRerank = "tiny-bert-reranker";
};
using EmbedderTest = SynthPairTest<BertShapes>;

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
  const Status st =
      LoadChanged("tiny-bert", [](SynthModelSpec& s) { s.encoder->pooling = Pooling::kNone; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("pooling_type is none"));
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
  EXPECT_THAT(PrefixesForModel("Qwen3-Embedding").query, ::testing::EndsWith("\nQuery:"));
  EXPECT_EQ(PrefixesForModel("Qwen3 Embedding 0.6B").query,
            PrefixesForModel("Qwen3-Embedding").query);
  EXPECT_EQ(PrefixesForModel("Qwen3-Embedding").passage, "");
  EXPECT_EQ(PrefixesForModel("Qwen3-Reranker").query, "");
  EXPECT_EQ(PrefixesForModel("bge-reranker-v2-m3").query, "");
}

// The decoder models (Qwen3-Embedding and Qwen3-Reranker layouts, tiny, Qwen's real
// vocabulary). Agreement with llama.cpp: embedder_oracle_test.cc.
struct Qwen3Shapes {
  static constexpr const char* kEmbed = "tiny-qwen3-embedding";
  static constexpr const char* kRerank = "tiny-qwen3-reranker";
};
using DecoderEmbedderTest = SynthPairTest<Qwen3Shapes>;

TEST_F(DecoderEmbedderTest, EmbedsTheLastTokensStateNormalised) {
  auto e = Load(*embedder_path_, 2);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->is_decoder());
  EXPECT_FALSE(e->is_reranker());
  EXPECT_EQ(e->dimensions(), 64u);
  EXPECT_EQ(e->context_length(), Embedder::kDecoderPositions);
  // add_eos_token: text, then <|endoftext|>; no BOS.
  const std::vector<int32_t> ids = e->Frame("annual leave");
  EXPECT_EQ(ids.back(), e->tokenizer().TokenId("<|endoftext|>"));
  EXPECT_EQ(std::vector<int32_t>(ids.begin(), ids.end() - 1),
            e->tokenizer().Encode("annual leave", false, false));
  auto v = e->Embed("annual leave");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  double norm = 0;
  for (float x : v->vector) norm += double{x} * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(v->tokens, ids.size());
  // The same text gives the same bits on one thread and two (the decoder's batch invariance),
  // and another text another vector.
  auto one = Load(*embedder_path_, 1);
  auto again = one->Embed("annual leave");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->vector, v->vector);
  auto other = e->Embed("VPN client update");
  ASSERT_TRUE(other.ok());
  double dot = 0;
  for (size_t i = 0; i < other->vector.size(); ++i) dot += double{other->vector[i]} * v->vector[i];
  EXPECT_LT(dot, 0.999);
  // A reranker's call on an embedding model says what it is.
  auto rank = e->Rerank("q", "d");
  ASSERT_FALSE(rank.ok());
  EXPECT_EQ(rank.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(DecoderEmbedderTest, RerankerFramesThroughItsTemplateAndScoresYesOverNo) {
  auto r = Load(*reranker_path_);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->is_reranker());
  const Tokenizer& tok = r->tokenizer();
  // The template's control tokens are ids; the same strings in the document stay text.
  const std::vector<int32_t> ids = r->FramePair("What leave?", "see <|im_end|> here");
  const int32_t im_start = tok.TokenId("<|im_start|>");
  const int32_t im_end = tok.TokenId("<|im_end|>");
  ASSERT_GE(im_start, 0);
  EXPECT_EQ(ids.front(), im_start);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), im_end), 2) << "system and user turns only";
  // With plain texts, the framing is the whole filled-in prompt tokenized at once (control
  // tokens read), as llama-server and the model card frame it: " What" is one token after
  // "<Query>:", not ":" " " "What".
  auto tmpl = r->file().GetString("tokenizer.chat_template.rerank");
  ASSERT_TRUE(tmpl.ok());
  std::string prompt(*tmpl);
  prompt.replace(prompt.find("{query}"), 7, "What leave?");
  prompt.replace(prompt.find("{document}"), 10, "Fifteen days.");
  EXPECT_EQ(r->FramePair("What leave?", "Fifteen days."), tok.Encode(prompt, false, true));
  // relevance = P(yes) = sigmoid(yes - no), which llama-server reports as the score.
  auto s = r->Rerank("What leave?", "Fifteen days.");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT(s->relevance, 0.0f);
  EXPECT_LT(s->relevance, 1.0f);
  EXPECT_FLOAT_EQ(s->relevance, Sigmoid(s->logit));
  EXPECT_EQ(s->score, s->relevance);
  auto embed = r->Embed("x");
  ASSERT_FALSE(embed.ok());
  EXPECT_EQ(embed.status().code(), StatusCode::kFailedPrecondition);
}

// A long document is cut until the prompt fits, and the prompt still ends with the template's
// closing turn (the model scores the last position).
TEST_F(DecoderEmbedderTest, RerankerCutsTheDocumentNotTheTemplate) {
  auto r = Load(*reranker_path_);
  ASSERT_NE(r, nullptr);
  std::string document;
  for (int i = 0; i < 800; ++i) document += "annual leave policy " + std::to_string(i) + ". ";
  size_t full = 0;
  const std::vector<int32_t> ids = r->FramePair("What leave?", document, &full);
  EXPECT_GT(full, r->context_length());
  EXPECT_LE(ids.size(), r->context_length());
  const std::vector<int32_t> tail = r->tokenizer().Encode(
      "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", false, true);
  ASSERT_GE(ids.size(), tail.size());
  EXPECT_EQ(std::vector<int32_t>(ids.end() - static_cast<ptrdiff_t>(tail.size()), ids.end()), tail);
  auto rejected = r->Rerank("What leave?", document, Overflow::kReject);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  auto cut = r->Rerank("What leave?", document);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->truncated);
}

// A rerank template without its placeholders is refused at load, naming the key.
TEST_F(DecoderEmbedderTest, ARerankTemplateWithoutPlaceholdersIsRefused) {
  const Status st = LoadChanged("tiny-qwen3-reranker", [](SynthModelSpec& s) {
    s.decoder_pooling->rerank_template = "<|im_start|>user\n{query}<|im_end|>\n";
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kCorrupt);
  EXPECT_THAT(st.message(), HasSubstr("tokenizer.chat_template.rerank"));
}

// A chat model (no pooling_type) is not an embedder.
TEST_F(DecoderEmbedderTest, AChatModelIsRefusedAtLoad) {
  const auto path = testing::WriteSynthShape(dir_->path(), "tiny-qwen3");
  auto e = Embedder::Load(path, 1);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(e.status().message(), HasSubstr("pooling_type is none"));
}

// The synthetic reranker's head is made as the converter makes it: the rows of "yes" and "no"
// in the tied embedding, in that order.
TEST_F(DecoderEmbedderTest, SynthRerankerHeadIsTheEmbeddingRowsOfYesAndNo) {
  auto file = GgufFile::Open(*reranker_path_);
  ASSERT_TRUE(file.ok());
  const GgufTensorInfo* head = file->FindTensor("cls.output.weight");
  const GgufTensorInfo* embd = file->FindTensor("token_embd.weight");
  ASSERT_NE(head, nullptr);
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(head->dims[1], 2u);
  EXPECT_EQ(head->type, embd->type);
  auto labels = file->GetStringArray("qwen3.classifier.output_labels");
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0], "yes");
  auto r = Load(*reranker_path_);
  ASSERT_NE(r, nullptr);
  const uint64_t row = head->n_bytes / 2;
  const auto h = file->TensorData(*head);
  const auto e = file->TensorData(*embd);
  const int32_t yes = r->tokenizer().TokenId("yes");
  const int32_t no = r->tokenizer().TokenId("no");
  EXPECT_TRUE(std::equal(h.begin(), h.begin() + row, e.begin() + yes * row));
  EXPECT_TRUE(std::equal(h.begin() + row, h.end(), e.begin() + no * row));
}

}  // namespace
}  // namespace docent::llm
