// docent's embeddings and rerank scores, text in, against llama.cpp's (node-llama-cpp 3.22.1,
// tests/oracle/embed_oracle.mjs) on the models `docent synth-model` writes: tiny-bert and
// tiny-bert-reranker (BGE's real WordPiece vocabulary), tiny-qwen3-embedding and
// tiny-qwen3-reranker (Qwen's real vocabulary), tiny-xlmr and multilingual-e5-small in its
// real shape (a SentencePiece Unigram vocabulary spm_train makes at set-up, laid out as
// llama.cpp writes XLM-RoBERTa's, padded to e5-small's 250,037 rows). The bars:
// identical token ids, cosine >= 0.999 between the two engines' L2-normalised embeddings, rerank
// scores within 1e-3 after the same sigmoid; over Korean and English passages (English only
// for WordPiece: see Texts()).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "docent/llm/embedder.h"
#include "docent/llm/model_synth.h"
#include "llm/spm_vocab.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPinnedCpuBuild = "haswell";

fs::path OracleScript() {
  return testing::SourceDir() / "tests/oracle/embed_oracle.mjs";
}

nlohmann::json RunOracle(const std::vector<std::string>& args) {
  std::vector<std::string> command = {"/usr/bin/env", "node", OracleScript().string()};
  command.insert(command.end(), args.begin(), args.end());
  const testing::RunResult run = testing::Run(command);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << run.out;
  if (!j.is_discarded()) {
    EXPECT_EQ(j["cpu_build"], kPinnedCpuBuild) << "run scripts/install-deps.sh, which pins it";
  }
  return j;
}

// A synthetic model of `shape` in `type`, its vocabulary `vocab` (a path).
fs::path Synthesize(const fs::path& dir, const std::string& shape, GgmlType type,
                    const fs::path& vocab) {
  auto found = FindSynthShape(shape);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  SynthModelSpec spec = found->spec;
  spec.weight_type = type;
  spec.seed = 20261207;
  spec.threads = 2;
  spec.name = "docent synthetic " + shape;
  auto v = LoadSynthVocabulary(vocab);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  const fs::path out = dir / (shape + "-" + std::string(GgmlTypeName(type)) + ".gguf");
  const Status st = WriteSynthModel(spec, *v, out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

fs::path BgeVocab() {
  return testing::SharedDir() / "tokenizers/llama.cpp-vocab/ggml-vocab-bert-bge.gguf";
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

const std::vector<std::string>& EnglishTexts() {
  static const std::vector<std::string> texts = {
      "How many days of annual leave does an employee receive?",
      "Employees receive 15 days of paid annual leave per year, approved by the department head.",
      "The VPN client (version 2.4) must be updated before 31 March; see https://it.example.",
  };
  return texts;
}

// Korean and English. WordPiece vocabularies get English only: llama.cpp's WordPiece keeps
// only the first code point of each character's canonical decomposition, so a Hangul syllable
// becomes its initial consonant ("연차" -> two jamo), where BERT's own tokenizer (and
// docent's) decomposes it fully (three and two); the English models' ids differ there by
// design, and real Korean retrieval uses the XLM-RoBERTa vocabularies, which agree.
std::vector<std::string> Texts() {
  std::vector<std::string> texts = EnglishTexts();
  texts.push_back("연차 휴가는 며칠인가요?");
  texts.push_back("직원은 매년 15일의 유급 연차 휴가를 받으며, 부서장의 승인을 받아야 한다.");
  return texts;
}

// Each text: the same ids (docent's framing is what llama.cpp evaluates), and embeddings at
// cosine >= 0.999 once both are L2-normalised.
void ExpectEmbeddingsMatch(const fs::path& model, const std::vector<std::string>& texts) {
  auto embedder = Embedder::Load(model, 2);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  for (const std::string& text : texts) {
    const std::vector<int32_t> ids = (*embedder)->Frame(text);
    std::string list;
    for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    const nlohmann::json j = RunOracle({model.string(), "--ids", list, "--threads", "2"});
    ASSERT_TRUE(j.contains("embedding")) << j.dump();
    EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), ids) << "llama.cpp evaluated other tokens";
    auto ours = (*embedder)->Embed(text);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    const double cosine = Cosine(ours->vector, j["embedding"].get<std::vector<float>>());
    EXPECT_GE(cosine, 0.999) << model.filename() << ": " << text;
    std::printf("[ embed ] %s, %zu tokens: cosine %.6f\n", model.filename().c_str(), ids.size(),
                cosine);
  }
}

// llama.cpp's ids for each text, without specials, equal docent's.
void ExpectTokenIdsMatch(const fs::path& model, const fs::path& dir,
                         const std::vector<std::string>& texts) {
  auto embedder = Embedder::Load(model, 1);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  {
    std::ofstream f(dir / "lines.txt");
    for (const std::string& t : texts) f << t << '\n';
  }
  const nlohmann::json j =
      RunOracle({model.string(), "--tokenize-file", (dir / "lines.txt").string()});
  const auto theirs = j["tokens"].get<std::vector<std::vector<int32_t>>>();
  ASSERT_EQ(theirs.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ((*embedder)->tokenizer().Encode(texts[i], false, false), theirs[i]) << texts[i];
  }
}

class EmbedderOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        fs::exists(testing::SourceDir() / "tests/oracle/node_modules/node-llama-cpp/package.json"))
        << "llama.cpp oracle unavailable: scripts/install-deps.sh installs it";
  }
  testing::TempDir dir_;
};

TEST_F(EmbedderOracleTest, TinyBertWithBgeVocabulary) {
  for (GgmlType type : {GgmlType::kF16, GgmlType::kQ8_0}) {
    const fs::path model = Synthesize(dir_.path(), "tiny-bert", type, BgeVocab());
    ExpectTokenIdsMatch(model, dir_.path(), EnglishTexts());
    ExpectEmbeddingsMatch(model, EnglishTexts());
    // Over 128 tokens: the attention's query blocks (encoder.cc) meet.
    std::string long_text;
    for (int i = 0; i < 12; ++i) long_text += EnglishTexts()[static_cast<size_t>(i % 3)] + " ";
    ExpectEmbeddingsMatch(model, {long_text});
  }
}

TEST_F(EmbedderOracleTest, XlmrShapesWithAUnigramVocabulary) {
  synth::TrainedVocab trained;
  synth::TrainVocab(dir_.path(), trained);
  std::vector<std::string> texts = Texts();
  texts.insert(texts.end(), trained.samples.begin(), trained.samples.begin() + 4);
  const fs::path tiny = Synthesize(dir_.path(), "tiny-xlmr", GgmlType::kF16, trained.model_file);
  ExpectTokenIdsMatch(tiny, dir_.path(), texts);
  ExpectEmbeddingsMatch(tiny, texts);
  // multilingual-e5-small's real shape: 12 layers of 384, 250,037 rows, mean pooling.
  const fs::path e5 =
      Synthesize(dir_.path(), "multilingual-e5-small", GgmlType::kF16, trained.model_file);
  auto embedder = Embedder::Load(e5, 1);
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  EXPECT_EQ((*embedder)->encoder().config().vocab_size, 250037u);
  EXPECT_EQ((*embedder)->encoder().config().n_layer, 12u);
  EXPECT_EQ((*embedder)->encoder().config().pooling, Pooling::kMean);
  EXPECT_EQ((*embedder)->prefixes().query, "query: ");
  ExpectEmbeddingsMatch(e5, texts);
}

// docent's rerank scores equal llama.cpp's ranking context's on the same text, and the pair
// is framed as llama.cpp frames it (the oracle reports the ids it evaluated): [CLS] q [SEP] d
// for WordPiece, <s> q </s></s> d </s> for XLM-RoBERTa.
void ExpectRerankMatches(const fs::path& model, const std::vector<std::string>& texts) {
  auto reranker = Embedder::Load(model, 2);
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  ASSERT_TRUE((*reranker)->is_reranker());
  const std::string& query = texts[0];
  for (const std::string& document : texts) {
    const nlohmann::json j =
        RunOracle({model.string(), "--query", query, "--document", document, "--threads", "2"});
    ASSERT_TRUE(j.contains("score")) << j.dump();
    EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), (*reranker)->FramePair(query, document));
    auto ours = (*reranker)->Rerank(query, document);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    const double theirs = j["score"].get<double>();
    EXPECT_NEAR(ours->relevance, theirs, 1e-3) << document;
    std::printf("[ rerank ] %s: docent %.6f llama.cpp %.6f\n", model.filename().c_str(),
                ours->relevance, theirs);
  }
}

TEST_F(EmbedderOracleTest, RerankScoresMatchOnTheSameText) {
  ExpectRerankMatches(Synthesize(dir_.path(), "tiny-bert-reranker", GgmlType::kF16, BgeVocab()),
                      EnglishTexts());
  synth::TrainedVocab trained;
  synth::TrainVocab(dir_.path(), trained);
  ExpectRerankMatches(
      Synthesize(dir_.path(), "tiny-xlmr-reranker", GgmlType::kF16, trained.model_file), Texts());
}

fs::path QwenVocab() {
  return testing::SharedDir() / "tokenizers/qwen3/tokenizer.json";
}

std::string JsonList(const std::vector<int32_t>& ids) {
  std::string list;
  for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return list;
}

// A decoder reranker (Qwen3-Reranker's layout): docent frames the pair through the file's
// rerank template as the model card does (the whole prompt tokenized at once), which must be
// exactly llama.cpp's tokenization of the filled-in template with control tokens read
// (llama-server's format_rerank); and over those ids, docent's P(yes) equals llama.cpp's
// ranking score (node-llama-cpp's, which for qwen3 is llama.cpp's softmax over yes / no).
void ExpectDecoderRerankMatches(const fs::path& model, const fs::path& dir,
                                const std::vector<std::string>& texts, double tolerance) {
  auto reranker = Embedder::Load(model, 2);
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  ASSERT_TRUE((*reranker)->is_reranker());
  ASSERT_TRUE((*reranker)->is_decoder());
  auto tmpl = (*reranker)->file().GetString("tokenizer.chat_template.rerank");
  ASSERT_TRUE(tmpl.ok());
  const std::string& query = texts[0];
  std::vector<std::string> prompts;
  for (const std::string& document : texts) {
    std::string prompt(*tmpl);
    prompt.replace(prompt.find("{query}"), 7, query);
    prompt.replace(prompt.find("{document}"), 10, document);
    prompts.push_back(prompt);
  }
  {
    std::ofstream f(dir / "prompts.txt");
    for (const std::string& p : prompts) f << nlohmann::json(p).dump() << '\n';
  }
  const nlohmann::json tokenized =
      RunOracle({model.string(), "--tokenize-file", (dir / "prompts.txt").string(), "--special"});
  const auto theirs = tokenized["tokens"].get<std::vector<std::vector<int32_t>>>();
  ASSERT_EQ(theirs.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<int32_t> ids = (*reranker)->FramePair(query, texts[i]);
    EXPECT_EQ(ids, theirs[i]) << texts[i];
    const nlohmann::json j =
        RunOracle({model.string(), "--rank-ids", JsonList(ids), "--threads", "2"});
    ASSERT_TRUE(j.contains("score")) << j.dump();
    EXPECT_EQ(j["ids"].get<std::vector<int32_t>>(), ids);
    auto ours = (*reranker)->Rerank(query, texts[i]);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    const double score = j["score"].get<double>();
    EXPECT_NEAR(ours->relevance, score, tolerance) << texts[i];
    EXPECT_EQ(ours->score, ours->relevance) << "llama-server reports P(yes) for qwen3";
    std::printf("[ rerank ] %s, %zu tokens: docent %.6f llama.cpp %.6f\n", model.filename().c_str(),
                ids.size(), ours->relevance, score);
  }
}

// Qwen3-Embedding's layout: last-token pooling over text <|endoftext|> (add_eos_token), the
// final norm's output; and Qwen3-Reranker's. In F16 and Q8_0, over Korean and English, and a
// passage long enough to cross the attention's 64-position blocks. The rerank bar (1e-3) holds
// in F16 (measured: at most 5.4e-4). In Q8_0 the two engines round the activations of a
// 64-wide model to Q8_0 at every product, and the head's yes - no difference carries that
// noise (embeddings at cosine >= 0.9998, scores up to 9.1e-3 apart on these texts): held to
// 2e-2 there, which still fails a wrong head row, label order or framing (those move scores
// by tenths).
TEST_F(EmbedderOracleTest, Qwen3EmbeddingAndRerankerLayouts) {
  std::vector<std::string> texts = Texts();
  std::string long_text;
  for (int i = 0; i < 12; ++i) long_text += Texts()[static_cast<size_t>(i % 5)] + " ";
  texts.push_back(long_text);
  for (GgmlType type : {GgmlType::kF16, GgmlType::kQ8_0}) {
    const fs::path embed = Synthesize(dir_.path(), "tiny-qwen3-embedding", type, QwenVocab());
    ExpectTokenIdsMatch(embed, dir_.path(), texts);
    ExpectEmbeddingsMatch(embed, texts);
    auto e = Embedder::Load(embed, 1);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ((*e)->Frame("x").back(), (*e)->tokenizer().TokenId("<|endoftext|>"));
    const fs::path rerank = Synthesize(dir_.path(), "tiny-qwen3-reranker", type, QwenVocab());
    ExpectDecoderRerankMatches(rerank, dir_.path(), texts, type == GgmlType::kF16 ? 1e-3 : 2e-2);
  }
}

}  // namespace
}  // namespace docent::llm
