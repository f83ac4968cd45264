// SentencePiece Unigram ("t5" in tokenizer.ggml.model): XLM-RoBERTa's vocabulary, which
// bge-m3, bge-reranker-v2-m3 and multilingual-e5 (base, large) ship, and T5's.
//
// Encoding, as llama.cpp does it, so that ids match llama.cpp's for the same GGUF:
//  1. Normalization, longest match first at each position: a user-defined token's text passes
//     as it is; else the precompiled character map (tokenizer.ggml.precompiled_charsmap, the
//     NFKC-style table spm_train compiles: a double-array trie over bytes whose values index
//     NUL-terminated replacements) gives the replacement; else one UTF-8 character is kept
//     (an invalid byte becomes U+FFFD). Spaces become U+2581 (▁); add_space_prefix puts one in
//     front of the first word, remove_extra_whitespaces drops leading and trailing spaces and
//     folds runs into one (and then every word, the first included, opens with ▁).
//  2. The most probable segmentation (Viterbi over byte positions): each vocabulary piece
//     (normal, user-defined at score 0, unused) that matches adds its log-probability score;
//     a character no piece starts with costs the lowest normal score minus 10 as the unknown
//     token. On ties the segmentation found first stays. Consecutive unknown tokens merge.
// Immutable after Create; Encode is const and reentrant. Holds a reference to `vocab`, which
// must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "docent/llm/tokenizer_backend.h"
#include "docent/llm/tokenizer_vocab.h"
#include "docent/util/status.h"

namespace docent::llm {

class UgmBackend final : public TokenizerBackend {
 public:
  struct Options {
    std::span<const uint8_t> charsmap;  // may be empty: no character map
    bool add_space_prefix = false;
    bool remove_extra_whitespaces = false;
  };
  // Corrupt when the character map's trie size runs past the map, when `unk_id` is not the
  // vocabulary's unknown token, or when a piece's score is not a finite number. (A map value
  // outside the replacements, or one not terminated, is ignored where it is met: that input
  // keeps its character.)
  static Result<std::unique_ptr<UgmBackend>> Create(const TokenizerVocab& vocab, int32_t unk_id,
                                                    const Options& options);

  void Encode(std::string_view text, bool after_boundary, std::vector<int32_t>& out) const override;
  void AppendTokenBytes(int32_t id, std::string& out) const override;
  bool AddsLeadingSpace() const override { return add_space_prefix_; }

  // Step 1 alone; `prefix` asks for the leading ▁ of add_space_prefix.
  std::string Normalize(std::string_view text, bool prefix) const;

 private:
  UgmBackend(const TokenizerVocab& vocab, int32_t unk_id) : vocab_(vocab), unk_id_(unk_id) {}

  // The normalized bytes of the longest match at `pos` of `text`, and how many input bytes it
  // consumed (>= 1).
  std::pair<std::string_view, size_t> NormalizePrefix(std::string_view text, size_t pos,
                                                      std::string& scratch) const;
  // The length of the longest run of bytes at `pos` that follows the user-defined tokens'
  // trie, complete token or not (as llama.cpp matches them).
  size_t UserDefinedPrefix(std::string_view text, size_t pos) const;

  const TokenizerVocab& vocab_;
  int32_t unk_id_;
  bool add_space_prefix_ = false;
  bool remove_extra_whitespaces_ = false;
  std::vector<uint32_t> units_;  // the character map's double-array trie
  std::string replacements_;     // its NUL-terminated replacement strings
  // The user-defined tokens' texts as a byte trie: node -> byte -> child (node 0 is the root).
  std::vector<std::map<uint8_t, uint32_t>> user_trie_;
  // Normal, user-defined and unused pieces by text (the segmentation's candidates).
  std::unordered_map<std::string_view, int32_t> pieces_;
  size_t max_piece_bytes_ = 0;
  double unk_score_ = 0;
};

}  // namespace docent::llm
