// The synthetic-model presets (model_synth.h SynthShapes) and `docent synth-model`: each real
// shape must load with exactly the hyperparameters of the model it imitates and a vocabulary
// padded to the real embedding-table size with harmless tokens, or the speed comparisons
// against llama.cpp that use them would be measuring some other model. The real shapes are
// checked through their metadata (writing 1.5B weights is for the benchmark, not a unit
// test); the tiny shapes are written and loaded whole, streamed and in memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "docent/llm/encoder.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/model.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_synth.h"
#include "docent/llm/tokenizer.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const GgufFile& VocabFor(const SynthShape& shape) {
  // Parsing a 150k-token tokenizer.json takes a moment: once per file for the whole binary.
  static auto* cache = new std::map<std::string, GgufFile>();
  auto it = cache->find(shape.default_vocab);
  if (it == cache->end()) {
    auto vocab = LoadSynthVocabulary(testing::SharedDir() / shape.default_vocab);
    if (!vocab.ok()) {
      ADD_FAILURE() << vocab.status().ToString();
      std::abort();
    }
    it = cache->emplace(shape.default_vocab, std::move(vocab).value()).first;
  }
  return it->second;
}

SynthShape Shape(const std::string& name) {
  auto shape = FindSynthShape(name);
  EXPECT_TRUE(shape.ok()) << shape.status().ToString();
  if (!shape.ok()) std::abort();
  return *shape;
}

GgufFile Parse(const GgufWriter& w, const std::string& name) {
  auto file = GgufFile::FromBytes(w.Serialize(), name);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) std::abort();
  return std::move(file).value();
}

struct RealShape {
  const char* name;
  ModelArch arch;
  uint32_t n_embd, n_layer, n_ff, n_head, n_head_kv, head_dim, vocab, real_tokens;
  float rope_base;
};

class RealShapeTest : public ::testing::TestWithParam<RealShape> {};

TEST_P(RealShapeTest, MetadataHasTheExactShapeAndPaddedVocabulary) {
  const RealShape& k = GetParam();
  const SynthShape shape = Shape(k.name);
  EXPECT_TRUE(shape.spec.tied_output);
  auto meta = BuildSynthMetadata(shape.spec, VocabFor(shape));
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  const GgufFile file = Parse(*meta, k.name);
  auto c = ReadModelConfig(file);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->arch, k.arch);
  EXPECT_EQ(c->rope_type, k.arch == ModelArch::kQwen2 ? RopeType::kNeox : RopeType::kNormal);
  EXPECT_EQ(c->n_embd, k.n_embd);
  EXPECT_EQ(c->n_layer, k.n_layer);
  EXPECT_EQ(c->n_ff, k.n_ff);
  EXPECT_EQ(c->n_head, k.n_head);
  EXPECT_EQ(c->n_head_kv, k.n_head_kv);
  EXPECT_EQ(c->head_dim_k, k.head_dim);
  EXPECT_EQ(c->head_dim_v, k.head_dim);
  EXPECT_EQ(c->n_rot, k.head_dim);
  EXPECT_EQ(c->vocab_size, k.vocab);
  EXPECT_FLOAT_EQ(c->rope_freq_base, k.rope_base);
  EXPECT_FLOAT_EQ(c->rms_eps, k.arch == ModelArch::kQwen2 ? 1e-6f : 1e-5f);

  // The padding is unused "[PADn]" tokens: the real vocabulary keeps its ids and text
  // never encodes to padding.
  auto tokens = file.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), k.vocab);
  EXPECT_NE((*tokens)[k.real_tokens - 1], "[PAD" + std::to_string(k.real_tokens - 1) + "]");
  if (k.real_tokens < k.vocab) {
    EXPECT_EQ((*tokens)[k.vocab - 1], "[PAD" + std::to_string(k.vocab - 1) + "]");
    EXPECT_EQ((*tokens)[k.real_tokens], "[PAD" + std::to_string(k.real_tokens) + "]");
  }
  auto padded = Tokenizer::FromGguf(file);
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  auto plain = Tokenizer::FromGguf(VocabFor(shape));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  if (k.real_tokens < k.vocab) {
    EXPECT_EQ((*padded)->TokenTypeOf(static_cast<int32_t>(k.vocab - 1)), TokenType::kUnused);
  }
  for (const char* text : {"Hello, world! 123", "안녕하세요 [PAD151700] <|endoftext|>"}) {
    const std::vector<int32_t> ids = (*padded)->Encode(text);
    EXPECT_EQ(ids, (*plain)->Encode(text)) << text;
    for (int32_t id : ids) EXPECT_LT(id, static_cast<int32_t>(k.real_tokens)) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, RealShapeTest,
                         ::testing::Values(RealShape{"qwen2.5-0.5b", ModelArch::kQwen2, 896, 24,
                                                     4864, 14, 2, 64, 151936, 151669, 1e6f},
                                           RealShape{"qwen2.5-1.5b", ModelArch::kQwen2, 1536, 28,
                                                     8960, 12, 2, 128, 151936, 151669, 1e6f},
                                           RealShape{"llama-3.2-1b", ModelArch::kLlama, 2048, 16,
                                                     8192, 32, 8, 64, 128256, 128256, 500000.0f}),
                         [](const ::testing::TestParamInfo<RealShape>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) c = (c == '.' || c == '-') ? '_' : c;
                           return name;
                         });

TEST(RealShapeTest, LlamaVocabularyNeedsNoPadding) {
  // Llama 3's tokenizer.json already has 128,256 tokens (256 of them reserved specials).
  const SynthShape shape = Shape("llama-3.2-1b");
  auto tokens = VocabFor(shape).GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->size(), shape.spec.vocab_size);
}

TEST(RealShapeTest, OneLayerOfQwen05BWritesAndLoads) {
  // The full embedding table and one block: the real tensor shapes, at ~80 MB.
  SynthModelSpec spec = Shape("qwen2.5-0.5b").spec;
  spec.n_layer = 1;
  spec.weight_type = GgmlType::kQ4_0;
  spec.threads = 2;
  testing::TempDir dir;
  const fs::path path = dir / "qwen05-1layer.gguf";
  ASSERT_TRUE(WriteSynthModel(spec, VocabFor(Shape("qwen2.5-0.5b")), path).ok());
  ModelOptions options;
  options.max_positions = 16;
  auto model = Model::Load(path, options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ModelWeights& w = (*model)->weights();
  EXPECT_TRUE(w.tied_output);
  EXPECT_EQ(w.token_embd.type, GgmlType::kQ4_0);
  EXPECT_EQ(w.token_embd.rows, 151936u);
  EXPECT_EQ(w.token_embd.cols, 896u);
  EXPECT_EQ(w.layers[0].wq.rows, 896u);
  EXPECT_EQ(w.layers[0].wk.rows, 128u);
  EXPECT_EQ(w.layers[0].bq.size(), 896u);
  EXPECT_EQ(w.layers[0].ffn_down.cols, 4864u);
  auto logits = (*model)->Forward(0, 9707, 0);
  ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  EXPECT_EQ(logits->size(), 151936u);
}

class TinyShapeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TinyShapeTest, StreamedFileLoadsAndEqualsTheInMemoryModel) {
  const SynthShape shape = Shape(GetParam());
  for (GgmlType type : {GgmlType::kF32, GgmlType::kQ8_0, GgmlType::kQ4_K}) {
    SynthModelSpec spec = shape.spec;
    spec.weight_type = type;
    spec.seed = 7;
    testing::TempDir dir;
    const fs::path path = dir / "tiny.gguf";
    ASSERT_TRUE(WriteSynthModel(spec, VocabFor(shape), path).ok());
    auto memory = BuildSynthModel(spec, VocabFor(shape));
    ASSERT_TRUE(memory.ok()) << memory.status().ToString();
    const std::vector<uint8_t> expected = memory->Serialize();
    const std::string written = testing::ReadFileOrEmpty(path);
    ASSERT_EQ(written.size(), expected.size()) << GgmlTypeName(type);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(),
                           reinterpret_cast<const uint8_t*>(written.data())))
        << GgmlTypeName(type);
    EXPECT_FALSE(fs::exists(dir / "tiny.gguf.tmp"));

    auto model = Model::Load(path);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const ModelConfig& c = (*model)->config();
    EXPECT_EQ(c.arch, spec.arch);
    EXPECT_EQ(c.n_embd, 256u);
    EXPECT_EQ(c.n_embd % 256, 0u);
    EXPECT_EQ(c.n_ff % 256, 0u);
    EXPECT_EQ(c.q_width() % 256, 0u);
    EXPECT_EQ(c.n_layer, 2u);
    EXPECT_EQ(c.vocab_size, 512u);
    EXPECT_EQ((*model)->weights().tied_output, spec.tied_output);
    EXPECT_EQ((*model)->weights().layers[1].wq.type, type);
    auto logits = (*model)->Forward(0, 1, 0);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, TinyShapeTest,
                         ::testing::Values("tiny-llama", "tiny-qwen2", "tiny-qwen3", "tiny-exaone"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(SynthShapeTest, Llama32CarriesItsRopeFrequencyFactors) {
  // rope_scaling {factor 32, low 1, high 4, original 8192}: the fastest rotations are kept,
  // the slowest divided by 32.
  const std::vector<float>& f = Shape("llama-3.2-1b").spec.rope_freq_factors;
  ASSERT_EQ(f.size(), 32u);
  EXPECT_FLOAT_EQ(f.front(), 1.0f);
  EXPECT_FLOAT_EQ(f.back(), 32.0f);
  EXPECT_TRUE(std::is_sorted(f.begin(), f.end()));
}

TEST(SynthShapeTest, Qwen3TinyHasItsOwnHeadWidth) {
  const SynthModelSpec& s = Shape("tiny-qwen3").spec;
  EXPECT_EQ(s.head_dim, 128u);  // n_embd / n_head is 64: key_length must be honoured
}

TEST(SynthShapeTest, OutputDoesNotDependOnThreads) {
  SynthModelSpec spec = Shape("tiny-qwen2").spec;
  spec.weight_type = GgmlType::kQ4_0;
  const GgufFile& vocab = VocabFor(Shape("tiny-qwen2"));
  auto one = BuildSynthModel(spec, vocab);
  spec.threads = 3;
  auto three = BuildSynthModel(spec, vocab);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(one->Serialize(), three->Serialize());
  spec.seed = 2;
  auto other = BuildSynthModel(spec, vocab);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(one->Serialize(), other->Serialize());
}

TEST(SynthShapeTest, UnknownShapeNamesTheKnownOnes) {
  auto shape = FindSynthShape("qwen9-1t");
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(shape.status().message(), HasSubstr("qwen2.5-1.5b"));
}

TEST(SynthShapeTest, WeightTypes) {
  auto q4k = ParseSynthWeightType("q4_k");
  ASSERT_TRUE(q4k.ok());
  EXPECT_EQ(*q4k, GgmlType::kQ4_K);
  auto bad = ParseSynthWeightType("iq2_xxs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("q6_k"));
}

TEST(SynthShapeTest, KQuantOnA896WideModelSaysWhy) {
  SynthModelSpec spec = Shape("qwen2.5-0.5b").spec;
  for (GgmlType type : {GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K}) {
    spec.weight_type = type;
    const Status st = ValidateSynthSpec(spec);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(st.message(), HasSubstr("256 elements per block"));
    EXPECT_THAT(st.message(), HasSubstr("n_embd 896"));
  }
  spec.weight_type = GgmlType::kQ4_0;
  EXPECT_TRUE(ValidateSynthSpec(spec).ok());
  spec = Shape("qwen2.5-1.5b").spec;
  spec.weight_type = GgmlType::kQ4_K;  // 1536 and 8960 are multiples of 256
  EXPECT_TRUE(ValidateSynthSpec(spec).ok());
}

TEST(SynthShapeTest, InconsistentSpecsAreInvalid) {
  SynthModelSpec spec;
  spec.n_head_kv = 3;
  EXPECT_EQ(ValidateSynthSpec(spec).code(), StatusCode::kInvalidArgument);
  spec = SynthModelSpec{};
  spec.weight_type = GgmlType::kIQ2_XXS;
  EXPECT_EQ(ValidateSynthSpec(spec).code(), StatusCode::kInvalidArgument);
  spec = SynthModelSpec{};
  spec.n_layer = 0;
  EXPECT_EQ(ValidateSynthSpec(spec).code(), StatusCode::kInvalidArgument);
}

TEST(SynthShapeTest, VocabularyLargerThanTheTableIsInvalid) {
  SynthModelSpec spec = Shape("tiny-llama").spec;
  spec.vocab_size = 100;  // stories260K has 512 tokens
  auto w = BuildSynthMetadata(spec, VocabFor(Shape("tiny-llama")));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(w.status().message(), HasSubstr("512 tokens"));
}

TEST(SynthShapeTest, UnwritableOutputIsAnIOErrorNamingThePath) {
  testing::TempDir dir;
  const fs::path path = dir / "missing-folder/model.gguf";
  const Status st = WriteSynthModel(Shape("tiny-llama").spec, VocabFor(Shape("tiny-llama")), path);
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_THAT(st.message(), HasSubstr(path.string()));
}

// The encoder shapes' metadata, from each model's config.json (XLM-RoBERTa's converter drops
// the two padding positions: 514 -> 512, 8194 -> 8192).
TEST(EncoderShapeTest, RealShapesHaveTheirConfigs) {
  struct Expected {
    const char* name;
    uint32_t n_embd, n_layer, n_ff, n_head, context, vocab, types;
    Pooling pooling;
    float eps;
    uint32_t classifier;
  };
  for (const Expected& e : {
           Expected{"bge-small-en-v1.5", 384, 12, 1536, 12, 512, 30522, 2, Pooling::kCls, 1e-12f,
                    0},
           Expected{"multilingual-e5-small", 384, 12, 1536, 12, 512, 250037, 2, Pooling::kMean,
                    1e-12f, 0},
           Expected{"bge-m3", 1024, 24, 4096, 16, 8192, 250002, 1, Pooling::kCls, 1e-5f, 0},
           Expected{"bge-reranker-v2-m3", 1024, 24, 4096, 16, 8192, 250002, 1, Pooling::kRank,
                    1e-5f, 1},
       }) {
    const SynthShape shape = Shape(e.name);
    const SynthModelSpec& s = shape.spec;
    ASSERT_TRUE(s.encoder.has_value()) << e.name;
    EXPECT_EQ(s.n_embd, e.n_embd) << e.name;
    EXPECT_EQ(s.n_layer, e.n_layer) << e.name;
    EXPECT_EQ(s.n_ff, e.n_ff) << e.name;
    EXPECT_EQ(s.n_head, e.n_head) << e.name;
    EXPECT_EQ(s.context_length, e.context) << e.name;
    EXPECT_EQ(s.vocab_size, e.vocab) << e.name;
    EXPECT_EQ(s.encoder->token_types, e.types) << e.name;
    EXPECT_EQ(s.encoder->pooling, e.pooling) << e.name;
    EXPECT_EQ(s.encoder->classifier_outputs, e.classifier) << e.name;
    EXPECT_EQ(s.rms_eps, e.eps) << e.name;
    EXPECT_TRUE(ValidateSynthSpec(s).ok()) << e.name;
  }
  // bge-small-en-v1.5 has its real vocabulary at hand: its metadata is the converter's.
  const SynthShape bge = Shape("bge-small-en-v1.5");
  auto meta = BuildSynthMetadata(bge.spec, VocabFor(bge));
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  const GgufFile file = Parse(*meta, "bge-small");
  EXPECT_EQ(file.GetString("general.architecture").value(), "bert");
  EXPECT_EQ(file.GetU32("bert.embedding_length").value(), 384u);
  EXPECT_EQ(file.GetU32("bert.pooling_type").value(), 2u);
  EXPECT_EQ(file.GetF32("bert.attention.layer_norm_epsilon").value(), 1e-12f);
  EXPECT_FALSE(file.GetBoolOr("bert.attention.causal", true).value());
  EXPECT_EQ(file.GetString("tokenizer.ggml.model").value(), "bert");
  EXPECT_EQ(file.GetArray("tokenizer.ggml.tokens").value()->size, 30522u);
}

// The tiny encoders are written whole and load as encoders of their shape, the same bytes
// streamed and in memory.
TEST(EncoderShapeTest, TinyEncodersLoad) {
  for (const char* name : {"tiny-bert", "tiny-bert-reranker"}) {
    const SynthShape shape = Shape(name);
    SynthModelSpec spec = shape.spec;
    spec.weight_type = GgmlType::kQ8_0;
    testing::TempDir dir;
    const fs::path path = dir / "enc.gguf";
    ASSERT_TRUE(WriteSynthModel(spec, VocabFor(shape), path).ok());
    auto memory = BuildSynthModel(spec, VocabFor(shape));
    ASSERT_TRUE(memory.ok()) << memory.status().ToString();
    EXPECT_EQ(memory->Serialize().size(), fs::file_size(path)) << name;
    auto encoder = Encoder::Load(path);
    ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
    const EncoderConfig& c = (*encoder)->config();
    EXPECT_EQ(c.n_embd, 128u);
    EXPECT_EQ(c.n_layer, 2u);
    EXPECT_EQ(c.context_length, 512u);
    EXPECT_EQ(c.vocab_size, 30522u);
    EXPECT_EQ(c.pooling, spec.encoder->pooling);
    EXPECT_EQ((*encoder)->has_classifier(), spec.encoder->classifier_outputs > 0);
    auto out = (*encoder)->Pool(std::vector<int32_t>{101, 2054, 102}, c.pooling);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->size(), spec.encoder->classifier_outputs > 0 ? 1u : 128u);
  }
  // A tensor left out is named by the loader.
  SynthModelSpec spec = Shape("tiny-bert").spec;
  spec.omit_tensor = "blk.1.ffn_down.weight";
  testing::TempDir dir;
  ASSERT_TRUE(WriteSynthModel(spec, VocabFor(Shape("tiny-bert")), dir / "bad.gguf").ok());
  auto bad = Encoder::Load(dir / "bad.gguf");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("blk.1.ffn_down.weight"));
}

TEST(EncoderShapeTest, EncodersRefuseDecoderOnlyOptions) {
  SynthModelSpec spec = Shape("tiny-bert").spec;
  spec.n_head_kv = 2;
  EXPECT_FALSE(ValidateSynthSpec(spec).ok());
  spec = Shape("tiny-bert").spec;
  spec.encoder->token_types = 0;
  EXPECT_FALSE(ValidateSynthSpec(spec).ok());
}

TEST(SynthModelCommandTest, XlmrShapesWithoutAVocabularySayWhatToPass) {
  testing::TempDir dir;
  const testing::RunResult r = testing::RunDocent(
      {"synth-model", "--shape", "bge-m3", "--type", "f16", "-o", (dir / "m3.gguf").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--vocab FILE.model"));
  EXPECT_FALSE(fs::exists(dir / "m3.gguf"));
}

TEST(SynthModelCommandTest, WritesALoadableModel) {
  testing::TempDir dir;
  const fs::path path = dir / "cli.gguf";
  const testing::RunResult r =
      testing::RunDocent({"synth-model", "--shape", "tiny-exaone", "--type", "q5_0", "-o",
                          path.string(), "--seed", "3", "--threads", "1", "--vocab",
                          (testing::SharedDir() / "models/stories260K.gguf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote"));
  auto model = Model::Load(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->config().arch, ModelArch::kExaone);
  EXPECT_EQ((*model)->weights().layers[0].wq.type, GgmlType::kQ5_0);
}

TEST(SynthModelCommandTest, BadUsageExitsTwoWithAReason) {
  testing::TempDir dir;
  const std::string out = (dir / "x.gguf").string();
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  for (const Case& c : {
           Case{{"synth-model", "--shape", "nope", "--type", "q4_0", "-o", out}, "tiny-llama"},
           Case{{"synth-model", "--shape", "tiny-llama", "--type", "q3_k", "-o", out}, "q4_0"},
           Case{{"synth-model", "--shape", "qwen2.5-0.5b", "--type", "q4_k", "-o", out},
                "n_embd 896"},
           Case{{"synth-model", "--shape", "tiny-llama", "--type", "q4_0"}, "usage"},
       }) {
    const testing::RunResult r = testing::RunDocent(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[2];
    EXPECT_THAT(r.err, HasSubstr(c.says));
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST(SynthModelCommandTest, UnwritableOutputExitsOne) {
  const testing::RunResult r = testing::RunDocent(
      {"synth-model", "--shape", "tiny-llama", "--type", "f16", "-o", "/nonexistent/dir/x.gguf",
       "--vocab", (testing::SharedDir() / "models/stories260K.gguf").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/dir/x.gguf"));
}

}  // namespace
}  // namespace docent::llm
