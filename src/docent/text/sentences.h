// Sentence splitting for Korean and English text, used by the chunker (to cut at sentence
// boundaries) and the extractive answerer (to pick the sentences that answer).
//
// Ends a sentence at . ! ? 。 and their runs, followed by closing quotes/brackets, when what
// follows is whitespace or end of text; and at a newline after a Korean final ending (다, 요,
// 까, 죠, 니다 ...) even without punctuation. Does not split inside decimals (3.5), versions
// (v2.3), common abbreviations (e.g., i.e., Dr., Mr., etc., vs., No.) or initials.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace docent::text {

struct Span {
  size_t begin = 0;  // byte offset
  size_t end = 0;    // one past; the span excludes surrounding whitespace
};

std::vector<Span> SplitSentences(std::string_view text);

}  // namespace docent::text
