// Differential tests: docent's tokenizers against ids that llama.cpp and Hugging Face
// produced, never against docent's own output.
//  - llama.cpp's tokenizer test vectors (shared/tokenizers/llama.cpp-vocab/X.gguf.inp /
//    .out). qwen2 and llama-bpe have no vocabulary GGUF there; theirs is built from the
//    Hugging Face tokenizer.json with hf_tokenizer_json.h (llama.cpp matches those).
//  - shared/tokenizers/reference_tokens.json: HF ids for Korean and English with the Qwen3
//    and Llama 3 vocabularies, plus streaming decoding of the same ids.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/hf_tokenizer_json.h"
#include "docent/llm/tokenizer.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/util/utf8.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

std::filesystem::path VocabDir() { return testing::SharedDir() / "tokenizers/llama.cpp-vocab"; }

struct VocabCase {
  std::string text;
  std::vector<int32_t> ids;
};

// .inp: cases separated by "\n__ggml_vocab_test__\n" (the file ends with one);
// .out: one line of space-separated ids per case.
std::vector<VocabCase> LoadCases(const std::string& vocab) {
  const std::string inp = testing::ReadFileOrEmpty(VocabDir() / (vocab + ".gguf.inp"));
  const std::string out = testing::ReadFileOrEmpty(VocabDir() / (vocab + ".gguf.out"));
  EXPECT_FALSE(inp.empty() || out.empty()) << vocab;
  const std::string marker = "\n__ggml_vocab_test__\n";
  std::vector<VocabCase> cases;
  for (size_t pos = 0; pos < inp.size();) {
    size_t end = inp.find(marker, pos);
    if (end == std::string::npos) break;
    cases.push_back({inp.substr(pos, end - pos), {}});
    pos = end + marker.size();
  }
  std::istringstream lines(out);
  std::string line;
  size_t i = 0;
  while (std::getline(lines, line)) {
    if (i >= cases.size()) {
      ADD_FAILURE() << vocab << ": more output lines than cases";
      break;
    }
    std::istringstream nums(line);
    int32_t id;
    while (nums >> id) cases[i].ids.push_back(id);
    ++i;
  }
  EXPECT_EQ(i, cases.size()) << vocab << ": output lines vs cases";
  return cases;
}

std::unique_ptr<Tokenizer> FromGgufPath(const std::filesystem::path& path) {
  auto file = GgufFile::Open(path);
  if (!file.ok()) {
    ADD_FAILURE() << file.status().ToString();
    return nullptr;
  }
  auto tok = Tokenizer::FromGguf(*file);
  if (!tok.ok()) {
    ADD_FAILURE() << tok.status().ToString();
    return nullptr;
  }
  return std::move(tok).value();
}

std::unique_ptr<Tokenizer> FromHfJson(const std::string& dir, const std::string& pre) {
  HfTokenizerJsonOptions options;
  options.pre = pre;
  auto writer = VocabGgufFromHfTokenizerJson(testing::SharedDir() / "tokenizers" / dir /
                                                 "tokenizer.json",
                                             options);
  if (!writer.ok()) {
    ADD_FAILURE() << writer.status().ToString();
    return nullptr;
  }
  std::vector<uint8_t> bytes = writer->Serialize();
  auto file = GgufFile::FromBytes(bytes, dir + ".gguf");
  if (!file.ok()) {
    ADD_FAILURE() << file.status().ToString();
    return nullptr;
  }
  auto tok = Tokenizer::FromGguf(*file);
  if (!tok.ok()) {
    ADD_FAILURE() << tok.status().ToString();
    return nullptr;
  }
  return std::move(tok).value();
}

// Loading a 150k-token vocabulary takes a moment: each one is built once per process.
const Tokenizer* Get(const std::string& vocab) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto it = cache.find(vocab);
  if (it != cache.end()) return it->second.get();
  std::unique_ptr<Tokenizer> tok;
  if (vocab == "qwen2") {
    tok = FromHfJson("qwen3", "qwen2");
  } else if (vocab == "llama-bpe") {
    tok = FromHfJson("llama3", "llama-bpe");
  } else {
    tok = FromGgufPath(VocabDir() / ("ggml-vocab-" + vocab + ".gguf"));
  }
  return cache.emplace(vocab, std::move(tok)).first->second.get();
}

std::string Ids(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += " " + std::to_string(id);
  return s;
}

class TokenizerLlamaCppTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenizerLlamaCppTest, EveryCaseMatchesLlamaCpp) {
  const std::string vocab = GetParam();
  const Tokenizer* tok = Get(vocab);
  ASSERT_NE(tok, nullptr);
  std::vector<VocabCase> cases = LoadCases("ggml-vocab-" + vocab);
  ASSERT_GE(cases.size(), 30u);
  int matched = 0;
  for (const VocabCase& c : cases) {
    // llama.cpp's test tokenizes without BOS/EOS and with special-token parsing on.
    std::vector<int32_t> got = tok->Encode(c.text, /*add_special=*/false);
    EXPECT_EQ(Ids(got), Ids(c.ids)) << vocab << " text: \"" << c.text << "\"";
    matched += got == c.ids;
  }
  EXPECT_EQ(matched, static_cast<int>(cases.size())) << vocab;
  std::printf("[ %s ] %d / %zu llama.cpp cases match\n", vocab.c_str(), matched, cases.size());
}

TEST_P(TokenizerLlamaCppTest, DecodeInvertsEncode) {
  const std::string vocab = GetParam();
  const Tokenizer* tok = Get(vocab);
  ASSERT_NE(tok, nullptr);
  for (const VocabCase& c : LoadCases("ggml-vocab-" + vocab)) {
    std::string decoded = tok->Decode(tok->Encode(c.text, false));
    if (tok->kind() == TokenizerKind::kBytePairBpe) {
      // Byte-level BPE is lossless on any input.
      EXPECT_EQ(decoded, c.text) << vocab;
    } else if (tok->kind() == TokenizerKind::kSentencePiece) {
      // SentencePiece keeps every byte; only the space prefix it adds is dropped again.
      EXPECT_EQ(decoded, c.text) << vocab;
    } else {
      // WordPiece lowercases and drops accents and spacing: check it is valid text.
      EXPECT_TRUE(util::IsValidUtf8(decoded)) << vocab;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, TokenizerLlamaCppTest,
                         ::testing::Values("gpt-2", "deepseek-llm", "llama-spm", "phi-3",
                                           "bert-bge", "qwen2", "llama-bpe"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

struct ReferenceCase {
  std::string vocab;  // "qwen3" or "llama3", as the file names them
  std::string text;
  std::vector<int32_t> ids;
};

std::vector<ReferenceCase> LoadReference() {
  const std::string raw =
      testing::ReadFileOrEmpty(testing::SharedDir() / "tokenizers/reference_tokens.json");
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
  std::vector<ReferenceCase> cases;
  if (!j.is_object()) {
    ADD_FAILURE() << "reference_tokens.json is missing or not JSON";
    return cases;
  }
  for (const auto& [vocab, entries] : j.items()) {
    for (const auto& e : entries) {
      cases.push_back({vocab, e["text"].get<std::string>(), e["ids"].get<std::vector<int32_t>>()});
    }
  }
  return cases;
}

const Tokenizer* ForReferenceVocab(const std::string& vocab) {
  return Get(vocab == "qwen3" ? "qwen2" : "llama-bpe");
}

TEST(HfReferenceTokensTest, EveryStringMatchesHuggingFace) {
  std::vector<ReferenceCase> cases = LoadReference();
  ASSERT_EQ(cases.size(), 12u);
  for (const ReferenceCase& c : cases) {
    const Tokenizer* tok = ForReferenceVocab(c.vocab);
    ASSERT_NE(tok, nullptr);
    std::vector<int32_t> got = tok->Encode(c.text, /*add_special=*/false);
    EXPECT_EQ(Ids(got), Ids(c.ids)) << c.vocab << ": " << c.text;
    EXPECT_EQ(tok->Decode(c.ids), c.text) << c.vocab;
  }
}

// Every piece a stream emits must be whole UTF-8, and together they must equal Decode:
// byte-level BPE splits Hangul syllables across tokens, so this exercises the hold-back.
void ExpectStreamsCleanly(const Tokenizer& tok, const std::vector<int32_t>& ids,
                          size_t& held_back) {
  StreamingDecoder stream(tok);
  std::string joined;
  for (int32_t id : ids) {
    std::string piece = stream.Push(id);
    EXPECT_TRUE(util::IsValidUtf8(piece)) << "broken piece after token " << id;
    if (stream.pending_bytes() > 0) ++held_back;
    joined += piece;
  }
  std::string rest = stream.Finish();
  EXPECT_TRUE(util::IsValidUtf8(rest));
  joined += rest;
  EXPECT_EQ(joined, tok.Decode(ids));
}

TEST(TokenizerStreamingTest, KoreanIdsOneAtATimeNeverBreakACharacter) {
  size_t held_back = 0;
  for (const ReferenceCase& c : LoadReference()) {
    const Tokenizer* tok = ForReferenceVocab(c.vocab);
    ASSERT_NE(tok, nullptr);
    ExpectStreamsCleanly(*tok, c.ids, held_back);
  }
  EXPECT_GT(held_back, 0u) << "no case split a character across tokens";
}

TEST(TokenizerStreamingTest, SentencePieceByteFallbackStreamsWholeCharacters) {
  const Tokenizer* tok = Get("llama-spm");
  ASSERT_NE(tok, nullptr);
  const std::string text = "임종석이 여의도 농민 폭력 시위를 주도한 혐의로 뷁 똠방각하";
  std::vector<int32_t> ids = tok->Encode(text, false);
  bool bytes_used = false;
  for (int32_t id : ids) bytes_used |= tok->TokenTypeOf(id) == TokenType::kByte;
  EXPECT_TRUE(bytes_used);
  size_t held_back = 0;
  ExpectStreamsCleanly(*tok, ids, held_back);
  EXPECT_GT(held_back, 0u);
  EXPECT_EQ(tok->Decode(ids), text);
}

// About 1 MiB of real Korean and English prose: KorQuAD paragraphs and SciFact abstracts
// (the raw JSONL lines, so markup and digits come along), alternating; the reference
// strings repeated when the eval sets are absent.
std::string LongMixedText() {
  const std::string korean =
      testing::ReadFileOrEmpty(testing::SharedDir() / "eval/korquad-dev/corpus.jsonl");
  const std::string english =
      testing::ReadFileOrEmpty(testing::SharedDir() / "eval/scifact/corpus.jsonl");
  std::string text;
  if (!korean.empty() && !english.empty()) {
    const size_t chunk = 64 * 1024;
    for (size_t k = 0, e = 0; text.size() < (1u << 20);) {
      // Cut on line ends so no character is split.
      auto take = [&](const std::string& src, size_t& pos) {
        if (pos >= src.size()) pos = 0;
        size_t end = src.find('\n', std::min(src.size(), pos + chunk));
        end = end == std::string::npos ? src.size() : end + 1;
        text.append(src, pos, end - pos);
        pos = end;
      };
      take(korean, k);
      take(english, e);
    }
    return text;
  }
  std::string unit;
  for (const ReferenceCase& c : LoadReference()) unit += c.text + "\n";
  while (text.size() < (1u << 20)) text += unit;
  return text;
}

// Encode is const and keeps no shared scratch state: threads must agree with one another.
TEST(TokenizerConcurrencyTest, ParallelEncodesAgree) {
  const Tokenizer* tok = Get("qwen2");
  ASSERT_NE(tok, nullptr);
  const std::string text = LongMixedText().substr(0, 64 * 1024);
  const std::vector<int32_t> expected = tok->Encode(text);
  std::vector<std::vector<int32_t>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] { got[t] = tok->Encode(text); });
  }
  for (auto& th : threads) th.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

// Not a benchmark (bench/ holds those): a guard that merging stays near-linear, with the
// rate printed for the record.
TEST(TokenizerSpeedTest, LongKoreanEnglishTextEncodesQuickly) {
  const std::string text = LongMixedText();
  for (const char* vocab : {"qwen2", "llama-bpe", "llama-spm", "bert-bge"}) {
    const Tokenizer* tok = Get(vocab);
    ASSERT_NE(tok, nullptr);
    auto start = std::chrono::steady_clock::now();
    std::vector<int32_t> ids = tok->Encode(text);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[ %s ] %zu bytes -> %zu tokens in %.3f s: %.0f tokens/s, %.1f MB/s\n", vocab,
                text.size(), ids.size(), seconds, ids.size() / seconds,
                text.size() / seconds / 1e6);
    EXPECT_LT(seconds, 30.0) << vocab;
  }
  // One enormous pre-token: quadratic merging would take minutes here.
  const Tokenizer* tok = Get("qwen2");
  std::string spaces(200000, ' ');
  auto start = std::chrono::steady_clock::now();
  std::vector<int32_t> ids = tok->Encode(spaces);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(tok->Decode(ids), spaces);
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace docent::llm
