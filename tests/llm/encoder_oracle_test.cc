// The bert encoder against llama.cpp: synthetic BERT models (random weights, seeded; two
// layers of 64 wide, four heads, a WordPiece vocabulary) in F32, F16 and Q8_0, with mean and
// CLS pooling, each run by docent's Encoder and by tests/oracle/embed_oracle.mjs
// (node-llama-cpp's llama.cpp) on the same token ids. The bar: cosine >= 0.999
// between the two engines' embeddings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "docent/llm/encoder.h"
#include "llm/spm_vocab.h"
#include "llm/synth_bert.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

namespace fs = std::filesystem;
using synth::WriteBert;

// The llama.cpp CPU build every comparison uses (as model_oracle_test.cc pins it).
constexpr const char* kPinnedCpuBuild = "haswell";

fs::path OracleDir() {
  return testing::SourceDir() / "tests/oracle";
}

std::vector<float> LlamaCppEmbedding(const fs::path& model, const std::vector<int32_t>& ids) {
  std::string list;
  for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  const docent::testing::RunResult run =
      docent::testing::Run({"/usr/bin/env", "node", (OracleDir() / "embed_oracle.mjs").string(),
                            model.string(), "--ids", list, "--threads", "1"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << run.out;
  if (j.is_discarded()) return {};
  EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), ids) << "llama.cpp evaluated other tokens";
  EXPECT_EQ(j["cpu_build"], kPinnedCpuBuild) << "run scripts/install-deps.sh, which pins it";
  return j["embedding"].get<std::vector<float>>();
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

struct Case {
  GgmlType type;
  Pooling pooling;
};

class EncoderOracleTest : public ::testing::TestWithParam<Case> {};

TEST_P(EncoderOracleTest, EmbeddingsMatchLlamaCpp) {
  ASSERT_TRUE(fs::exists(OracleDir() / "node_modules/node-llama-cpp/package.json"))
      << "llama.cpp oracle unavailable: scripts/install-deps.sh installs it";
  testing::TempDir dir;
  const Case c = GetParam();
  const fs::path model = WriteBert(dir.path(), c.type, c.pooling, 20261207);
  auto encoder = Encoder::Load(model);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  // [CLS] ... [SEP], framed as node-llama-cpp frames WordPiece (so it adds nothing).
  for (const std::vector<int32_t>& ids :
       {std::vector<int32_t>{2, 57, 58, 59, 3},
        std::vector<int32_t>{2, 61, 70, 63, 64, 65, 66, 5, 31, 12, 40, 3},
        std::vector<int32_t>{2, 68, 3}}) {
    auto ours = (*encoder)->Pool(ids, c.pooling);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    const std::vector<float> theirs = LlamaCppEmbedding(model, ids);
    ASSERT_EQ(theirs.size(), ours->size());
    const double cosine = Cosine(*ours, theirs);
    EXPECT_GE(cosine, 0.999) << GgmlTypeName(c.type) << " " << PoolingName(c.pooling) << " over "
                             << ids.size() << " tokens";
    std::printf("[ encoder ] %s %s, %zu tokens: cosine %.6f\n",
                std::string(GgmlTypeName(c.type)).c_str(),
                std::string(PoolingName(c.pooling)).c_str(), ids.size(), cosine);
  }
}

// A reranker (BERT with the classification head: tanh(cls) then cls.output) scores a query
// and a document as llama.cpp's ranking context does, the sigmoid of the logit, on the tokens
// node-llama-cpp frames (which the oracle reports; docent scores the same ids).
TEST(EncoderRankOracleTest, RerankScoresMatchLlamaCpp) {
  ASSERT_TRUE(fs::exists(OracleDir() / "node_modules/node-llama-cpp/package.json"))
      << "llama.cpp oracle unavailable: scripts/install-deps.sh installs it";
  docent::testing::TempDir dir;
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0}) {
    const fs::path model = WriteBert(dir.path(), type, Pooling::kRank, 77, /*classifier=*/true);
    auto encoder = Encoder::Load(model);
    ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
    for (const auto& [query, document] : std::vector<std::pair<std::string, std::string>>{
             {"annual leave", "the employee days"},
             {"laptop password", "security policy"},
             {"travel budget", "approve the travel"}}) {
      const docent::testing::RunResult run = docent::testing::Run(
          {"/usr/bin/env", "node", (OracleDir() / "embed_oracle.mjs").string(), model.string(),
           "--query", query, "--document", document, "--threads", "1"});
      ASSERT_EQ(run.exit_code, 0) << run.err;
      const auto j = nlohmann::json::parse(run.out, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << run.out;
      const std::vector<int32_t> ids = j["ids"].get<std::vector<int32_t>>();
      // The same words, tokenized by docent, are in what llama.cpp read.
      const std::vector<int32_t> words =
          (*encoder)->tokenizer().Encode(query, /*add_special=*/false);
      ASSERT_TRUE(std::equal(words.begin(), words.end(), ids.begin())) << query;
      auto logits = (*encoder)->Pool(ids, Pooling::kRank);
      ASSERT_TRUE(logits.ok()) << logits.status().ToString();
      const double ours = 1.0 / (1.0 + std::exp(-static_cast<double>((*logits)[0])));
      const double theirs = j["score"].get<double>();
      EXPECT_EQ(j["cpu_build"], kPinnedCpuBuild) << "run scripts/install-deps.sh, which pins it";
      EXPECT_NEAR(ours, theirs, 1e-3) << GgmlTypeName(type) << ": " << query << " / " << document;
      std::printf("[ rerank ] %s %s / %s: docent %.6f llama.cpp %.6f\n",
                  std::string(GgmlTypeName(type)).c_str(), query.c_str(), document.c_str(), ours,
                  theirs);
    }
  }
}

// An XLM-RoBERTa-style encoder (the Unigram vocabulary spm_train makes, laid out as llama.cpp's
// converter writes XLM-R; F16 weights): llama.cpp reads the same text into the same token ids
// (Korean and English passages), and the two engines' CLS embeddings of <s> text </s> agree.
TEST(EncoderXlmrOracleTest, TokenIdsAndEmbeddingsMatchLlamaCpp) {
  ASSERT_TRUE(fs::exists(OracleDir() / "node_modules/node-llama-cpp/package.json"))
      << "llama.cpp oracle unavailable: scripts/install-deps.sh installs it";
  docent::testing::TempDir dir;
  synth::TrainedVocab trained;
  synth::TrainVocab(dir.path(), trained);
  ASSERT_FALSE(trained.samples.empty());
  const fs::path model =
      WriteBert(dir.path(), GgmlType::kF16, Pooling::kCls, 5, false, &trained.model);
  auto encoder = Encoder::Load(model);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  const Tokenizer& tok = (*encoder)->tokenizer();
  ASSERT_EQ(tok.kind(), TokenizerKind::kUnigram);

  std::vector<std::string> lines = trained.samples;
  lines.insert(lines.end(),
               {"ＦＵＬＬ ｗｉｄｔｈ ①② ㈜한빛", "many     spaces  here", "연차휴가는 15일이다."});
  {
    std::ofstream f(dir.path() / "lines.txt");
    for (const std::string& l : lines) f << l << '\n';
  }
  const docent::testing::RunResult run = docent::testing::Run(
      {"/usr/bin/env", "node", (OracleDir() / "embed_oracle.mjs").string(), model.string(),
       "--tokenize-file", (dir.path() / "lines.txt").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << run.out;
  const auto theirs = j["tokens"].get<std::vector<std::vector<int32_t>>>();
  ASSERT_EQ(theirs.size(), lines.size());
  size_t same = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<int32_t> ours = tok.Encode(lines[i], /*add_special=*/false);
    EXPECT_EQ(ours, theirs[i]) << "line " << i << ": " << lines[i];
    same += ours == theirs[i];
  }
  std::printf("[ xlmr ] token ids equal on %zu of %zu lines\n", same, lines.size());

  for (size_t i = 0; i < 3; ++i) {
    std::vector<int32_t> ids = {tok.bos()};
    for (int32_t id : tok.Encode(lines[i], /*add_special=*/false)) ids.push_back(id);
    // node-llama-cpp needs the input shorter than its context (the model's 64 positions).
    if (ids.size() > synth::kContext - 2) ids.resize(synth::kContext - 2);
    ids.push_back(tok.eos());
    auto ours = (*encoder)->Pool(ids, Pooling::kCls);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    const std::vector<float> embedding = LlamaCppEmbedding(model, ids);
    ASSERT_EQ(embedding.size(), ours->size());
    const double cosine = Cosine(*ours, embedding);
    EXPECT_GE(cosine, 0.999) << lines[i];
    std::printf("[ xlmr ] %zu tokens: cosine %.6f\n", ids.size(), cosine);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, EncoderOracleTest,
                         ::testing::Values(Case{GgmlType::kF32, Pooling::kMean},
                                           Case{GgmlType::kF32, Pooling::kCls},
                                           Case{GgmlType::kF16, Pooling::kMean},
                                           Case{GgmlType::kQ8_0, Pooling::kCls}));

}  // namespace
}  // namespace docent::llm
