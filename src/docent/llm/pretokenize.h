// Pre-tokenizers for byte-level BPE: the regex splits a vocabulary's `tokenizer.ggml.pre`
// names, applied before merging so that merges never cross a word, digit-run or space
// boundary the model was trained with.
//
// A pre-tokenizer is a list of PCRE2 patterns (Unicode properties, JIT-compiled). Each
// pattern cuts every piece the previous one left into its matches and the gaps between
// them, both kept ("isolated" splitting), so the pieces always concatenate back to the
// input. Invalid UTF-8 never matches a pattern and stays in the gaps, byte for byte.
// Immutable after construction; Split is const and safe from many threads (each call has
// its own match data).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::llm {

struct PreTokenizerSpec {
  std::string name;                  // canonical name ("qwen2", "llama-bpe", ...)
  std::vector<std::string> patterns;  // applied in order
  // Llama 3 looks a whole piece up in the vocabulary before merging: some of its tokens
  // cannot be reached by its merges.
  bool ignore_merges = false;
};

// The spec for a `tokenizer.ggml.pre` value; "default" and "" mean GPT-2's split.
// Unsupported (listing the known names) for anything else.
Result<PreTokenizerSpec> PreTokenizerSpecFor(std::string_view pre);

class PreTokenizer {
 public:
  // InvalidArgument when a pattern does not compile (names the pattern and the offset).
  static Result<PreTokenizer> Create(const PreTokenizerSpec& spec);

  PreTokenizer(PreTokenizer&&) noexcept;
  PreTokenizer& operator=(PreTokenizer&&) noexcept;
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;
  ~PreTokenizer();

  const PreTokenizerSpec& spec() const { return spec_; }
  // Appends the pieces of `text` (views into it, none empty) to `out`.
  void Split(std::string_view text, std::vector<std::string_view>& out) const;

 private:
  struct Compiled;
  PreTokenizer();

  PreTokenizerSpec spec_;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

}  // namespace docent::llm
