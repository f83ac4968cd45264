// A synthetic mixed Korean/English corpus with Zipf-distributed words, so benchmarks run on
// realistic posting-list lengths without shipping data. Fixed seeds make runs comparable.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "docent/store/store.h"

namespace docent::bench {

class SyntheticCorpus {
 public:
  explicit SyntheticCorpus(uint64_t seed = 42, size_t vocabulary = 50000);

  // A chunk of about `chars` code points: sentences of Korean and English words.
  std::string Chunk(std::mt19937_64& rng, size_t chars) const;
  // A query of 2-6 words drawn from the vocabulary (mixed scripts), Zipf-weighted but
  // skipping the most frequent words, as real queries do.
  std::string Query(std::mt19937_64& rng) const;

 private:
  const std::string& Word(std::mt19937_64& rng, size_t skip_top) const;

  std::vector<std::string> words_;  // index = frequency rank
  std::vector<double> cdf_;
};

// Document `d` of a synthetic store of `n_chunks` chunks, ten chunks a document (the last
// may hold fewer) of 600-1,400 code points, with a 20-code-point title. Call for d = 0, 1, ...
// in order with the same rng, as both benchmarks do, so they index the same corpus.
store::DocumentToPut SyntheticDocument(const SyntheticCorpus& corpus, std::mt19937_64& rng,
                                       long d, long n_chunks);

}  // namespace docent::bench
