// The SentencePiece Unigram tokenizer ("t5") against SentencePiece itself. No real XLM-R
// vocabulary can be had here, so the suite trains a real one: Debian's spm_train (Unigram,
// nmt_nfkc normalization, whose compiled character map goes into the GGUF) on the shared
// KorQuAD and SQuAD passages, 8,000 pieces, in a temporary folder at set-up (about ten
// seconds). The model file is read by docent's own protobuf reader and written as llama.cpp's
// converter writes XLM-RoBERTa (<s> <pad> </s> <unk> first, then the pieces one id up), and
// docent's ids for Korean and English sentences are compared with `spm_encode
// --output_format=id` on the same model, mapped the same way.
#include "docent/llm/tokenizer_ugm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "docent/llm/gguf_file.h"
#include "docent/llm/sentencepiece_model.h"
#include "docent/llm/tokenizer.h"
#include "llm/spm_vocab.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

// The GGUF id of a piece spm_train numbered `spm_id` (its unk 0, bos 1, eos 2 become the
// converter's <unk> 3, <s> 0, </s> 2; the rest move one up).
int32_t GgufId(int32_t spm_id) {
  switch (spm_id) {
    case 0:
      return 3;
    case 1:
      return 0;
    case 2:
      return 2;
    default:
      return spm_id + 1;
  }
}

class UgmTokenizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    synth::TrainedVocab trained;
    synth::TrainVocab(dir_->path(), trained);
    ASSERT_FALSE(trained.model.pieces.empty());
    *samples_ = trained.samples;
    const SentencePieceModel* model = &trained.model;
    pieces_ = model->pieces.size();
    GgufWriter w;
    w.SetString("general.architecture", "bert");
    ASSERT_TRUE(SetXlmRobertaVocab(*model, static_cast<uint32_t>(pieces_ + 2), w).ok());
    ASSERT_TRUE(w.WriteFile(dir_->path() / "vocab.gguf").ok());
    auto file = GgufFile::Open(dir_->path() / "vocab.gguf");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto tok = Tokenizer::FromGguf(*file);
    ASSERT_TRUE(tok.ok()) << tok.status().ToString();
    tokenizer_ = tok->release();
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    delete dir_;
  }

  // `spm_encode` on each line, ids mapped to the GGUF's.
  static std::vector<std::vector<int32_t>> SpmEncode(const std::vector<std::string>& lines) {
    const std::filesystem::path in = dir_->path() / "lines.txt";
    const std::filesystem::path out = dir_->path() / "ids.txt";
    {
      std::ofstream f(in);
      for (const std::string& l : lines) f << l << '\n';
    }
    const std::string command = "spm_encode --model=" + (dir_->path() / "ugm.model").string() +
                                " --output_format=id < " + in.string() + " > " + out.string();
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::vector<std::vector<int32_t>> ids;
    std::ifstream f(out);
    std::string line;
    while (std::getline(f, line)) {
      std::istringstream words(line);
      std::vector<int32_t> row;
      for (int32_t id; words >> id;) row.push_back(GgufId(id));
      ids.push_back(std::move(row));
    }
    return ids;
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline Tokenizer* tokenizer_ = nullptr;
  static inline size_t pieces_ = 0;
  static inline std::vector<std::string>* samples_ = new std::vector<std::string>();
};

TEST_F(UgmTokenizerTest, TheVocabularyLoadsAsXlmRoberta) {
  const Tokenizer& t = *tokenizer_;
  EXPECT_EQ(t.kind(), TokenizerKind::kUnigram);
  EXPECT_EQ(t.vocab_size(), static_cast<int32_t>(pieces_ + 2));
  EXPECT_EQ(t.bos(), 0);
  EXPECT_EQ(t.eos(), 2);
  EXPECT_EQ(t.unk(), 3);
  EXPECT_EQ(t.TokenText(0), "<s>");
  EXPECT_EQ(t.TokenText(3), "<unk>");
  EXPECT_EQ(t.TokenTypeOf(t.vocab_size() - 1), TokenType::kUnused);
  // <s> ... </s> around the pieces.
  const std::vector<int32_t> ids = t.Encode("Hello world");
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), 0);
  EXPECT_EQ(ids.back(), 2);
}

TEST_F(UgmTokenizerTest, IdsMatchSentencePieceOnKoreanAndEnglishText) {
  std::vector<std::string> lines = *samples_;
  ASSERT_GE(lines.size(), 60u);
  // What the character map and the space rules must get right: NFKC (full-width letters,
  // circled digits, ligatures, compatibility jamo), runs and edges of spaces, tabs, characters
  // the vocabulary lacks (unknown, merged when adjacent), mixed scripts.
  for (const char* edge :
       {"  leading and trailing spaces  ", "many     spaces   between", "tab\tseparated\twords",
        "ＦＵＬＬ ｗｉｄｔｈ １２３", "①② ㈜한빛 ﬁnance ㎏", "ㅎㅎ ㄱㄴㄷ", "e\xCC\x81t\xC3\xA9",
        "emoji 😀😀 and 𠀀𠀁 rare", "docent는 RAG를 씁니다. 연차휴가는 15일이다.",
        "2016년 9월 2·26 사건", "(괄호) [대괄호] {중괄호} \"따옴표\" ‘작은’"}) {
    lines.push_back(edge);
  }
  const std::vector<std::vector<int32_t>> expected = SpmEncode(lines);
  ASSERT_EQ(expected.size(), lines.size());
  size_t equal = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<int32_t> got = tokenizer_->Encode(lines[i], /*add_special=*/false);
    EXPECT_EQ(got, expected[i]) << "line " << i << ": " << lines[i];
    equal += got == expected[i];
  }
  EXPECT_EQ(equal, lines.size());
}

TEST_F(UgmTokenizerTest, DecodingGivesBackTheNormalizedText) {
  const Tokenizer& t = *tokenizer_;
  for (const char* text : {"Hello world, this is docent.", "연차휴가는 근속 기간에 따라 다르다."}) {
    EXPECT_EQ(t.Decode(t.Encode(text)), text) << text;
  }
  // NFKC folds full-width letters; spaces fold too.
  EXPECT_EQ(t.Decode(t.Encode("ＡＢＣ   def")), "ABC def");
}

TEST(UgmBackendTest, ACorruptCharacterMapIsRefused) {
  const std::string_view texts[] = {"<s>", "<pad>", "</s>", "<unk>",
                                    "\xE2\x96\x81"
                                    "a"};
  const float scores[] = {0, 0, 0, 0, -1};
  const int32_t types[] = {3, 3, 3, 2, 1};
  auto vocab = TokenizerVocab::FromParts(texts, scores, types, "tiny");
  ASSERT_TRUE(vocab.ok());
  // A trie size that runs past the map, and a map shorter than its size field.
  const uint8_t past[] = {4, 0, 0, 0, 1, 2, 3, 4};  // a 4-byte trie and nothing after it
  const uint8_t short_map[] = {4, 0};
  for (std::span<const uint8_t> map :
       {std::span<const uint8_t>(past), std::span<const uint8_t>(short_map)}) {
    UgmBackend::Options options;
    options.charsmap = map;
    auto b = UgmBackend::Create(*vocab, 3, options);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), StatusCode::kCorrupt);
  }
  // A vocabulary whose unknown id is not its unknown token, or with a score that is not a
  // number, is refused.
  EXPECT_EQ(UgmBackend::Create(*vocab, 4, {}).status().code(), StatusCode::kCorrupt);
  const float nan_scores[] = {0, 0, 0, 0, std::nanf("")};
  auto nan_vocab = TokenizerVocab::FromParts(texts, nan_scores, types, "nan");
  ASSERT_TRUE(nan_vocab.ok());
  EXPECT_EQ(UgmBackend::Create(*nan_vocab, 3, {}).status().code(), StatusCode::kCorrupt);
  // Without a map, text still encodes: ▁a is a piece; ▁ and b are unknown, and merge.
  UgmBackend::Options prefixed;
  prefixed.add_space_prefix = true;
  auto plain = UgmBackend::Create(*vocab, 3, prefixed);
  ASSERT_TRUE(plain.ok());
  std::vector<int32_t> ids;
  (*plain)->Encode("a b", /*after_boundary=*/true, ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{4, 3}));
}

TEST(SentencePieceModelTest, MalformedFilesAreCorruptNamingTheByte) {
  const uint8_t truncated[] = {0x0A, 0x20, 0x0A};  // a 32-byte piece with 1 byte left
  auto m = ReadSentencePieceModel(truncated, "bad.model");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(m.status().message().find("bad.model"), std::string::npos);
  EXPECT_NE(m.status().message().find("byte"), std::string::npos);
  EXPECT_FALSE(ReadSentencePieceModel({}, "empty.model").ok());
}

}  // namespace
}  // namespace docent::llm
