// How a generator counts tokens, so that an answer's sources are chosen and cut the same way
// whoever writes it: the in-process model measures with its own tokenizer, a remote docent
// generator with its /tokenize endpoint (remote/), and a remote server that offers neither
// with a conservative estimate. The answer prompt is the one RagPartedMessages describes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "docent/llm/chat_template.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/generative_prompt.h"
#include "docent/search/passage.h"
#include "docent/util/status.h"

namespace docent::rag {

class PromptMeter {
 public:
  virtual ~PromptMeter() = default;
  // Tokens of the answer prompt over `given`, numbered in the order given, for `question`.
  virtual Result<size_t> PromptTokens(std::span<const search::Passage> given,
                                      std::string_view question) = 0;
  // Tokens of `text` read on its own (no BOS, no control tokens).
  virtual Result<size_t> TextTokens(std::string_view text) = 0;
  // The text of `text`'s first `max_tokens` tokens.
  virtual Result<std::string> Head(std::string_view text, size_t max_tokens) = 0;
};

// Exact counts from a tokenizer and chat family (BuildRagPrompt's). It keeps the last prompt
// it measured, so the caller that fitted sources with it does not tokenize that prompt again.
// Thread-compatible.
class TokenizerMeter final : public PromptMeter {
 public:
  TokenizerMeter(const llm::Tokenizer& tokenizer, llm::ChatFamily family)
      : tokenizer_(tokenizer), family_(family) {}
  Result<size_t> PromptTokens(std::span<const search::Passage> given,
                              std::string_view question) override;
  Result<size_t> TextTokens(std::string_view text) override;
  Result<std::string> Head(std::string_view text, size_t max_tokens) override;

  // The prompt of the last PromptTokens call (FitSources ends on the sources it returns).
  RagPrompt TakeLastPrompt() { return std::move(last_prompt_); }

 private:
  const llm::Tokenizer& tokenizer_;
  llm::ChatFamily family_;
  RagPrompt last_prompt_;
};

// The best sources that leave room for the answer, and the prompt's size with them.
struct FittedSources {
  std::vector<search::Passage> given;  // numbered in this order (CanonicalOrder)
  size_t prompt_tokens = 0;
};

// The best `max_sources` of `passages` (retrieval order) whose prompt leaves `max_tokens` for
// the answer in `context_tokens`, dropping the last first; at least one is kept, and when even
// it leaves no room it is cut to the sentences around its best match (passage_fit.h), leaving
// room for up to a quarter of the context. `passages` must not be empty.
// Errors: the meter's, and InvalidArgument when the question and its best source cannot fit.
Result<FittedSources> FitSources(PromptMeter& meter, std::span<const search::Passage> passages,
                                 std::string_view question, size_t max_sources, uint32_t max_tokens,
                                 uint32_t context_tokens);

}  // namespace docent::rag
