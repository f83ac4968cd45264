// English stopwords and stemming. Snowball's libstemmer does the stemming: a maintained
// library, the same algorithm Lucene and SQLite users know.
#include "docent/text/english.h"

#include <libstemmer.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

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

// Words follow Zipf's law, and Snowball costs far more than a hash lookup: each thread
// remembers the stems of the words it has seen, up to a bound (a stem is a pure function of
// its word, so the cache cannot change a result). Open addressing over fixed slots holding
// the bytes themselves: one probe usually touches one cache line, and nothing allocates.
// Bytes held by every thread's stem cache together (the metrics' gauge).
std::atomic<size_t> g_stem_cache_bytes{0};

class StemCache {
 public:
  static constexpr size_t kMaxBytes = 30;  // longer words (rare) are stemmed every time

  StemCache() = default;
  StemCache(const StemCache&) = delete;
  StemCache& operator=(const StemCache&) = delete;
  ~StemCache() { g_stem_cache_bytes -= slots_.size() * sizeof(Slot); }

  // On a hit, replaces `word` with its stem.
  bool Find(size_t hash, std::string& word) const {
    if (slots_.empty()) return false;
    for (size_t i = hash & kMask;; i = (i + 1) & kMask) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return false;
      if (s.hash == static_cast<uint32_t>(hash) && s.key_len == word.size() &&
          std::memcmp(s.bytes, word.data(), word.size()) == 0) {
        word.assign(s.bytes + s.key_len, s.stem_len);
        return true;
      }
    }
  }

  void Insert(size_t hash, std::string_view key, std::string_view stem) {
    if (key.empty() || key.size() + stem.size() > sizeof(Slot::bytes)) return;
    if (slots_.empty()) {
      slots_.resize(kSlots);
      g_stem_cache_bytes += kSlots * sizeof(Slot);
    }
    if (used_ >= kSlots / 2) {  // full: start over rather than track recency
      std::fill(slots_.begin(), slots_.end(), Slot{});
      used_ = 0;
    }
    size_t i = hash & kMask;
    while (slots_[i].key_len != 0) i = (i + 1) & kMask;
    Slot& s = slots_[i];
    s.hash = static_cast<uint32_t>(hash);
    s.key_len = static_cast<uint8_t>(key.size());
    s.stem_len = static_cast<uint8_t>(stem.size());
    std::memcpy(s.bytes, key.data(), key.size());
    std::memcpy(s.bytes + key.size(), stem.data(), stem.size());
    ++used_;
  }

 private:
  // Every connection thread of a server has its own (64 by default), so the bound is per
  // thread: 8,192 slots of 68 bytes, 0.55 MB (65,536 slots made 4.4 MB a thread, ~280 MB for
  // a server's pool once every thread had served a search).
  static constexpr size_t kSlots = size_t{1} << 13;
  static constexpr size_t kMask = kSlots - 1;
  struct Slot {
    uint32_t hash = 0;
    uint8_t key_len = 0;  // 0: empty (words are never empty)
    uint8_t stem_len = 0;
    char bytes[2 * kMaxBytes] = {};  // the word, then its stem
  };
  std::vector<Slot> slots_;  // allocated on first insert
  size_t used_ = 0;
};

}  // namespace

size_t StemCacheBytes() {
  return g_stem_cache_bytes.load(std::memory_order_relaxed);
}

bool IsEnglishStopword(std::string_view word) {
  if (word.size() > kLongestStopword) return false;
  for (std::string_view s : kStopwords) {
    if (s == word) return true;
  }
  return false;
}

void StemEnglishInPlace(std::string& word) {
  thread_local Stemmer stemmer;
  thread_local StemCache cache;
  if (word.size() > StemCache::kMaxBytes) {
    stemmer.StemInPlace(word);
    return;
  }
  const size_t hash = std::hash<std::string_view>{}(word);
  if (cache.Find(hash, word)) return;
  const std::string key = word;
  stemmer.StemInPlace(word);
  cache.Insert(hash, key, word);
}

}  // namespace docent::text
