// `docent rerank -m RERANKER.gguf [--json] [--top-n N] [--threads N] "query" "document"...`:
// each document's relevance to the query, one line per document in the order given
// (index, sigmoid relevance, raw logit, the document's start), or llama-server's rerank
// response with --json (best first, relevance_score the raw logit). Without documents, each
// line of standard input is one.
#include <cstdio>
#include <string>
#include <vector>

#include "docent/answer/embedding_views.h"
#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/llm/embedder.h"
#include "docent/util/utf8.h"

namespace docent::cli {

int RunRerank(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("rerank"));
  if (!args.ok()) {
    PrintError(args.status().message() + "\n" + UsageLine("rerank"));
    return 2;
  }
  const std::string path = args->Has("-m") ? args->Get("-m") : args->Get("--model");
  if (path.empty() || args->positional.empty()) {
    PrintError(UsageLine("rerank") + " (--help lists the options)");
    return 2;
  }
  auto threads = EncoderThreads(*args);
  auto top_n = args->GetInt("--top-n", 0, 0, 1 << 20);
  for (const Status& st : {threads.status(), top_n.status()}) {
    if (!st.ok()) {
      PrintError(st.message());
      return 2;
    }
  }
  answer::RerankRequest request;
  request.query = args->positional.front();
  request.documents = TextsFromArgsOrStdin(
      std::vector<std::string>(args->positional.begin() + 1, args->positional.end()));
  request.top_n = static_cast<size_t>(*top_n);
  if (request.documents.empty()) {
    PrintError("no documents to rank: give them after the query or as lines on standard input");
    return 2;
  }
  auto reranker = llm::Embedder::Load(path, *threads);
  if (!reranker.ok()) {
    PrintError(reranker.status().ToString());
    return 1;
  }
  std::vector<llm::RerankScore> scores;
  for (size_t i = 0; i < request.documents.size(); ++i) {
    auto s = (*reranker)->Rerank(request.query, request.documents[i], llm::Overflow::kTruncate);
    if (!s.ok()) {
      PrintError("document " + std::to_string(i + 1) + ": " + s.status().message());
      return 1;
    }
    scores.push_back(*s);
  }
  if (args->Has("--json")) {
    std::printf("%s\n", answer::RerankResponse((*reranker)->name(), request, scores)
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
    return 0;
  }
  for (size_t i = 0; i < scores.size(); ++i) {
    const std::string start = util::FitToWidth(request.documents[i], 60);
    std::printf("%zu\t%.6f\t%.6f\t%s\n", i, scores[i].relevance, scores[i].logit, start.c_str());
  }
  return 0;
}

}  // namespace docent::cli
