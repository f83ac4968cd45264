// A passage too long for the model's context, cut down to what answers instead of refusing
// the question: the run of its sentences around the one that best matches the question,
// grown a sentence at a time on either side while it fits. A demanding user with a small
// context (or a byte-level vocabulary that spends many tokens on Korean) still gets an answer
// from the best source rather than "the context holds N tokens".
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "docent/llm/tokenizer.h"
#include "docent/rag/prompt_meter.h"
#include "docent/search/passage.h"

namespace docent::rag {

// `passage` with its text cut to at most `max_tokens` tokens (as `tokenizer` encodes the text
// on its own): the best-matching sentence (most distinct question terms; the first on ties)
// and its neighbours, "…" marking each side that was cut. The passage unchanged when it fits;
// the best sentence's first max_tokens tokens when even it does not.
search::Passage CutPassageToFit(const search::Passage& passage, std::string_view question,
                                const llm::Tokenizer& tokenizer, size_t max_tokens);
// The same, counting through `meter` (a remote generator's tokenizer). Errors: the meter's.
Result<search::Passage> CutPassageToFit(const search::Passage& passage, std::string_view question,
                                        PromptMeter& meter, size_t max_tokens);

}  // namespace docent::rag
