// BM25 ranking: term-at-a-time accumulation into a dense per-slot array, then a k-heap.
#include "docent/search/bm25_ranker.h"

#include <algorithm>
#include <cmath>

#include "docent/search/bm25_search.h"

namespace docent::search {
namespace {

// FTS5's constants (fts5_aux.c); changing either would change every ranking.
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;

// Reused across calls: sized to the index's slots, so a query allocates nothing once warm.
struct Scratch {
  uint64_t index_id = 0;  // TermIndex::id(): never 0
  uint64_t generation = ~uint64_t{0};
  std::vector<double> norm;  // per slot: k1 * (1 - b + b * D / avgdl)
  std::vector<double> acc;
  std::vector<uint32_t> stamp;  // acc[slot] is live when stamp[slot] == epoch
  std::vector<uint32_t> touched;
  uint32_t epoch = 0;
};

void Prepare(const store::TermIndex& index, Scratch& s) {
  const uint32_t n = index.slot_count();
  if (s.index_id != index.id() || s.generation != index.generation() || s.norm.size() != n) {
    s.index_id = index.id();
    s.generation = index.generation();
    s.norm.resize(n);
    const double avgdl =
        static_cast<double>(index.total_tokens()) / static_cast<double>(index.rows());
    // Written as fts5Bm25Function writes it, so the doubles come out bit for bit the same.
    for (uint32_t i = 0; i < n; ++i) {
      const double d = static_cast<double>(index.length(i));
      s.norm[i] = kK1 * (1 - kB + kB * d / avgdl);
    }
  }
  if (s.acc.size() != n) {
    s.acc.assign(n, 0.0);
    s.stamp.assign(n, 0);
    s.epoch = 0;
    // Each connection thread keeps its scratch: after a compaction (or mass removal) shrank
    // the index, give back what only the old size needed.
    if (s.acc.capacity() > 2 * size_t{n} + 4096) {
      s.norm.shrink_to_fit();
      s.acc.shrink_to_fit();
      s.stamp.shrink_to_fit();
    }
  }
  if (s.touched.capacity() > 2 * size_t{n} + 4096) {
    s.touched.clear();
    s.touched.shrink_to_fit();
  }
  if (++s.epoch == 0) {  // wrapped: every stamp could look live
    std::fill(s.stamp.begin(), s.stamp.end(), 0);
    s.epoch = 1;
  }
  s.touched.clear();
}

// Best first: higher score, then lower chunk id.
bool Better(const RankedChunk& a, const RankedChunk& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.chunk_id < b.chunk_id;
}

}  // namespace

std::vector<RankedChunk> RankBm25(const store::TermIndex& index,
                                  const std::vector<std::string>& terms, const Bm25Weights& weights,
                                  int k) {
  std::vector<RankedChunk> out;
  if (k <= 0 || index.rows() <= 0) return out;
  thread_local Scratch s;
  Prepare(index, s);
  const int64_t rows = index.rows();
  const double wt = weights.title, wh = weights.heading, wb = weights.body;
  for (const std::string& term : terms) {
    const std::vector<store::Posting>* list = index.Find(term);
    if (list == nullptr) continue;
    const auto hits = static_cast<int64_t>(list->size());
    double idf = std::log((rows - hits + 0.5) / (hits + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    for (const store::Posting& p : *list) {
      // FTS5 sums the column weight once per instance; with weights that are small
      // dyadic fractions (the defaults) the products below are the same doubles.
      const double f = wt * p.title + wh * p.heading + wb * p.body;
      const double contribution = idf * ((f * (kK1 + 1.0)) / (f + s.norm[p.slot]));
      if (s.stamp[p.slot] != s.epoch) {
        s.stamp[p.slot] = s.epoch;
        s.acc[p.slot] = 0.0;
        s.touched.push_back(p.slot);
      }
      s.acc[p.slot] += contribution;
    }
  }
  // A min-heap of the best k under Better: its front is the worst kept.
  const size_t limit = static_cast<size_t>(k);
  out.reserve(std::min(limit, s.touched.size()));
  for (uint32_t slot : s.touched) {
    RankedChunk c{index.chunk_id(slot), s.acc[slot]};
    if (out.size() < limit) {
      out.push_back(c);
      std::push_heap(out.begin(), out.end(), Better);
    } else if (Better(c, out.front())) {
      std::pop_heap(out.begin(), out.end(), Better);
      out.back() = c;
      std::push_heap(out.begin(), out.end(), Better);
    }
  }
  std::sort(out.begin(), out.end(), Better);
  return out;
}

}  // namespace docent::search
