// The vocabulary every tokenizer model shares: token texts, scores and types as a GGUF file
// stores them under tokenizer.ggml.*, with a text -> id index.
//
// Owns copies of all text (it does not borrow from the GgufFile), so it outlives the file.
// Invariant after FromGguf: texts, scores and types have the same length; ids are dense
// [0, size()). Immutable once built; safe to read from many threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/util/status.h"

namespace docent::llm {

// tokenizer.ggml.token_type values, as llama.cpp's converters write them.
enum class TokenType : uint8_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // <s>, <|im_end|>: rendered only on request
  kUserDefined = 4,  // added tokens matched verbatim in text, rendered as their text
  kUnused = 5,
  kByte = 6,  // <0xXX> byte-fallback tokens
};

class TokenizerVocab {
 public:
  // Reads tokenizer.ggml.tokens, and tokenizer.ggml.scores / token_type when present.
  // Corrupt when an array has a different length from tokens, a type is out of range, or
  // the vocabulary is empty.
  static Result<TokenizerVocab> FromGguf(const GgufFile& file);
  // For tests and in-memory builders; same checks (scores/types may be empty = defaults).
  static Result<TokenizerVocab> FromParts(std::span<const std::string_view> texts,
                                          std::span<const float> scores,
                                          std::span<const int32_t> types, std::string name);

  TokenizerVocab(TokenizerVocab&&) noexcept = default;
  TokenizerVocab& operator=(TokenizerVocab&&) noexcept = default;
  TokenizerVocab(const TokenizerVocab&) = delete;
  TokenizerVocab& operator=(const TokenizerVocab&) = delete;

  int32_t size() const { return static_cast<int32_t>(offsets_.size()) - 1; }
  bool Contains(int32_t id) const { return id >= 0 && id < size(); }
  std::string_view Text(int32_t id) const {
    return {arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]};
  }
  float Score(int32_t id) const { return scores_[id]; }
  TokenType Type(int32_t id) const { return types_[id]; }
  // The id of the token whose text is exactly `text`; -1 when there is none. When a text
  // occurs twice (some vocabularies repeat one), the lowest id wins.
  int32_t Find(std::string_view text) const {
    auto it = index_.find(text);
    return it == index_.end() ? -1 : it->second;
  }
  const std::string& name() const { return name_; }

 private:
  TokenizerVocab() = default;

  std::string name_;
  // All texts back to back; a vector (not a string) so that moving keeps the buffer where
  // index_'s keys point, even for a tiny vocabulary that a string would keep inline.
  std::vector<char> arena_;
  std::vector<uint32_t> offsets_;  // size() + 1 entries
  std::vector<float> scores_;
  std::vector<TokenType> types_;
  std::unordered_map<std::string_view, int32_t> index_;
};

// U+2581 (▁): how SentencePiece vocabularies spell a space.
inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";

// The bytes a SentencePiece piece stands for, appended to `out`: a byte piece ("<0x41>") its
// byte, any other piece its text with each ▁ a space.
void AppendSentencePieceBytes(std::string_view piece, TokenType type, std::string& out);

}  // namespace docent::llm
