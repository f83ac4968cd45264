// Loading models: hyperparameters per architecture, tied embeddings, and the errors for an
// unknown architecture, missing or inconsistent keys, missing tensors, wrong shapes and
// truncated files. Models are synthetic (model_synth.h) with stories260K's vocabulary, plus
// the real stories260K itself.
#include "docent/llm/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_synth.h"
#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

const GgufFile& Vocab() {
  return testing::StoriesGguf();
}

GgufWriter Writer(const SynthModelSpec& spec) {
  auto w = BuildSynthModel(spec, Vocab());
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) std::abort();
  return std::move(w).value();
}

Result<std::unique_ptr<Model>> LoadBytes(const std::vector<uint8_t>& bytes) {
  DOCENT_ASSIGN_OR_RETURN(GgufFile file, GgufFile::FromBytes(bytes, "synth.gguf"));
  ModelOptions options;
  options.max_positions = 64;
  return Model::FromFile(std::move(file), options);
}

template <typename T>
void ExpectError(const Result<T>& r, StatusCode code, const std::string& part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(part));
}

TEST(ModelConfigTest, ReadsStories260K) {
  auto c = ReadModelConfig(Vocab());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->arch, ModelArch::kLlama);
  EXPECT_EQ(c->rope_type, RopeType::kNormal);
  EXPECT_EQ(c->vocab_size, 512u);
  EXPECT_EQ(c->n_embd, 64u);
  EXPECT_EQ(c->n_layer, 5u);
  EXPECT_EQ(c->n_head, 8u);
  EXPECT_EQ(c->n_head_kv, 4u);
  EXPECT_EQ(c->head_dim_k, 8u);
  EXPECT_EQ(c->n_rot, 8u);
  ASSERT_TRUE(c->eos_token_id.has_value());
  EXPECT_EQ(*c->eos_token_id, 2u);
}

TEST(ModelConfigTest, ReadsEachArchitecture) {
  struct Case {
    ModelArch arch;
    RopeType rope;
  };
  for (const Case& k :
       {Case{ModelArch::kLlama, RopeType::kNormal}, Case{ModelArch::kQwen2, RopeType::kNeox},
        Case{ModelArch::kQwen3, RopeType::kNeox}, Case{ModelArch::kExaone, RopeType::kNeox}}) {
    SynthModelSpec spec;
    spec.arch = k.arch;
    spec.head_dim = k.arch == ModelArch::kQwen3 ? 96 : 0;
    auto model = LoadBytes(Writer(spec).Serialize());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const ModelConfig& c = (*model)->config();
    EXPECT_EQ(c.arch, k.arch);
    EXPECT_EQ(c.rope_type, k.rope) << ModelArchName(k.arch);
    EXPECT_EQ(c.n_embd, 256u);
    EXPECT_EQ(c.n_layer, 2u);
    EXPECT_EQ(c.n_head_kv, 2u);
    EXPECT_EQ(c.head_dim_k, k.arch == ModelArch::kQwen3 ? 96u : 64u);
    EXPECT_EQ(c.vocab_size, 512u);
    EXPECT_EQ((*model)->max_positions(), 64u);
    const LayerWeights& l0 = (*model)->weights().layers[0];
    EXPECT_EQ(l0.bq.empty(), k.arch != ModelArch::kQwen2);
    EXPECT_EQ(l0.q_norm.empty(), k.arch != ModelArch::kQwen3);
    EXPECT_FALSE((*model)->weights().tied_output);
  }
}

TEST(ModelWeightsTest, TiedEmbeddingsServeAsOutput) {
  SynthModelSpec spec;
  spec.tied_output = true;
  auto model = LoadBytes(Writer(spec).Serialize());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ModelWeights& w = (*model)->weights();
  EXPECT_TRUE(w.tied_output);
  EXPECT_EQ(w.output.data.data(), w.token_embd.data.data());
}

TEST(ModelWeightsTest, MatricesPointIntoTheFile) {
  auto model = LoadBytes(Writer(SynthModelSpec{}).Serialize());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto bytes = (*model)->file().bytes();
  const auto& wq = (*model)->weights().layers[1].wq;
  EXPECT_GE(wq.data.data(), bytes.data());
  EXPECT_LE(wq.data.data() + wq.data.size(), bytes.data() + bytes.size());
}

TEST(ModelConfigTest, UnknownArchitectureIsUnsupported) {
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetString("general.architecture", "gpt2");
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kUnsupported,
              "unknown model architecture 'gpt2' (docent runs llama, qwen2, qwen3, exaone)");
}

TEST(ModelConfigTest, MissingArchitectureKeyIsCorrupt) {
  GgufWriter w;
  w.SetU32("llama.block_count", 1);
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kCorrupt, "general.architecture");
}

TEST(ModelConfigTest, MissingHyperparameterIsCorruptNamingTheKey) {
  // Renaming the architecture leaves every hyperparameter under the wrong prefix.
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetString("general.architecture", "qwen2");  // no qwen2.* keys exist
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kCorrupt, "qwen2.embedding_length");
}

TEST(ModelConfigTest, HeadsThatDoNotGroupAreCorrupt) {
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetU32("llama.attention.head_count_kv", 3);
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kCorrupt, "llama.attention.head_count_kv 3");
}

TEST(ModelConfigTest, UnknownRopeScalingIsUnsupported) {
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetString("llama.rope.scaling.type", "yarn");
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kUnsupported, "rope scaling 'yarn'");
}

TEST(ModelConfigTest, LinearRopeScalingSetsTheFrequencyScale) {
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetString("llama.rope.scaling.type", "linear");
  w.SetF32("llama.rope.scaling.factor", 4.0f);
  auto model = LoadBytes(w.Serialize());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_FLOAT_EQ((*model)->config().rope_freq_scale, 0.25f);
}

TEST(ModelWeightsTest, WrongTensorShapeIsCorruptNamingTheTensor) {
  // Four kv heads of 64 make attn_k 256 rows; the file's has 128.
  GgufWriter w = Writer(SynthModelSpec{});
  w.SetU32("llama.attention.head_count_kv", 4);
  ExpectError(LoadBytes(w.Serialize()), StatusCode::kCorrupt,
              "tensor blk.0.attn_k.weight has shape [256, 128], expected [256, 256]");
}

TEST(ModelWeightsTest, MissingTensorIsCorruptNamingTheTensor) {
  SynthModelSpec spec;
  spec.omit_tensor = "blk.1.ffn_down.weight";
  ExpectError(LoadBytes(Writer(spec).Serialize()), StatusCode::kCorrupt,
              "missing tensor blk.1.ffn_down.weight");
}

TEST(ModelWeightsTest, Qwen2WithoutBiasIsCorrupt) {
  SynthModelSpec spec;
  spec.arch = ModelArch::kQwen2;
  spec.omit_tensor = "blk.0.attn_v.bias";
  ExpectError(LoadBytes(Writer(spec).Serialize()), StatusCode::kCorrupt,
              "missing tensor blk.0.attn_v.bias");
}

TEST(ModelWeightsTest, Qwen3WithoutKNormIsCorrupt) {
  SynthModelSpec spec;
  spec.arch = ModelArch::kQwen3;
  spec.omit_tensor = "blk.1.attn_k_norm.weight";
  ExpectError(LoadBytes(Writer(spec).Serialize()), StatusCode::kCorrupt,
              "missing tensor blk.1.attn_k_norm.weight");
}

TEST(ModelLoadTest, TruncatedFileIsCorrupt) {
  const std::vector<uint8_t> bytes = Writer(SynthModelSpec{}).Serialize();
  testing::TempDir dir;
  const std::string half(reinterpret_cast<const char*>(bytes.data()), bytes.size() / 2);
  const auto path = dir.Write("truncated.gguf", half);
  auto model = Model::Load(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorrupt) << model.status().ToString();
  EXPECT_THAT(model.status().message(), HasSubstr("truncated.gguf"));
}

TEST(ModelLoadTest, MissingFileIsNotFound) {
  auto model = Model::Load("/nonexistent/model.gguf");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound) << model.status().ToString();
}

}  // namespace
}  // namespace docent::llm
