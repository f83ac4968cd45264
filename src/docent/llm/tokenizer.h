// Text <-> token ids for a GGUF model, built from its tokenizer.ggml.* metadata.
//
// Four vocabulary algorithms sit behind one interface (tokenizer.ggml.model): "gpt2"
// byte-level BPE with the pre-tokenizer named by tokenizer.ggml.pre, "llama" SentencePiece
// BPE, "bert" WordPiece, and "t5" SentencePiece Unigram (XLM-RoBERTa, T5). Special tokens in the
// input (control tokens when parse_special is set, user-defined added tokens always) become single
// ids and are never split.
//
// Decoding renders control tokens (BOS, <|im_end|>) as nothing unless asked, user-defined
// tokens as their text, byte tokens as their byte; it may end in the middle of a UTF-8
// character, so streams should go through StreamingDecoder (tokenizer_streaming.h).
//
// Owns everything it needs (the GgufFile may be closed afterwards). Immutable after
// FromGguf: every method is const and safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/tokenizer_backend.h"
#include "docent/llm/tokenizer_special.h"
#include "docent/llm/tokenizer_vocab.h"
#include "docent/util/status.h"

namespace docent::llm {

enum class TokenizerKind { kBytePairBpe, kSentencePiece, kWordPiece, kUnigram };

class Tokenizer {
 public:
  // Unsupported for an unknown tokenizer.ggml.model or .pre; Corrupt for inconsistent
  // arrays (lengths, types), malformed merges, or special ids outside the vocabulary.
  static Result<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& file);

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  ~Tokenizer();

  // add_special: BOS / EOS (CLS / SEP for BERT) as the vocabulary asks for them.
  // parse_special: control tokens written in `text` become their ids (on for prompts the
  // server builds; off for untrusted document text, so "<|im_end|>" in a PDF stays text).
  std::vector<int32_t> Encode(std::string_view text, bool add_special = true,
                              bool parse_special = true) const;
  // One piece of a longer text, encoded on its own (a prompt built segment by segment, so no
  // merge crosses a segment's edge): no BOS / EOS, and `follows_text` says the previous piece
  // ended in text (not at the start or in a control token), so SentencePiece adds no leading
  // space here. Appends to `out`; returns whether the text so far now ends in text (what
  // `follows_text` is for the next piece).
  bool EncodePiece(std::string_view text, bool parse_special, bool follows_text,
                   std::vector<int32_t>& out) const;
  // A text made of pieces, each read with its own parse_special, tokenized as one text: plain
  // text runs on across the pieces' edges (merges cross them), while control tokens are found
  // only in the pieces that allow them (a prompt template around untrusted text). No BOS / EOS.
  struct MixedPiece {
    std::string_view text;
    bool parse_special = false;
  };
  std::vector<int32_t> EncodeMixed(std::span<const MixedPiece> pieces) const;

  // The bytes `ids` stand for. Ids outside the vocabulary decode to nothing.
  std::string Decode(std::span<const int32_t> ids, bool render_special = false) const;
  // One token's bytes appended to `out`. `at_start` says no text has been decoded yet in
  // this sequence (so SentencePiece / WordPiece drop the leading space they added); it is
  // cleared once a token produces text.
  void AppendDecoded(int32_t id, bool render_special, bool& at_start, std::string& out) const;

  int32_t vocab_size() const { return vocab_->size(); }
  std::string_view TokenText(int32_t id) const {
    return vocab_->Contains(id) ? vocab_->Text(id) : std::string_view();
  }
  TokenType TokenTypeOf(int32_t id) const {
    return vocab_->Contains(id) ? vocab_->Type(id) : TokenType::kUndefined;
  }
  // -1 when no token has exactly this text.
  int32_t TokenId(std::string_view text) const { return vocab_->Find(text); }

  TokenizerKind kind() const { return kind_; }
  const std::string& pre() const { return pre_; }
  int32_t bos() const { return bos_; }  // -1 when the vocabulary has none
  int32_t eos() const { return eos_; }
  int32_t eot() const { return eot_; }
  int32_t unk() const { return unk_; }
  int32_t pad() const { return pad_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  // EOS, EOT / EOM, and the end-of-turn control tokens chat models use (<|im_end|>,
  // <|eot_id|>, <|end|>, ...): generation stops at any of them.
  bool IsEndOfGeneration(int32_t id) const;
  bool IsControl(int32_t id) const { return TokenTypeOf(id) == TokenType::kControl; }

 private:
  Tokenizer() = default;
  Status Init(const GgufFile& file);

  std::unique_ptr<TokenizerVocab> vocab_;  // heap-held: the parts below point at it
  std::unique_ptr<TokenizerBackend> backend_;
  std::unique_ptr<SpecialTokenMatcher> specials_;
  TokenizerKind kind_ = TokenizerKind::kBytePairBpe;
  std::string pre_;
  int32_t bos_ = -1, eos_ = -1, eot_ = -1, eom_ = -1, unk_ = -1, pad_ = -1;
  bool add_bos_ = false, add_eos_ = false;
  std::vector<int32_t> end_of_generation_;  // sorted
};

}  // namespace docent::llm
