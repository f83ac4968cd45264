// WordPiece ("bert" in tokenizer.ggml.model): BERT, BGE, MiniLM and other encoders.
//
// Text is normalised the way BERT's basic tokenizer describes it: control characters
// dropped, accents stripped (NFD, then combining marks removed) and letters lowercased, CJK
// ideographs and punctuation made words of their own, whitespace separating words. Each
// word is then cut greedily into the longest vocabulary tokens from the left; a word with
// any uncoverable part (or longer than 100 characters) becomes the unknown token.
//
// Two vocabulary spellings exist and are detected from the tokens: Hugging Face's, where
// continuation pieces carry "##", and llama.cpp's converted one, where word-initial pieces
// carry "▁" and continuations are bare. Immutable after Create; Encode is const and
// reentrant. Holds a reference to `vocab`, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "docent/llm/tokenizer_backend.h"
#include "docent/llm/tokenizer_vocab.h"

namespace docent::llm {

// The BERT normalisation and split alone (lowercased, accents stripped), for tests.
std::vector<std::string> WordPieceSplitWords(std::string_view text);

class WordPieceBackend final : public TokenizerBackend {
 public:
  static std::unique_ptr<WordPieceBackend> Create(const TokenizerVocab& vocab, int32_t unk_id);

  void Encode(std::string_view text, bool after_boundary, std::vector<int32_t>& out) const override;
  void AppendTokenBytes(int32_t id, std::string& out) const override;
  bool AddsLeadingSpace() const override { return true; }

 private:
  WordPieceBackend(const TokenizerVocab& vocab, int32_t unk_id, bool hash_continuation)
      : vocab_(vocab), unk_id_(unk_id), hash_continuation_(hash_continuation) {}
  void EncodeWord(std::string_view word, std::vector<int32_t>& out) const;

  const TokenizerVocab& vocab_;
  int32_t unk_id_;
  bool hash_continuation_;  // "##" style; otherwise "▁" word-start style
  size_t max_token_bytes_ = 0;
};

}  // namespace docent::llm
