// `docent eval`: indexes a BEIR set into a throwaway store, runs every judged query and
// reports ranking quality, extractive-answer accuracy (when queries carry gold answers) and
// query latency.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "docent/search/retriever.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::eval {

struct EvalReport {
  search::Retrieval retrieval = search::Retrieval::kBm25;
  double embed_seconds = 0;  // embedding the corpus (dense and hybrid)
  size_t queries = 0;
  size_t documents = 0;
  double ndcg10 = 0, recall10 = 0, recall100 = 0, mrr10 = 0;
  std::optional<double> answer_contains_gold;  // share of queries; nullopt without answers
  // Of the queries with answers: the share answered "not in the documents" (every judged
  // query of a QA set is answerable, so each is a false refusal), and the answers' mean
  // length in characters (a longer answer contains a gold string more easily; report both).
  std::optional<double> refused;
  std::optional<double> answer_chars_mean;
  // Of the queries with answers (refusals count as misses): the share whose answer's first
  // sentence alone holds a gold string (a longer answer contains more by chance; this does
  // not grow). The first sentence may be the one a picked sentence refers back to, or the
  // introduction of a table.
  std::optional<double> first_sentence_contains_gold;
  // The other side of the refusal gate: questions whose judged documents were left out of a
  // second index (EvalOptions::unanswerable), asked there. Every answer given is a miss unless
  // another document happens to hold a gold string too, which is counted apart.
  size_t unanswerable = 0;                     // questions asked without their documents
  std::optional<double> unanswerable_refused;  // share refused (higher is better)
  size_t unanswerable_answered_gold = 0;  // answered, from another document, with a gold string
  double p50_ms = 0, p99_ms = 0;          // search latency per query
  double index_seconds = 0;
};

struct EvalOptions {
  std::filesystem::path work_dir;  // where the temporary store goes; default: system temp
  size_t max_queries = 0;          // 0: all
  // When set, one JSON line per query whose extractive answer missed its gold answers:
  // the question, the gold strings, whether it answered, the answer and the top passage.
  std::filesystem::path misses_path;
  // The workspace of the temporary store the corpus goes into. Retrieval inside a workspace
  // is exactly that of a store holding it alone, so the figures do not depend on it.
  std::string workspace{store::kDefaultWorkspace};
  // How many questions with answers (a seeded sample, the same on every run) to ask again
  // against the corpus without their judged documents; 0 skips that pass.
  size_t unanswerable = 200;
  // The retrievals to report, each over the same store (search/retriever.h). Dense and
  // hybrid need embed_model: the corpus is embedded with it first.
  std::vector<search::Retrieval> retrievals = {search::Retrieval::kBm25};
  std::string embed_model;   // a bert GGUF; empty: none
  std::string rerank_model;  // empty: none
  int threads = 1;           // the models'
};

// The first of the reports RunEvalModes gives.
Result<EvalReport> RunEval(const std::filesystem::path& dir, const EvalOptions& options = {});
// One report per options.retrievals, in their order; each names its retrieval.
Result<std::vector<EvalReport>> RunEvalModes(const std::filesystem::path& dir,
                                             const EvalOptions& options);

}  // namespace docent::eval
