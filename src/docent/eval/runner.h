// `docent eval`: indexes a BEIR set into a throwaway store, runs every judged query and
// reports ranking quality, extractive-answer accuracy (when queries carry gold answers) and
// query latency.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::eval {

struct EvalReport {
  size_t queries = 0;
  size_t documents = 0;
  double ndcg10 = 0, recall10 = 0, recall100 = 0, mrr10 = 0;
  std::optional<double> answer_contains_gold;  // share of queries; nullopt without answers
  // Of the queries with answers: the share answered "not in the documents" (every judged
  // query of a QA set is answerable, so each is a false refusal), and the answers' mean
  // length in characters (a longer answer contains a gold string more easily; report both).
  std::optional<double> refused;
  std::optional<double> answer_chars_mean;
  double p50_ms = 0, p99_ms = 0;  // search latency per query
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
};

Result<EvalReport> RunEval(const std::filesystem::path& dir, const EvalOptions& options = {});

}  // namespace docent::eval
