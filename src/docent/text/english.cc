// English stopwords and stemming. Snowball's libstemmer does the stemming: a maintained
// library, the same algorithm Lucene and SQLite users know.
#include "docent/text/english.h"

#include <libstemmer.h>

#include <unordered_map>

namespace docent::text {
namespace {

// Lucene's classic English stop set (StopAnalyzer.ENGLISH_STOP_WORDS_SET).
constexpr std::string_view kStopwords[] = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
    "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};
constexpr size_t kLongestStopword = 5;

// Snowball stemmers keep state between calls, so each thread gets its own.
class Stemmer {
 public:
  Stemmer() : stemmer_(sb_stemmer_new("english", "UTF_8")) {}
  ~Stemmer() {
    if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
  }
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  void StemInPlace(std::string& word) {
    if (stemmer_ == nullptr) return;
    const sb_symbol* out = sb_stemmer_stem(
        stemmer_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (out == nullptr) return;  // out of memory: the unstemmed word is still a usable term
    word.assign(reinterpret_cast<const char*>(out),
                static_cast<size_t>(sb_stemmer_length(stemmer_)));
  }

 private:
  sb_stemmer* stemmer_;
};

}  // namespace

bool IsEnglishStopword(std::string_view word) {
  if (word.size() > kLongestStopword) return false;
  for (std::string_view s : kStopwords) {
    if (s == word) return true;
  }
  return false;
}

void StemEnglishInPlace(std::string& word) {
  // Words follow Zipf's law, and Snowball costs far more than a hash lookup: remember the
  // stems of the words this thread has seen, up to a bound (a stem is a pure function of
  // its word, so the cache cannot change a result).
  constexpr size_t kMaxCached = 1 << 16;
  constexpr size_t kMaxCachedWordBytes = 32;
  thread_local Stemmer stemmer;
  thread_local std::unordered_map<std::string, std::string> cache;
  if (word.size() > kMaxCachedWordBytes) {
    stemmer.StemInPlace(word);
    return;
  }
  if (auto it = cache.find(word); it != cache.end()) {
    word = it->second;
    return;
  }
  if (cache.size() >= kMaxCached) cache.clear();
  std::string key = word;
  stemmer.StemInPlace(word);
  cache.emplace(std::move(key), word);
}

}  // namespace docent::text
