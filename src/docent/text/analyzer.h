// The search analyzer: how text becomes index terms, shared by the FTS5 tokenizer (documents)
// and by query parsing (questions), so both sides always agree.
//
// Tokens: maximal runs of letters, digits and Hangul syllables. Inside a token, "." between
//   two digits ("3.5", "v2.3"), "," followed by exactly three digits ("1,000" -> 1000) and an
//   apostrophe between letters ("don't" -> dont) are kept; every other punctuation, symbol
//   or space ends the token ("COVID-19" -> covid, 19). A combining mark joins the letter it
//   follows. Fullwidth ASCII letters and digits read as ASCII. Tokens are cut at 256 code
//   points.
// Korean: each maximal run of Hangul syllables yields its syllable bigrams in order (a
//   one-syllable run yields the syllable). A run of >= 2 syllables (the eojeol) also yields,
//   colocated with its first bigram, itself with the longest particle/ending stripped that
//   leaves >= 1 syllable (은 는 이 가 을 를 의 에 에서 에게 께서 으로 로 와 과 도 만 까지 부터
//   보다 처럼 ..., combinations like 에서는 으로는, plural 들은, the copula 이다 입니다 이며,
//   하다/되다 endings 하는 합니다 됩니다, question endings 입니까 인가요 은요; see korean.cc),
//   or itself unstripped when none matches: "연차휴가는" -> 연차 [연차휴가] 차휴 휴가 가는;
//   "회사에서" -> 회사 [회사] 사에 에서. When the stripped ending is also a common last
//   syllable of nouns (이 가 의 도 로 과 와 만 한 할 요 인 ...), the unstripped eojeol is
//   colocated too, unless it is the first bigram: "연차휴가" -> 연차 [연차휴] [연차휴가] ...
//   Hangul jamo (conjoining and compatibility) are letters: word tokens, unstemmed.
// Latin and other alphabets: case-folded (full Unicode folding; accents kept). Words of only
//   Latin letters are stemmed with Snowball English after dropping Lucene's 33 classic English
//   stopwords (a an and are as at be but by for if in into is it no not of on or such that
//   the their then there these they this to was will with); a trailing possessive "'s" is
//   dropped ("policy's" -> polici). Words in other alphabets are folded only.
// Numbers: a run of digits with its inner "." and thousands "," is one term ("3.5",
//   "1,000" -> 1000, "v2.3" -> v2.3 + 2.3).
// Mixed tokens (letters, digits and Hangul together): first the whole token, case-folded and
//   unstemmed, with particles stripped from a trailing Hangul part; then, colocated with it,
//   each part analysed as above, except that a lone letter is skipped:
//   "ISO27001" -> iso27001 [iso] [27001]; "2024년에" -> 2024년 [2024] [년에] [년];
//   "mp3" -> mp3 [mp] [3]. A trailing Hangul part that is wholly a particle is dropped
//   first, so "API는" analyses as "API" -> api and "3.5로" as "3.5".
// CJK ideographs: one term each. Kana: bigrams, like Hangul, with no stripping.
// [t] marks a colocated term. Stopwords leave no gap in positions.
// kDocument and kQuery give exactly the same terms.
// Input should be valid, NFC-normalised UTF-8; invalid bytes act as separators. Terms are
// UTF-8. Offsets are byte offsets into the input, as FTS5 wants them: a term's span covers
// the source text it came from ("don't" for dont, "1,000" for 1000, the stem of an eojeol).
// Thread safety: Analyze may be called from many threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace docent::text {

struct Term {
  std::string text;   // the index term
  size_t begin = 0;   // byte offset of the source span in the input
  size_t end = 0;     // one past its last byte
  bool colocated = false;  // same position as the previous term (an alternative form)
};

enum class AnalyzeMode {
  kDocument,  // everything that should be findable
  kQuery,     // the same terms; the caller dedupes
};

// Calls `emit` for each term in order of position.
void Analyze(std::string_view text, AnalyzeMode mode, const std::function<void(const Term&)>& emit);

// Convenience: the terms as a vector.
std::vector<Term> AnalyzeToVector(std::string_view text, AnalyzeMode mode);

// True when the code point is a precomposed Hangul syllable (U+AC00..U+D7A3).
bool IsHangulSyllable(char32_t cp);

}  // namespace docent::text
