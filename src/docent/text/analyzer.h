// The search analyzer: how text becomes index terms, shared by the FTS5 tokenizer (documents)
// and by query parsing (questions), so both sides always agree.
//
// Korean: every run of Hangul syllables yields its syllable bigrams (a one-syllable run yields
//   the syllable itself), and the eojeol (the whitespace-delimited Hangul word) also yields
//   itself with a common particle/ending stripped (은/는/이/가/을/를/의/에/에서/으로/로/와/과/
//   도/만/까지/부터/에게/께서 ...), when what remains is at least one syllable.
// Latin: case-folded words stemmed with Snowball English; English stopwords are dropped.
// Numbers and mixed tokens: "ISO27001" -> iso27001 (plus iso, 27001); "2024년" -> 2024년,
//   2024, 년; "v2.3" -> v2.3 (plus v, 2.3); "3.5" -> 3.5.
// Input must be valid, NFC-normalised UTF-8. Terms are UTF-8. Offsets are byte offsets into
// the input, as FTS5 wants them.
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
