// Sentence splitting for Korean and English text, used by the chunker (to cut at sentence
// boundaries) and the extractive answerer (to pick the sentences that answer).
//
// Ends a sentence at . ! ? … 。 and their runs, followed by closing quotes/brackets, when what
// follows is white space or end of text; at 。！？ even with no space; at a period between two
// Hangul syllables ("했습니다.다음"); at a blank line; before a list item starting a line
// ("- ", "* ", "• ", "1. ", "2) ", "(3) ", "a) ", "가. ", "①"); and at a line break after a
// Korean final ending (다, 요, 까, 죠, 음, 함, 됨, 임, 네, 오, 라, 니) even without punctuation.
// A period does not end a sentence inside decimals (3.5) or versions (v2.3), after common
// abbreviations (e.g., i.e., Dr., Mr., vs., U.S.), after "No."/"Fig."/"p." before a number,
// after an initial ("J. K."), after a list label ("1. Scope"), or before a lowercase word.
// Other line breaks (hard-wrapped English) do not end a sentence.
// Every non-space character of the input lies in exactly one span; spans are in order.
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
