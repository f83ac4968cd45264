// Exact BM25 top-k over the store's TermIndex, computing the same score as FTS5's bm25()
// with column weights (k1 = 1.2, b = 0.75, IDF floored at 1e-6, document length over all
// columns), term by term in the query's order so each chunk's sum is added up in the same
// order as FTS5 adds its phrases. Ties break by chunk id, ascending.
//
// Cost: one pass over the postings of the query's terms plus a k-sized heap, instead of
// FTS5's per-row auxiliary-function calls and its sort of every matching row.
// Thread safety: uses thread-local scratch; the index must not change during a call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docent/store/term_index.h"

namespace docent::search {

struct Bm25Weights;

struct RankedChunk {
  int64_t chunk_id = 0;
  double score = 0;  // -bm25(): higher is better
};

// The best k chunks matching any of `terms` (distinct), best first.
std::vector<RankedChunk> RankBm25(const store::TermIndex& index,
                                  const std::vector<std::string>& terms, const Bm25Weights& weights,
                                  int k);

}  // namespace docent::search
