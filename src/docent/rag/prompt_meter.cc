// Measuring answer prompts and fitting sources to the context (see prompt_meter.h).
#include "docent/rag/prompt_meter.h"

#include <algorithm>

#include "docent/rag/passage_fit.h"

namespace docent::rag {

Result<size_t> TokenizerMeter::PromptTokens(std::span<const search::Passage> given,
                                            std::string_view question) {
  last_prompt_ = BuildRagPrompt(tokenizer_, family_, given, question);
  return last_prompt_.tokens.size();
}

Result<size_t> TokenizerMeter::TextTokens(std::string_view text) {
  return tokenizer_.Encode(text, /*add_special=*/false, /*parse_special=*/false).size();
}

Result<std::string> TokenizerMeter::Head(std::string_view text, size_t max_tokens) {
  std::vector<int32_t> ids =
      tokenizer_.Encode(text, /*add_special=*/false, /*parse_special=*/false);
  ids.resize(std::min(ids.size(), max_tokens));
  return tokenizer_.Decode(ids);
}

Result<FittedSources> FitSources(PromptMeter& meter, std::span<const search::Passage> passages,
                                 std::string_view question, size_t max_sources, uint32_t max_tokens,
                                 uint32_t context_tokens) {
  FittedSources fit;
  size_t n = std::min(max_sources, passages.size());
  for (;; --n) {
    fit.given = CanonicalOrder({passages.begin(), passages.begin() + n});
    DOCENT_ASSIGN_OR_RETURN(fit.prompt_tokens, meter.PromptTokens(fit.given, question));
    if (n <= 1 || fit.prompt_tokens + max_tokens <= context_tokens) break;
  }
  // Even the best source alone leaves no room for an answer: cut it.
  const uint32_t room = std::min(max_tokens, std::max(1u, context_tokens / 4));
  for (int attempt = 0;
       attempt < 3 && fit.given.size() == 1 && fit.prompt_tokens + room > context_tokens;
       ++attempt) {
    DOCENT_ASSIGN_OR_RETURN(const size_t text_tokens, meter.TextTokens(fit.given[0].text));
    const size_t other = fit.prompt_tokens - std::min(fit.prompt_tokens, text_tokens);
    if (other + room + 8 > context_tokens) break;  // the question alone is too long
    // Each attempt aims a little lower: the cut text's tokens within the prompt may differ.
    const size_t budget = (context_tokens - other - room) * (4 - attempt) / 4;
    DOCENT_ASSIGN_OR_RETURN(fit.given[0], CutPassageToFit(fit.given[0], question, meter, budget));
    DOCENT_ASSIGN_OR_RETURN(fit.prompt_tokens, meter.PromptTokens(fit.given, question));
  }
  if (fit.prompt_tokens + 1 >= context_tokens) {
    return InvalidArgument("the question and its best source take " +
                           std::to_string(fit.prompt_tokens) + " tokens; the context holds " +
                           std::to_string(context_tokens));
  }
  return fit;
}

}  // namespace docent::rag
