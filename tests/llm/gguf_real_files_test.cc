// Real GGUF files from shared/: the stories260K model and llama.cpp's vocabulary-only files.
// The expected facts were read independently of docent (a few lines of Python unpacking the
// header with struct, following the GGUF spec), so these tests hold the reader to the files
// as llama.cpp's tools wrote them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "docent/llm/gguf_file.h"
#include "docent/llm/quantize.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::ElementsAre;

GgufFile MustOpen(const std::filesystem::path& path) {
  auto f = GgufFile::Open(path);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) std::abort();
  return std::move(f).value();
}

float FloatAt(std::span<const uint8_t> data, size_t i) {
  float v;
  std::memcpy(&v, data.data() + 4 * i, 4);
  return v;
}

TEST(StoriesModelTest, HeaderAndHyperparameters) {
  const GgufFile f = MustOpen(testing::SharedDir() / "models/stories260K.gguf");
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.bytes().size(), 1185376u);
  EXPECT_EQ(f.metadata().size(), 19u);
  EXPECT_EQ(f.alignment(), 32u);  // no general.alignment key: the default
  EXPECT_FALSE(f.Has("general.alignment"));
  EXPECT_EQ(f.data_offset(), 14176u);  // tensor infos end at byte 14152
  EXPECT_EQ(*f.GetString("general.architecture"), "llama");
  EXPECT_EQ(*f.GetString("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(*f.GetU32("llama.context_length"), 2048u);
  EXPECT_EQ(*f.GetU32("llama.embedding_length"), 64u);
  EXPECT_EQ(*f.GetU32("llama.feed_forward_length"), 172u);
  EXPECT_EQ(*f.GetU32("llama.attention.head_count"), 8u);
  EXPECT_EQ(*f.GetU32("llama.attention.head_count_kv"), 4u);
  EXPECT_EQ(*f.GetU32("llama.block_count"), 5u);
  EXPECT_EQ(*f.GetU32("llama.rope.dimension_count"), 8u);
  EXPECT_EQ(*f.GetF32("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  EXPECT_EQ(*f.GetU32("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(*f.GetU32("tokenizer.ggml.eos_token_id"), 2u);
  EXPECT_EQ(*f.GetU32("tokenizer.ggml.padding_token_id"), 4294967295u);  // "none"
}

TEST(StoriesModelTest, Vocabulary) {
  const GgufFile f = MustOpen(testing::SharedDir() / "models/stories260K.gguf");
  const auto tokens = *f.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 512u);
  EXPECT_THAT(tokens.first(3), ElementsAre("<unk>", "<s>", "</s>"));
  const auto scores = *f.GetF32Array("tokenizer.ggml.scores");
  EXPECT_EQ(scores.size(), 512u);
  EXPECT_EQ(scores[0], 0.0f);
  const auto types = *f.GetI32Array("tokenizer.ggml.token_type");
  ASSERT_EQ(types.size(), 512u);
  EXPECT_THAT(std::vector<int32_t>(types.begin(), types.begin() + 3), ElementsAre(2, 3, 3));
}

TEST(StoriesModelTest, Tensors) {
  const GgufFile f = MustOpen(testing::SharedDir() / "models/stories260K.gguf");
  ASSERT_EQ(f.tensors().size(), 48u);  // 3 + 5 blocks x 9
  const GgufTensorInfo& embd = f.tensors()[0];
  EXPECT_EQ(embd.name, "token_embd.weight");
  EXPECT_EQ(embd.type, GgmlType::kF32);
  EXPECT_THAT(embd.dims, ElementsAre(64u, 512u, 1u, 1u));
  EXPECT_EQ(embd.offset, 0u);
  EXPECT_EQ(embd.n_bytes, 64u * 512u * 4u);
  const auto embd_data = f.TensorData(embd);
  EXPECT_EQ(FloatAt(embd_data, 0), -0.29474878311157227f);
  EXPECT_EQ(FloatAt(embd_data, 1), 0.5618956089019775f);
  EXPECT_EQ(FloatAt(embd_data, 3), 0.34057360887527466f);

  const GgufTensorInfo* norm = f.FindTensor("output_norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->offset, 131072u);
  EXPECT_EQ(norm->n_dims, 1u);
  std::vector<float> row(64);
  ASSERT_TRUE(DequantizeRow(GgmlType::kF32, f.TensorData(*norm), row).ok());
  EXPECT_EQ(row[0], 2.4583089351654053f);

  const GgufTensorInfo* down = f.FindTensor("blk.2.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_THAT(down->dims, ElementsAre(172u, 64u, 1u, 1u));
  EXPECT_EQ(down->offset, 719360u);
  EXPECT_EQ(f.FindTensor("blk.4.attn_k.weight")->dims[1], 32u);  // 4 kv heads x 8

  // The last tensor ends exactly at the end of the file.
  const GgufTensorInfo& last = f.tensors().back();
  EXPECT_EQ(last.name, "blk.4.ffn_norm.weight");
  EXPECT_EQ(last.file_offset + last.n_bytes, f.bytes().size());
  EXPECT_EQ(FloatAt(f.TensorData(last), 63), 1.234261155128479f);
}

struct VocabFact {
  const char* file;
  size_t n_kv;
  const char* architecture;
  const char* model;
  size_t n_tokens;
  size_t n_merges;           // 0: no tokenizer.ggml.merges key
  const char* middle_token;  // tokens[n_tokens / 2]
};

class VocabFileTest : public ::testing::TestWithParam<VocabFact> {};

TEST_P(VocabFileTest, MetadataMatchesIndependentRead) {
  const VocabFact& v = GetParam();
  const GgufFile f = MustOpen(testing::SharedDir() / "tokenizers/llama.cpp-vocab" / v.file);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_EQ(f.metadata().size(), v.n_kv);
  EXPECT_EQ(*f.GetString("general.architecture"), v.architecture);
  EXPECT_EQ(*f.GetString("tokenizer.ggml.model"), v.model);
  const auto tokens = *f.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), v.n_tokens);
  EXPECT_EQ(tokens[v.n_tokens / 2], v.middle_token);
  EXPECT_EQ(f.GetI32Array("tokenizer.ggml.token_type")->size(), v.n_tokens);
  if (v.n_merges == 0) {
    EXPECT_FALSE(f.Has("tokenizer.ggml.merges"));
  } else {
    const auto merges = *f.GetStringArray("tokenizer.ggml.merges");
    EXPECT_EQ(merges.size(), v.n_merges);
  }
  // Every value of every key is reachable through a getter of its own type.
  for (const GgufKeyValue& kv : f.metadata()) {
    switch (kv.value.type()) {
      case GgufValueType::kString:
        EXPECT_TRUE(f.GetString(kv.key).ok());
        break;
      case GgufValueType::kBool:
        EXPECT_TRUE(f.GetBool(kv.key).ok());
        break;
      case GgufValueType::kFloat32:
        EXPECT_TRUE(f.GetF32(kv.key).ok());
        break;
      case GgufValueType::kArray:
        EXPECT_TRUE(f.GetArray(kv.key).ok());
        break;
      default:
        EXPECT_TRUE(f.GetI64(kv.key).ok()) << kv.key;
        break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    LlamaCppVocabularies, VocabFileTest,
    ::testing::Values(
        VocabFact{"ggml-vocab-baichuan.gguf", 18, "baichuan", "llama", 64000, 0, "\xe4\xba\x92"},
        VocabFact{"ggml-vocab-bert-bge.gguf", 20, "bert", "bert", 30522, 0,
                  "\xe2\x96\x81"
                  "amazed"},
        VocabFact{"ggml-vocab-deepseek-coder.gguf", 25, "llama", "gpt2", 32256, 31757, "fony"},
        VocabFact{"ggml-vocab-deepseek-llm.gguf", 23, "llama", "gpt2", 102400, 99757, "Hill"},
        VocabFact{"ggml-vocab-falcon.gguf", 18, "falcon", "gpt2", 65024, 64784, "\xc4\xa0MX"},
        VocabFact{"ggml-vocab-gpt-2.gguf", 16, "gpt2", "gpt2", 50257, 50000, "++++++++"},
        VocabFact{"ggml-vocab-gpt-neox.gguf", 17, "gptneox", "gpt2", 50432, 50009, "Lower"},
        VocabFact{"ggml-vocab-llama-spm.gguf", 22, "llama", "llama", 32000, 0,
                  "\xe2\x96\x81"
                  "deleg"},
        VocabFact{"ggml-vocab-mpt.gguf", 17, "mpt", "gpt2", 50432, 50009, "Lower"},
        VocabFact{"ggml-vocab-phi-3.gguf", 26, "phi3", "llama", 32064, 0,
                  "\xe2\x96\x81"
                  "Import"},
        VocabFact{"ggml-vocab-refact.gguf", 18, "refact", "gpt2", 49216, 48891, "TableRowColor"},
        VocabFact{"ggml-vocab-starcoder.gguf", 19, "starcoder2", "gpt2", 49152, 48872, "bower"}),
    [](const ::testing::TestParamInfo<VocabFact>& info) {
      std::string name = info.param.file;
      name = name.substr(11, name.size() - 11 - 5);  // strip "ggml-vocab-" and ".gguf"
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(LlamaSpmVocabTest, SpecificValues) {
  const GgufFile f =
      MustOpen(testing::SharedDir() / "tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf");
  EXPECT_EQ(*f.GetU32("llama.vocab_size"), 32000u);
  EXPECT_EQ(*f.GetBool("tokenizer.ggml.add_bos_token"), true);
  EXPECT_EQ(*f.GetBool("tokenizer.ggml.add_eos_token"), false);
  EXPECT_EQ(*f.GetString("tokenizer.ggml.pre"), "default");
  EXPECT_EQ(f.bytes().size(), 723869u);  // ends right after the metadata: no padding
  const auto types = *f.GetI32Array("tokenizer.ggml.token_type");
  EXPECT_THAT(std::vector<int32_t>(types.begin(), types.begin() + 3), ElementsAre(2, 3, 3));
}

}  // namespace
}  // namespace docent::llm
