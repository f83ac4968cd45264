// `docent ask "question" [--json]`: the sentences that answer, each cited, then the
// supporting passages; or a plain statement that the documents do not say.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/cli/commands.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/server/json_views.h"

namespace docent::cli {

std::string Preview(const std::string& text, size_t max_chars);

int RunAsk(const Argv& argv) {
  auto args = ParseArgs(argv, {{"--data", "-k"}, {"--json"}});
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (args->positional.size() != 1) {
    PrintError("ask needs one quoted question, e.g. docent ask \"How many days of annual leave?\"");
    return 2;
  }
  auto k = args->GetInt("-k", 8, 1, 50);
  if (!k.ok()) {
    PrintError(k.status().message());
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  const std::string& question = args->positional[0];
  search::SearchOptions options;
  options.k = static_cast<int>(*k);
  auto passages = search::SearchBm25(**store, question, options);
  if (!passages.ok()) {
    PrintError(passages.status().ToString());
    return 1;
  }
  rag::StoreTermStatistics stats(**store);
  rag::ExtractiveAnswer answer = rag::AnswerExtractively(question, *passages, stats);

  if (args->Has("--json")) {
    nlohmann::json out = {{"question", question}, {"found", answer.found}, {"answer", answer.text}};
    out["sentences"] = nlohmann::json::array();
    for (const auto& s : answer.sentences) {
      out["sentences"].push_back({{"text", s.text}, {"citation", s.citation}});
    }
    out["citations"] = nlohmann::json::array();
    for (const auto& c : answer.citations) {
      nlohmann::json j = server::PassageView(c.passage);
      j["n"] = c.number;
      out["citations"].push_back(std::move(j));
    }
    // Timings are left out on purpose: the same question must give byte-identical output.
    std::puts(server::Dump(out).c_str());
    return 0;
  }
  std::printf("%s\n", answer.text.c_str());
  if (!answer.citations.empty()) {
    std::puts("\nSources:");
    for (const auto& c : answer.citations) {
      const auto& p = c.passage;
      std::printf("[%d] %s — %s\n    %s\n    “%s”\n", c.number, p.doc_title.c_str(),
                  p.location.empty() ? "(whole document)" : p.location.c_str(), p.doc_path.c_str(),
                  Preview(p.text, 300).c_str());
    }
  }
  return 0;
}

}  // namespace docent::cli
