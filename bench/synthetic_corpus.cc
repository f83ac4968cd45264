// Vocabulary: half made-up English-like words, half Korean words (2-4 syllables) that take
// particles in running text.
#include "synthetic_corpus.h"

#include <algorithm>
#include <cmath>

#include "docent/util/utf8.h"

namespace docent::bench {
namespace {

const char* const kParticles[] = {"은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "와", "도"};

std::string LatinWord(std::mt19937_64& rng) {
  static const char* const kSyll[] = {"ka", "ri", "to", "men", "sta", "pol", "ver", "dex", "lin",
                                      "cor", "pa", "ne", "sul", "tra", "mo", "gen", "ti", "qua"};
  std::uniform_int_distribution<int> n(2, 4), s(0, 17);
  std::string w;
  for (int i = n(rng); i > 0; --i) w += kSyll[s(rng)];
  return w;
}

std::string HangulWord(std::mt19937_64& rng) {
  // Syllables from a frequent subset so bigrams repeat as in real Korean.
  std::uniform_int_distribution<int> n(2, 4), lead(0, 13), vowel(0, 9), tail(0, 3);
  static const int kTails[] = {0, 4, 8, 21};
  std::string w;
  for (int i = n(rng); i > 0; --i) {
    char32_t cp = 0xAC00 + (lead(rng) * 21 + vowel(rng) * 2) * 28 + kTails[tail(rng)];
    util::AppendUtf8(cp, w);
  }
  return w;
}

}  // namespace

SyntheticCorpus::SyntheticCorpus(uint64_t seed, size_t vocabulary) {
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < vocabulary; ++i) {
    words_.push_back(i % 2 == 0 ? LatinWord(rng) : HangulWord(rng));
  }
  double sum = 0;
  for (size_t i = 0; i < vocabulary; ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), 1.05);
    cdf_.push_back(sum);
  }
  for (double& c : cdf_) c /= sum;
}

const std::string& SyntheticCorpus::Word(std::mt19937_64& rng, size_t skip_top) const {
  std::uniform_real_distribution<double> u(cdf_[std::min(skip_top, cdf_.size() - 1)], 1.0);
  size_t i = static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u(rng)) - cdf_.begin());
  return words_[std::min(i, words_.size() - 1)];
}

std::string SyntheticCorpus::Chunk(std::mt19937_64& rng, size_t chars) const {
  std::string out;
  size_t n = 0, in_sentence = 0;
  std::uniform_int_distribution<int> particle(0, 11), coin(0, 2);
  while (n < chars) {
    const std::string& w = Word(rng, 0);
    out += w;
    bool hangul = static_cast<unsigned char>(w[0]) >= 0xE0;
    if (hangul && coin(rng) != 0) out += kParticles[particle(rng)];
    n += util::CountCodePoints(w) + 1;
    if (++in_sentence >= 12) {
      out += ". ";
      in_sentence = 0;
    } else {
      out += ' ';
    }
  }
  return out;
}

std::string SyntheticCorpus::Query(std::mt19937_64& rng) const {
  std::uniform_int_distribution<int> len(2, 6);
  std::string q;
  for (int i = len(rng); i > 0; --i) {
    if (!q.empty()) q += ' ';
    q += Word(rng, 30);
  }
  return q;
}

store::DocumentToPut SyntheticDocument(const SyntheticCorpus& corpus, std::mt19937_64& rng,
                                       long d, long n_chunks) {
  std::uniform_int_distribution<int> len(600, 1400);
  store::DocumentToPut put;
  put.source = "synthetic:" + std::to_string(d);
  put.title = corpus.Chunk(rng, 20);
  put.format = "txt";
  put.content_hash = std::to_string(d);
  for (int c = 0; c < 10 && d * 10 + c < n_chunks; ++c) {
    text::Chunk chunk;
    chunk.text = corpus.Chunk(rng, static_cast<size_t>(len(rng)));
    put.chunked.chunks.push_back(std::move(chunk));
  }
  return put;
}

}  // namespace docent::bench
