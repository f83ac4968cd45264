// SentencePiece BPE ("llama" in tokenizer.ggml.model): Llama 2, Phi-3, TinyLlama, stories.
//
// Spaces become U+2581 (▁), with one ▁ put in front of the text when add_space_prefix is
// set; then the text's characters merge pairwise, always the adjacent pair whose joined
// text is the vocabulary token with the highest score (leftmost on ties), until no joined
// pair is a token. A character left without a token falls back to its bytes' <0xXX>
// tokens, or to the unknown token when the vocabulary has none. Heap + linked list, so
// O(n log n) in the length of the text. Immutable after Create; Encode is const and
// reentrant. Holds a reference to `vocab`, which must outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "docent/llm/tokenizer_backend.h"
#include "docent/llm/tokenizer_vocab.h"

namespace docent::llm {

class SpmBackend final : public TokenizerBackend {
 public:
  static std::unique_ptr<SpmBackend> Create(const TokenizerVocab& vocab, int32_t unk_id,
                                            bool add_space_prefix);

  void Encode(std::string_view text, bool after_boundary, std::vector<int32_t>& out) const override;
  void AppendTokenBytes(int32_t id, std::string& out) const override;
  bool AddsLeadingSpace() const override { return add_space_prefix_; }

 private:
  SpmBackend(const TokenizerVocab& vocab, int32_t unk_id, bool add_space_prefix)
      : vocab_(vocab), unk_id_(unk_id), add_space_prefix_(add_space_prefix) {}

  const TokenizerVocab& vocab_;
  int32_t unk_id_;
  bool add_space_prefix_;
  std::array<int32_t, 256> byte_ids_{};  // the <0xXX> token of each byte; -1 when missing
};

}  // namespace docent::llm
