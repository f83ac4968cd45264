// Turns a stream of generated ids into text pieces that are each valid UTF-8.
//
// A token may end in the middle of a character (byte-level BPE splits Korean syllables
// across tokens; SentencePiece emits <0xXX> byte tokens one at a time), so the decoder
// holds back a trailing incomplete sequence until the bytes that finish it arrive. Bytes
// that can never form a character are replaced with U+FFFD when they are emitted.
// When Decode(all ids) is valid UTF-8, the concatenation of every Push and the final
// Finish equals it exactly; otherwise each broken stretch becomes U+FFFD (how many may
// differ from repairing the whole text at once). Not thread-safe (one per stream); holds a
// reference to the Tokenizer, which must outlive it.
#pragma once

#include <cstdint>
#include <string>

#include "docent/llm/tokenizer.h"

namespace docent::llm {

class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tokenizer, bool render_special = false)
      : tokenizer_(&tokenizer), render_special_(render_special) {}

  // The text that `id` completes; often empty while a character is still incomplete.
  std::string Push(int32_t id);
  // Whatever is still held back, repaired; the decoder is then ready for a new stream.
  std::string Finish();
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  bool render_special_;
  bool at_start_ = true;
  std::string pending_;
};

// Bytes at the end of `s` that start a UTF-8 sequence not yet complete (0 to 3).
size_t IncompleteUtf8Suffix(std::string_view s);

}  // namespace docent::llm
