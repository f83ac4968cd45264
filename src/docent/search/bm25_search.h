// BM25 retrieval over the store's index.
//
// The question is analyzed with the same analyzer as the documents (text/analyzer.h); its
// distinct terms are OR-ed, so a passage matching any of them is a candidate and BM25 ranks
// them. Titles and headings weigh more than body text. Ties break by chunk id, so the same
// query over the same store always returns the same list in the same order.
// The scores are FTS5's bm25() over chunks_fts, computed on the store's in-memory term index
// (store/term_index.h, search/bm25_ranker.h) instead of inside FTS5, which scored and sorted
// every row matching any term; tests/search/bm25_ranker_test.cc holds the two equal.
// Which ranker runs is a speed decision only (IndexUse); tests hold both to the same output.
// A search runs inside one workspace and ranks with that workspace's statistics alone, so it
// returns exactly what a store holding only that workspace would (store.h). FTS5's bm25()
// takes its statistics from the whole table, so FTS5 ranks only when the workspace holds
// every chunk of the store; otherwise the workspace's term index is built, whatever its size.
// Thread safety: any number of searches run at once, each on a read session of its own
// (store.h), and none waits for a document being written except at its commit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docent/search/passage.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::search {

struct Bm25Weights {
  double title = 2.0;
  double heading = 1.5;
  double body = 1.0;
};

// Which ranker answers: the in-memory term index (fast per query, built once from the
// store) or FTS5 itself (no build, slower on large stores). Both give the same list.
enum class IndexUse {
  kAuto,   // the index when built; else build it when the workspace is small, else FTS5
  kBuild,  // build the index if needed (a server, which answers many queries)
  kFts5,   // FTS5 unless the index is already built and current (or FTS5 would be inexact)
};
// kAuto builds the index inline up to this many chunks (well under a second); a one-shot
// command on a larger store ranks in FTS5 rather than pay the build.
constexpr int64_t kBuildIndexUpToChunks = 20000;

struct SearchOptions {
  int k = 10;
  IndexUse index = IndexUse::kAuto;
  Bm25Weights weights;
  size_t max_query_terms = 64;  // a pasted essay is cut here, keeping the first terms

  static SearchOptions TopK(int k) {
    SearchOptions o;
    o.k = k;
    return o;
  }
};

// The question's distinct index terms, in order of first appearance.
std::vector<std::string> QueryTerms(std::string_view query, size_t max_terms = 64);

// The FTS5 MATCH expression that ORs the given terms, each quoted.
std::string MatchExpression(const std::vector<std::string>& terms);

// Every chunk of the store, of every workspace, as a passage (for precomputing what answers
// will need: `docent warm`), the most retrieved first (Store::NoteRetrieved's counts), then by
// document and chunk. Score: the chunk's retrieval count.
Result<std::vector<Passage>> ListPassages(store::Store& store);

// Up to k passages of the workspace, best first. An empty list when the query has no
// searchable terms; NotFound when the workspace does not exist.
Result<std::vector<Passage>> SearchBm25(store::Store& store, int64_t workspace_id,
                                        std::string_view query, const SearchOptions& options = {});

}  // namespace docent::search
