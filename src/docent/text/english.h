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

// Bytes of the stemmer's caches, all threads together: each thread that stems keeps one of
// 8,192 slots (0.55 MB), freed when the thread ends, so the bound is that times the threads.
size_t StemCacheBytes();

}  // namespace docent::text
