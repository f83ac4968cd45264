// Byte-level BPE ("gpt2" in tokenizer.ggml.model): GPT-2, Llama 3, Qwen2, DeepSeek.
//
// Text is pre-split (pretokenize.h); each piece's bytes become symbols through the GPT-2
// byte alphabet (every byte a printable code point, so token texts are printable), then
// adjacent symbols merge in merge-rank order until no ranked pair is left. Merging keeps
// symbols in a linked list and candidate pairs in a min-heap (rank, then leftmost), with
// stale entries dropped when popped: O(n log n) per piece, so one huge piece (a megabyte
// of spaces) costs no more than many small ones. Lossless: Decode(Encode(s)) == s for any
// bytes. Immutable after Create; Encode is const and reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docent/llm/pretokenize.h"
#include "docent/llm/tokenizer_backend.h"
#include "docent/llm/tokenizer_vocab.h"
#include "docent/util/status.h"

namespace docent::llm {

// The GPT-2 byte alphabet: byte -> code point, and back (-1 for code points outside it).
char32_t ByteToBpeCodePoint(uint8_t byte);
int BpeCodePointToByte(char32_t cp);

class BpeBackend final : public TokenizerBackend {
 public:
  // `merges` are "left right" lines, highest priority first. Corrupt when a line has no
  // separating space or an empty side. Merges naming texts the vocabulary lacks can never
  // apply and are skipped (some published vocabularies carry a few).
  static Result<std::unique_ptr<BpeBackend>> Create(const TokenizerVocab& vocab,
                                                    std::span<const std::string_view> merges,
                                                    PreTokenizer pre, int32_t unk_id);

  void Encode(std::string_view text, bool after_boundary, std::vector<int32_t>& out) const override;
  void AppendTokenBytes(int32_t id, std::string& out) const override;

  size_t skipped_merges() const { return skipped_merges_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  BpeBackend(const TokenizerVocab& vocab, PreTokenizer pre, int32_t unk_id);
  void EncodePiece(std::string_view piece, std::vector<int32_t>& out) const;
  const Merge* FindMerge(int32_t left, int32_t right) const {
    auto it = merges_.find(PairKey(left, right));
    return it == merges_.end() ? nullptr : &it->second;
  }
  static uint64_t PairKey(int32_t l, int32_t r) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
  }

  const TokenizerVocab& vocab_;
  PreTokenizer pre_;
  int32_t unk_id_;
  std::array<int32_t, 256> byte_ids_{};  // token of each single byte; -1 when missing
  std::unordered_map<uint64_t, Merge> merges_;
  size_t skipped_merges_ = 0;
};

}  // namespace docent::llm
