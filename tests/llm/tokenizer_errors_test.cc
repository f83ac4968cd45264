// Vocabularies that are broken or of a kind docent does not read must fail with an error
// that names the problem, never crash or tokenize wrongly. Each is built with GgufWriter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/hf_tokenizer_json.h"
#include "docent/llm/tokenizer.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

// A small valid byte-level BPE vocabulary: the 256 byte symbols, "ab" and one merge.
GgufWriter ValidBpe() {
  GgufWriter w;
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) {
    std::string t;
    // The GPT-2 byte alphabet, written out independently of the code under test.
    int cp = b;
    if (!((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
      int n = 0;
      for (int x = 0; x < b; ++x) {
        if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
          ++n;
        }
      }
      cp = 256 + n;
    }
    if (cp < 0x80) {
      t.push_back(static_cast<char>(cp));
    } else {
      t.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      t.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    tokens.push_back(t);
  }
  tokens.push_back("ab");
  w.SetString("tokenizer.ggml.model", "gpt2");
  w.SetString("tokenizer.ggml.pre", "qwen2");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(tokens));
  w.Set("tokenizer.ggml.merges", GgufWriteValue::StringArray({"a b"}));
  return w;
}

Status Load(const GgufWriter& w) {
  std::vector<uint8_t> bytes = w.Serialize();
  auto file = GgufFile::FromBytes(bytes, "vocab.gguf");
  if (!file.ok()) return file.status();
  return Tokenizer::FromGguf(*file).status();
}

TEST(TokenizerErrorsTest, ValidBaselineLoadsAndMerges) {
  GgufWriter w = ValidBpe();
  std::vector<uint8_t> bytes = w.Serialize();
  auto file = GgufFile::FromBytes(bytes, "vocab.gguf");
  ASSERT_TRUE(file.ok());
  auto tok = Tokenizer::FromGguf(*file);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  EXPECT_EQ((*tok)->Encode("ab"), std::vector<int32_t>{256});
  EXPECT_EQ((*tok)->Decode((*tok)->Encode("xab ab\xff")), "xab ab\xff");
}

TEST(TokenizerErrorsTest, UnknownModelIsUnsupported) {
  GgufWriter w = ValidBpe();
  w.SetString("tokenizer.ggml.model", "rwkv");
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_THAT(s.message(), HasSubstr("\"rwkv\""));
}

TEST(TokenizerErrorsTest, UnknownPreTokenizerIsUnsupported) {
  GgufWriter w = ValidBpe();
  w.SetString("tokenizer.ggml.pre", "martian");
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_THAT(s.message(), HasSubstr("martian"));
  EXPECT_THAT(s.message(), HasSubstr("vocab.gguf"));
}

TEST(TokenizerErrorsTest, MissingModelKeyIsCorrupt) {
  GgufWriter w;
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray({"a"}));
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("tokenizer.ggml.model"));
}

TEST(TokenizerErrorsTest, ScoresOfTheWrongLengthAreCorrupt) {
  GgufWriter w = ValidBpe();
  std::vector<float> scores(10, 0.0f);
  w.Set("tokenizer.ggml.scores", GgufWriteValue::F32Array(scores));
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("tokenizer.ggml.scores has 10 entries"));
}

TEST(TokenizerErrorsTest, TokenTypesOfTheWrongLengthOrRangeAreCorrupt) {
  GgufWriter w = ValidBpe();
  std::vector<int32_t> types(3, 1);
  w.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("token_type has 3 entries"));

  types.assign(257, 1);
  types[7] = 42;
  w.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("token_type[7] is 42"));
}

TEST(TokenizerErrorsTest, MergeLineWithoutTwoSidesIsCorrupt) {
  for (const char* bad : {"ab", "a ", " ", ""}) {
    GgufWriter w = ValidBpe();
    w.Set("tokenizer.ggml.merges", GgufWriteValue::StringArray({"a b", bad}));
    Status s = Load(w);
    EXPECT_EQ(s.code(), StatusCode::kCorrupt) << "\"" << bad << "\"";
    EXPECT_THAT(s.message(), HasSubstr("tokenizer.ggml.merges[1]"));
  }
}

TEST(TokenizerErrorsTest, MissingMergesAreCorrupt) {
  GgufWriter w;
  w.SetString("tokenizer.ggml.model", "gpt2");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray({"a", "b"}));
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("tokenizer.ggml.merges"));
}

TEST(TokenizerErrorsTest, SpecialIdsOutsideTheVocabularyAreCorrupt) {
  for (const char* key : {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                          "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id"}) {
    GgufWriter w = ValidBpe();
    w.SetU32(key, 5000);
    Status s = Load(w);
    EXPECT_EQ(s.code(), StatusCode::kCorrupt) << key;
    EXPECT_THAT(s.message(), HasSubstr(key));
    EXPECT_THAT(s.message(), HasSubstr("5000"));
  }
}

TEST(TokenizerErrorsTest, EmptyVocabularyIsCorrupt) {
  GgufWriter w;
  w.SetString("tokenizer.ggml.model", "llama");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray({}));
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST(TokenizerErrorsTest, WrongValueTypeIsCorrupt) {
  GgufWriter w = ValidBpe();
  w.SetString("tokenizer.ggml.bos_token_id", "one");
  Status s = Load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("bos_token_id"));
}

TEST(HfTokenizerJsonErrorsTest, MissingFileBadJsonAndWrongModel) {
  testing::TempDir dir;
  auto missing = VocabGgufFromHfTokenizerJson(dir / "nope.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  auto bad = VocabGgufFromHfTokenizerJson(dir.Write("bad.json", "{\"model\": [1, 2"));
  EXPECT_EQ(bad.status().code(), StatusCode::kCorrupt);
  EXPECT_THAT(bad.status().message(), HasSubstr("not valid JSON"));

  auto wordpiece = VocabGgufFromHfTokenizerJson(dir.Write(
      "wp.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}, "pre_tokenizer": null})"));
  EXPECT_EQ(wordpiece.status().code(), StatusCode::kUnsupported);

  auto bad_merge = VocabGgufFromHfTokenizerJson(dir.Write(
      "m.json", R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [7]},
                   "pre_tokenizer": {"type": "ByteLevel"}})"));
  EXPECT_EQ(bad_merge.status().code(), StatusCode::kCorrupt);
  EXPECT_THAT(bad_merge.status().message(), HasSubstr("merges[0]"));
}

}  // namespace
}  // namespace docent::llm
