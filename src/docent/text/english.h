// English word normalisation for the analyzer (private to text/): the stop set and the
// Snowball stemmer.
// Thread safety: both may be called from any thread (the stemmer is per thread).
#pragma once

#include <string>
#include <string_view>

namespace docent::text {

// Lucene's classic 33-word English stop set; `word` is case-folded ASCII.
bool IsEnglishStopword(std::string_view word);

// Replaces a case-folded word with its Snowball English (Porter2) stem.
void StemEnglishInPlace(std::string& word);

}  // namespace docent::text
