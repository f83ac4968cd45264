// Retrieval as every caller uses it (docent search / ask / eval, /v1/search, /v1/ask and the
// answer pipeline): BM25, dense vectors, or both fused by reciprocal rank, optionally
// reranked, with near-duplicate passages collapsed into one result that names every document
// holding it.
//
//   bm25     SearchBm25 (bm25_search.h)
//   dense    the query, with the model's query prefix (llm::PrefixesForModel), embedded and
//            searched in the workspace's HNSW graph (dense_index.h)
//   hybrid   reciprocal rank fusion of the two lists, each `depth` deep:
//              score(chunk) = w_bm25 / (k + rank_bm25) + w_dense / (k + rank_dense)
//            ranks from 1, k = 60 (Cormack et al. 2009), a list a chunk is missing from adds
//            nothing; ties by the better single rank, then chunk id
//   rerank   with a reranker, the best `rerank_top` of the list are put in the reranker's
//            order (its logit for the query and "title\ntext")
//
// Near-duplicates: a passage whose text, lower-cased with runs of white space made one, equals
// an earlier (better) one's, or whose word-trigram set overlaps it by Jaccard >= 0.9, joins
// that one's `duplicates` instead of taking a place of its own; so two copies of one paragraph
// (a page and its re-export) fill one slot, and the answer can cite both documents.
//
// Every step is deterministic: the same store and query give the same list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docent/search/bm25_search.h"
#include "docent/search/dense_index.h"
#include "docent/search/passage.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::llm {
class Embedder;
}

namespace docent::search {

enum class Retrieval { kBm25, kDense, kHybrid };
std::string_view RetrievalName(Retrieval mode);
// "bm25", "dense" or "hybrid"; InvalidArgument naming them otherwise.
Result<Retrieval> ParseRetrieval(std::string_view name);

// What dense retrieval needs: the embedding model (for queries) and the graphs of its vectors.
struct DenseSearch {
  const llm::Embedder* embedder = nullptr;
  DenseIndexes* indexes = nullptr;
};

struct RetrievalOptions {
  SearchOptions bm25;  // bm25.k: how many passages to return
  Retrieval mode = Retrieval::kBm25;
  // Required for dense and hybrid (FailedPrecondition without).
  const DenseSearch* dense = nullptr;
  double bm25_weight = 1.0;
  double dense_weight = 1.0;
  int rrf_k = 60;
  int depth = 50;  // how deep each list is read for fusion
  // When set, the best rerank_top passages are reordered by it.
  const llm::Embedder* reranker = nullptr;
  int rerank_top = 30;
  bool collapse_duplicates = true;
};

// Up to bm25.k passages of the workspace, best first (scores: BM25's, the cosine, or the
// fused score; the reranker's logit for those it reordered).
Result<std::vector<Passage>> Retrieve(store::Store& store, int64_t workspace_id,
                                      std::string_view query, const RetrievalOptions& options);

// Reciprocal rank fusion of two lists (best first), as hybrid retrieval does it: the fused
// list, best first, each passage's score its fused score.
std::vector<Passage> FuseReciprocalRank(std::vector<Passage> bm25, std::vector<Passage> dense,
                                        const RetrievalOptions& options);

// The retrieval's identity for caches of its results: "bm25", or the mode with the models'
// fingerprints and the fusion's parameters.
std::string RetrievalKey(const RetrievalOptions& options);

// Whether b repeats a (see above).
bool NearDuplicate(std::string_view a, std::string_view b);

// The passages of these chunks of the workspace, in the order given; ids that are gone (or
// belong to another workspace) are skipped.
Result<std::vector<Passage>> ReadPassages(store::Store& store, int64_t workspace_id,
                                          const std::vector<int64_t>& chunk_ids);

}  // namespace docent::search
