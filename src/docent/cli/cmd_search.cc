// `docent search "query" [-k N] [--json]`: ranked passages with score, document and location.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/cli/commands.h"
#include "docent/search/bm25_search.h"
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
  search::SearchOptions options;
  options.k = static_cast<int>(*k);
  auto t0 = std::chrono::steady_clock::now();
  auto results = search::SearchBm25(**store, ws->id, args->positional[0], options);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!results.ok()) {
    PrintError(results.status().ToString());
    return 1;
  }
  if (args->Has("--json")) {
    nlohmann::json out = {
        {"query", args->positional[0]}, {"took_ms", ms}, {"results", nlohmann::json::array()}};
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
  }
  return 0;
}

}  // namespace docent::cli
