// `docent eval DIR [--retrieval bm25,dense,hybrid] [--embed-model E] [--rerank-model R]
// [--json]`: retrieval and answer quality on a BEIR-format set, for each retrieval asked (all
// three by default when an embedding model is given).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/eval/runner.h"

namespace docent::cli {

namespace {

nlohmann::json ReportJson(const eval::EvalReport& r) {
  nlohmann::json out = {{"retrieval", search::RetrievalName(r.retrieval)},
                        {"ndcg@10", r.ndcg10},
                        {"recall@10", r.recall10},
                        {"recall@100", r.recall100},
                        {"mrr@10", r.mrr10},
                        {"p50_ms", r.p50_ms},
                        {"p99_ms", r.p99_ms},
                        {"queries", r.queries},
                        {"index_seconds", r.index_seconds},
                        {"embed_seconds", r.embed_seconds}};
  auto optional = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  out["answer_contains_gold"] = optional(r.answer_contains_gold);
  out["refused"] = optional(r.refused);
  out["answer_chars_mean"] = optional(r.answer_chars_mean);
  out["first_sentence_contains_gold"] = optional(r.first_sentence_contains_gold);
  if (r.unanswerable > 0) {
    out["unanswerable"] = {{"questions", r.unanswerable},
                           {"refused", optional(r.unanswerable_refused)},
                           {"answered_gold", r.unanswerable_answered_gold}};
  }
  return out;
}

void PrintReport(const eval::EvalReport& r, bool name_retrieval) {
  if (name_retrieval) {
    std::printf("-- %s retrieval\n", std::string(search::RetrievalName(r.retrieval)).c_str());
  }
  std::printf("queries        %zu (corpus %zu documents, indexed in %.1f s", r.queries, r.documents,
              r.index_seconds);
  if (r.embed_seconds > 0) std::printf(", embedded in %.1f s", r.embed_seconds);
  std::printf(")\n");
  std::printf(
      "nDCG@10        %.4f\nRecall@10      %.4f\nRecall@100     %.4f\nMRR@10         %.4f\n",
      r.ndcg10, r.recall10, r.recall100, r.mrr10);
  if (r.answer_contains_gold) {
    std::printf("answer ⊇ gold  %.4f  (refused %.4f, answers %.0f characters on average)\n",
                *r.answer_contains_gold, r.refused.value_or(0), r.answer_chars_mean.value_or(0));
    std::printf("first sentence %.4f\n", r.first_sentence_contains_gold.value_or(0));
  }
  if (r.unanswerable > 0) {
    std::printf(
        "unanswerable   %zu asked without their documents: refused %.4f (%zu answers held "
        "a gold string from another document)\n",
        r.unanswerable, r.unanswerable_refused.value_or(0), r.unanswerable_answered_gold);
  }
  std::printf("latency        p50 %.2f ms, p99 %.2f ms\n", r.p50_ms, r.p99_ms);
}

}  // namespace

int RunEval(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("eval"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (args->positional.size() != 1) {
    PrintError("eval needs one folder holding corpus.jsonl, queries.jsonl and qrels/test.tsv");
    return 2;
  }
  auto max_q = args->GetInt("--max-queries", 0, 0, 100000000);
  if (!max_q.ok()) {
    PrintError(max_q.status().message());
    return 2;
  }
  auto unanswerable = args->GetInt("--unanswerable", 200, 0, 100000000);
  if (!unanswerable.ok()) {
    PrintError(unanswerable.status().message());
    return 2;
  }
  eval::EvalOptions options;
  options.max_queries = static_cast<size_t>(*max_q);
  options.unanswerable = static_cast<size_t>(*unanswerable);
  options.misses_path = args->Get("--misses");
  options.workspace = args->Get("--workspace", std::string(store::kDefaultWorkspace));
  if (Status s = store::CheckWorkspaceName(options.workspace).WithContext("--workspace"); !s.ok()) {
    PrintError(s.message());
    return 2;
  }
  options.embed_model = args->Get("--embed-model");
  options.rerank_model = args->Get("--rerank-model");
  auto threads = EncoderThreads(*args);
  if (!threads.ok()) {
    PrintError(threads.status().message());
    return 2;
  }
  options.threads = *threads;
  if (args->Has("--retrieval")) {
    options.retrievals.clear();
    const std::string list = args->Get("--retrieval");
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      auto mode = search::ParseRetrieval(list.substr(start, comma - start));
      if (!mode.ok()) {
        PrintError("--retrieval: " + mode.status().message());
        return 2;
      }
      options.retrievals.push_back(*mode);
      start = comma + 1;
    }
  } else if (!options.embed_model.empty()) {
    options.retrievals = {search::Retrieval::kBm25, search::Retrieval::kDense,
                          search::Retrieval::kHybrid};
  }
  for (search::Retrieval mode : options.retrievals) {
    if (mode != search::Retrieval::kBm25 && options.embed_model.empty()) {
      PrintError(std::string(search::RetrievalName(mode)) +
                 " retrieval needs --embed-model: eval embeds the set into its temporary store");
      return 2;
    }
  }
  auto reports = eval::RunEvalModes(args->positional[0], options);
  if (!reports.ok()) {
    PrintError(reports.status().ToString());
    return 1;
  }
  if (args->Has("--json")) {
    // The first retrieval's figures at the top level (what scripts read), each one's under
    // by_retrieval.
    nlohmann::json out = ReportJson(reports->front());
    if (reports->size() > 1 || reports->front().retrieval != search::Retrieval::kBm25) {
      nlohmann::json by = nlohmann::json::object();
      for (const eval::EvalReport& r : *reports) {
        by[std::string(search::RetrievalName(r.retrieval))] = ReportJson(r);
      }
      out["by_retrieval"] = std::move(by);
    }
    std::puts(out.dump().c_str());
    return 0;
  }
  for (const eval::EvalReport& r : *reports) PrintReport(r, reports->size() > 1);
  return 0;
}

}  // namespace docent::cli
