// Finds special tokens in input text so that they become single ids and are never split:
// control tokens (<|im_start|>, <s>; only when the caller asks to parse special tokens)
// and user-defined added tokens (always, as llama.cpp does for prompts and documents).
//
// Matching is leftmost-longest: scanning left to right, at each position the longest token
// that starts there wins; a first-byte table skips positions where no token can start.
// Immutable after construction; Partition is const and reentrant. Holds a reference to
// `vocab`, which must outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "docent/llm/tokenizer_vocab.h"

namespace docent::llm {

struct TextFragment {
  int32_t token = -1;     // >= 0: this fragment is that special token
  std::string_view text;  // the input it covers
};

class SpecialTokenMatcher {
 public:
  explicit SpecialTokenMatcher(const TokenizerVocab& vocab);

  // Appends `text` cut into plain runs (token -1, never empty) and special tokens.
  void Partition(std::string_view text, bool parse_special, std::vector<TextFragment>& out) const;
  size_t size() const { return count_; }

 private:
  const TokenizerVocab& vocab_;
  // Candidate ids by first byte, longest text first (lowest id on equal length).
  std::array<std::vector<int32_t>, 256> by_first_byte_;
  size_t count_ = 0;
};

}  // namespace docent::llm
