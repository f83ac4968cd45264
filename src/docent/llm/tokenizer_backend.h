// The interface between Tokenizer (special tokens, BOS/EOS, decoding policy) and the three
// vocabulary algorithms behind it: byte-level BPE, SentencePiece BPE and WordPiece.
//
// A backend sees only plain text: Tokenizer has already cut special tokens out. Backends
// are immutable after construction; both calls are const and reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace docent::llm {

class TokenizerBackend {
 public:
  virtual ~TokenizerBackend() = default;

  // Appends the ids for `text`, a run of input with no special tokens in it.
  // `after_boundary` is true for the first run of the input and for a run right after a
  // special token (SentencePiece adds its space prefix only there).
  virtual void Encode(std::string_view text, bool after_boundary,
                      std::vector<int32_t>& out) const = 0;

  // Appends the bytes a normal or byte token stands for (not control / user-defined
  // tokens: Tokenizer renders those itself).
  virtual void AppendTokenBytes(int32_t id, std::string& out) const = 0;

  // True when Encode puts a space in front of the first word that the input did not have,
  // so decoding should drop one leading space.
  virtual bool AddsLeadingSpace() const { return false; }
};

}  // namespace docent::llm
