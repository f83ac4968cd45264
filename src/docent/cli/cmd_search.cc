// `docent search "query" [-k N] [--retrieval bm25|dense|hybrid] [--embed-model E]
// [--rerank-model R] [--json]`: ranked passages with score, document and location, and the
// other documents holding a near-duplicate of a passage.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/answer/retrieval_service.h"
#include "docent/cli/commands.h"
#include "docent/search/retriever.h"
#include "docent/util/utf8.h"

namespace docent::cli {

// A one-line preview of a passage, cut at a code point boundary.
std::string Preview(const std::string& text, size_t max_chars) {
  std::string flat;
  flat.reserve(text.size());
  for (char c : text) flat += (c == '\n' || c == '\t') ? ' ' : c;
  if (util::CountCodePoints(flat) <= max_chars) return flat;
  return flat.substr(0, util::ByteOffsetOfCodePoint(flat, max_chars)) + "…";
}

int RunSearch(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("search"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (args->positional.size() != 1) {
    PrintError("search needs one quoted query, e.g. docent search \"annual leave\"");
    return 2;
  }
  auto k = args->GetInt("-k", 10, 1, 1000);
  if (!k.ok()) {
    PrintError(k.status().message());
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  auto ws = OpenWorkspace(**store, *args, /*create=*/false);
  if (!ws.ok()) {
    PrintError(ws.status().message());
    return ws.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  int exit_code = 0;
  auto retrieval = RetrievalForCommand(**store, *args, static_cast<int>(*k), &exit_code);
  if (!retrieval) return exit_code;
  const search::RetrievalOptions* options = &retrieval->options;
  auto t0 = std::chrono::steady_clock::now();
  auto results = search::Retrieve(**store, ws->id, args->positional[0], *options);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!results.ok()) {
    PrintError(results.status().ToString());
    return 1;
  }
  if (args->Has("--json")) {
    nlohmann::json out = {{"query", args->positional[0]},
                          {"retrieval", search::RetrievalName(options->mode)},
                          {"took_ms", ms},
                          {"results", nlohmann::json::array()}};
    for (const auto& p : *results) out["results"].push_back(answer::PassageView(p));
    std::puts(answer::Dump(out).c_str());
    return 0;
  }
  if (results->empty()) {
    std::puts("No matching passages.");
    return 0;
  }
  int rank = 1;
  for (const auto& p : *results) {
    std::printf("%d. [%.2f] %s — %s\n   %s\n", rank++, p.score, p.doc_title.c_str(),
                p.location.empty() ? "(whole document)" : p.location.c_str(),
                Preview(p.text, 200).c_str());
    for (const search::PassageCopy& copy : p.duplicates) {
      std::printf("   also in %s — %s\n", copy.doc_title.c_str(),
                  copy.location.empty() ? "(whole document)" : copy.location.c_str());
    }
  }
  return 0;
}

}  // namespace docent::cli
