// Tokenizer behaviour beyond the differential vectors: special tokens as whole ids, BOS /
// EOS policy per model family, control-token rendering, end-of-generation ids, merge
// priority on a hand-built vocabulary, and the UTF-8 hold-back rule of streaming.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/hf_tokenizer_json.h"
#include "docent/llm/pretokenize.h"
#include "docent/llm/tokenizer.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/llm/tokenizer_wordpiece.h"
#include "docent/util/utf8.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<Tokenizer> FromWriter(const GgufWriter& w) {
  std::vector<uint8_t> bytes = w.Serialize();
  auto file = GgufFile::FromBytes(bytes, "test.gguf");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return nullptr;
  auto tok = Tokenizer::FromGguf(*file);
  EXPECT_TRUE(tok.ok()) << tok.status().ToString();
  return tok.ok() ? std::move(tok).value() : nullptr;
}

const Tokenizer& Vocab(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto& slot = cache[name];
  if (!slot) {
    if (name == "qwen2") {
      auto w = VocabGgufFromHfTokenizerJson(testing::SharedDir() /
                                            "tokenizers/qwen3/tokenizer.json");
      EXPECT_TRUE(w.ok()) << w.status().ToString();
      if (w.ok()) slot = FromWriter(*w);
    } else {
      auto f = GgufFile::Open(testing::SharedDir() / "tokenizers/llama.cpp-vocab" /
                              ("ggml-vocab-" + name + ".gguf"));
      EXPECT_TRUE(f.ok()) << f.status().ToString();
      if (f.ok()) {
        auto t = Tokenizer::FromGguf(*f);
        EXPECT_TRUE(t.ok()) << t.status().ToString();
        if (t.ok()) slot = std::move(t).value();
      }
    }
    if (!slot) std::abort();
  }
  return *slot;
}

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(HfTokenizerJsonTest, GuessesPreAndReadsConfig) {
  const Tokenizer& qwen = Vocab("qwen2");  // no pre given: recognised from the regex
  EXPECT_EQ(qwen.pre(), "qwen2");
  EXPECT_EQ(qwen.vocab_size(), 151669);
  EXPECT_EQ(qwen.TokenText(qwen.eos()), "<|im_end|>");  // tokenizer_config.json
  EXPECT_EQ(qwen.bos(), -1);
  EXPECT_FALSE(qwen.add_bos());
  EXPECT_EQ(qwen.TokenTypeOf(151644), TokenType::kControl);       // <|im_start|>, special
  EXPECT_EQ(qwen.TokenTypeOf(151667), TokenType::kUserDefined);   // <think>, not special
}

TEST(SpecialTokensTest, ControlTokensAreWholeIdsOnlyWhenParsed) {
  const Tokenizer& tok = Vocab("qwen2");
  const std::string prompt = "<|im_start|>user\n안녕<|im_end|>\n";
  std::vector<int32_t> parsed = tok.Encode(prompt);
  EXPECT_EQ(parsed.front(), 151644);
  EXPECT_TRUE(Contains(parsed, 151645));
  EXPECT_EQ(tok.Decode(parsed), "user\n안녕\n");  // control tokens render as nothing
  EXPECT_EQ(tok.Decode(parsed, /*render_special=*/true), prompt);

  // Untrusted text: the markers stay text and round-trip byte for byte.
  std::vector<int32_t> plain = tok.Encode(prompt, true, /*parse_special=*/false);
  EXPECT_FALSE(Contains(plain, 151644));
  EXPECT_FALSE(Contains(plain, 151645));
  EXPECT_EQ(tok.Decode(plain), prompt);
}

TEST(SpecialTokensTest, UserDefinedTokensAreAlwaysWholeIds) {
  const Tokenizer& tok = Vocab("qwen2");
  std::vector<int32_t> ids = tok.Encode("<think>왜?</think>", true, /*parse_special=*/false);
  EXPECT_EQ(ids.front(), 151667);
  EXPECT_EQ(ids.back(), 151668);
  EXPECT_EQ(tok.Decode(ids), "<think>왜?</think>");
}

TEST(SpecialTokensTest, LongestTokenWinsAtAPosition) {
  const Tokenizer& tok = Vocab("qwen2");
  // "<|im_start|>" must not be read as a shorter special that is its prefix.
  std::vector<int32_t> ids = tok.Encode("<|im_start|><|im_start|>");
  EXPECT_THAT(ids, ElementsAre(151644, 151644));
}

TEST(TokenizerBosEosTest, EachFamilyAddsWhatItsVocabularyAsksFor) {
  const Tokenizer& spm = Vocab("llama-spm");
  EXPECT_EQ(spm.Encode("Hello").front(), 1);
  EXPECT_EQ(spm.Encode("Hello", false).front(), 15043);
  EXPECT_EQ(spm.Encode(""), std::vector<int32_t>{1});
  EXPECT_TRUE(spm.Encode("", false).empty());
  EXPECT_EQ(spm.Decode(spm.Encode("Hello world")), "Hello world");

  const Tokenizer& bert = Vocab("bert-bge");
  std::vector<int32_t> ids = bert.Encode("Hello world");
  EXPECT_EQ(ids.front(), 101);  // [CLS]
  EXPECT_EQ(ids.back(), 102);   // [SEP]
  EXPECT_EQ(bert.Decode(ids), "hello world");

  const Tokenizer& gpt2 = Vocab("gpt-2");
  EXPECT_FALSE(gpt2.add_bos());
  EXPECT_EQ(gpt2.Encode("Hello"), gpt2.Encode("Hello", false));
}

TEST(TokenizerEndOfGenerationTest, EosAndChatEndMarkers) {
  const Tokenizer& qwen = Vocab("qwen2");
  EXPECT_TRUE(qwen.IsEndOfGeneration(151645));  // <|im_end|>
  EXPECT_TRUE(qwen.IsEndOfGeneration(151643));  // <|endoftext|>
  EXPECT_FALSE(qwen.IsEndOfGeneration(151644));
  EXPECT_FALSE(qwen.IsEndOfGeneration(9707));
  const Tokenizer& phi = Vocab("phi-3");
  EXPECT_TRUE(phi.IsEndOfGeneration(32000));
  EXPECT_TRUE(phi.IsEndOfGeneration(32007));  // <|end|>
}

TEST(TokenizerWordPieceTest, BertNormalisation) {
  EXPECT_THAT(WordPieceSplitWords("Führer, CAFÉ!\t我们x"),
              ElementsAre("fuhrer", ",", "cafe", "!", "我", "们", "x"));
}

// A hand-built byte-level vocabulary where merge priority decides the result.
GgufWriter ToyBpe(std::vector<std::string> merges) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) {
    std::string t;
    // Printable ASCII maps to itself in the GPT-2 alphabet; other bytes only need distinct
    // placeholders that this test never produces.
    if (b >= 0x21 && b <= 0x7E) {
      t.push_back(static_cast<char>(b));
    } else {
      t = "<" + std::to_string(b) + ">";
    }
    tokens.push_back(t);
  }
  for (const char* t : {"ab", "bc", "abc", "cd", "abcd"}) tokens.push_back(t);
  GgufWriter w;
  w.SetString("tokenizer.ggml.model", "gpt2");
  w.SetString("tokenizer.ggml.pre", "gpt-2");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(tokens));
  w.Set("tokenizer.ggml.merges", GgufWriteValue::StringArray(merges));
  return w;
}

TEST(TokenizerBpeMergeTest, LowerRankMergesFirst) {
  auto tok = FromWriter(ToyBpe({"b c", "a b", "ab c"}));
  ASSERT_NE(tok, nullptr);
  // "b c" outranks "a b": a + bc, and "a bc" is not a merge.
  EXPECT_THAT(tok->Encode("abc"), ElementsAre('a', 257));
  auto tok2 = FromWriter(ToyBpe({"a b", "b c", "ab c"}));
  ASSERT_NE(tok2, nullptr);
  EXPECT_THAT(tok2->Encode("abc"), ElementsAre(258));
}

TEST(TokenizerBpeMergeTest, EqualRanksMergeLeftmostFirst) {
  auto tok = FromWriter(ToyBpe({"c d", "a b", "ab cd"}));
  ASSERT_NE(tok, nullptr);
  EXPECT_THAT(tok->Encode("abcd"), ElementsAre(260));
  EXPECT_THAT(tok->Encode("abab"), ElementsAre(256, 256));
}

TEST(PreTokenizerTest, Llama3GroupsDigitsByThreeQwenByOne) {
  auto split = [](const char* pre, std::string_view text) {
    auto spec = PreTokenizerSpecFor(pre);
    EXPECT_TRUE(spec.ok());
    auto p = PreTokenizer::Create(*spec);
    EXPECT_TRUE(p.ok());
    std::vector<std::string_view> pieces;
    p->Split(text, pieces);
    return std::vector<std::string>(pieces.begin(), pieces.end());
  };
  EXPECT_THAT(split("llama-bpe", "1234567"), ElementsAre("123", "456", "7"));
  EXPECT_THAT(split("qwen2", "123"), ElementsAre("1", "2", "3"));
  EXPECT_THAT(split("gpt-2", "I'm  here"), ElementsAre("I", "'m", " ", " here"));
  // Invalid UTF-8 survives splitting byte for byte.
  std::string bad = "a\xff\xfe b";
  std::string joined;
  for (const std::string& s : split("qwen2", bad)) joined += s;
  EXPECT_EQ(joined, bad);
}

TEST(TokenizerStreamingTest, HoldsBackOnlyIncompleteSequences) {
  EXPECT_EQ(IncompleteUtf8Suffix(""), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("abc"), 0u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xEC"), 1u);          // lead of a 3-byte sequence
  EXPECT_EQ(IncompleteUtf8Suffix("a\xEC\x95"), 2u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\xEC\x95\x88"), 0u);  // 안, complete
  EXPECT_EQ(IncompleteUtf8Suffix("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(IncompleteUtf8Suffix("a\x95"), 0u);  // stray continuation: emitted (repaired)
}

TEST(TokenizerStreamingTest, SpmDropsOnlyTheFirstSpacePrefix) {
  const Tokenizer& spm = Vocab("llama-spm");
  std::vector<int32_t> ids = spm.Encode("Hello world");
  StreamingDecoder stream(spm);
  std::string text;
  for (int32_t id : ids) text += stream.Push(id);
  text += stream.Finish();
  EXPECT_EQ(text, "Hello world");
}

// Random bytes (mostly UTF-8 of mixed scripts, some broken) through real vocabularies:
// lossless tokenizers give them back exactly, and streams stay valid UTF-8.
TEST(TokenizerPropertyTest, RandomTextRoundTripsAndStreamsCleanly) {
  const std::vector<std::string> alphabet = {"a", "Z", " ", "  ", "\n", "\t", "7", "'s", "!",
                                             "안", "녕", "한", "é", "ü", "я", "😀", "\xF0\x9F",
                                             "\xFF", "\x80", "我", "<|im_end|>", "ø"};
  std::mt19937 rng(1234);
  for (const char* name : {"gpt-2", "deepseek-llm", "qwen2", "llama-spm", "phi-3"}) {
    const Tokenizer& tok = Vocab(name);
    for (int round = 0; round < 200; ++round) {
      std::string text;
      int n = std::uniform_int_distribution<int>(0, 40)(rng);
      for (int i = 0; i < n; ++i) {
        text += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
      }
      std::vector<int32_t> ids = tok.Encode(text, false, /*parse_special=*/false);
      // DeepSeek LLM's vocabulary holds the symbols of the bytes that never occur in UTF-8
      // (C0, C1, F5-FF) only as added tokens, which also stand for those characters ("ÿ"),
      // so a stray 0xFF there reads back as "ÿ", in llama.cpp as here.
      if (util::IsValidUtf8(text) || std::string_view(name) != "deepseek-llm") {
        ASSERT_EQ(tok.Decode(ids), text) << name << " round " << round;
      }
      StreamingDecoder stream(tok);
      std::string joined;
      for (int32_t id : ids) {
        std::string piece = stream.Push(id);
        ASSERT_TRUE(util::IsValidUtf8(piece)) << name;
        joined += piece;
      }
      joined += stream.Finish();
      // Broken input may be repaired with a different number of U+FFFD when the stream
      // cuts it between tokens; valid input must come back exactly.
      if (util::IsValidUtf8(text)) {
        EXPECT_EQ(joined, text) << name;
      }
    }
  }
}

}  // namespace
}  // namespace docent::llm
