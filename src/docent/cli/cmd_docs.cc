// `docent docs ls` and `docent docs rm ID|PATH`: a workspace's documents, listed in a table
// that lines up whatever the titles' script, or one removed.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/cli/commands.h"
#include "docent/cli/table.h"

namespace docent::cli {
namespace {

int List(store::Store& store, int64_t workspace_id, bool json) {
  auto docs = store.ListDocuments(workspace_id);
  if (!docs.ok()) {
    PrintError(docs.status().ToString());
    return 1;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *docs) {
      out.push_back({{"id", d.id},
                     {"title", d.title},
                     {"format", d.format},
                     {"source", d.source},
                     {"size_bytes", d.size_bytes},
                     {"chunks", d.chunk_count},
                     {"added_at", d.added_at},
                     {"updated_at", d.updated_at}});
    }
    std::puts(answer::Dump(out).c_str());
    return 0;
  }
  Table table({{"ID", -5},
               {"TITLE", 40},
               {"TYPE", 5},
               {"SIZE", -9},
               {"CHUNKS", -6},
               {"UPDATED (UTC)", 16}});
  for (const auto& d : *docs) {
    table.Row({std::to_string(d.id), d.title, d.format, FormatSize(d.size_bytes),
               std::to_string(d.chunk_count), FormatDate(d.updated_at)});
  }
  std::fputs(table.Text().c_str(), stdout);
  return 0;
}

int Remove(store::Store& store, int64_t workspace_id, const std::string& what) {
  int64_t id = 0;
  bool numeric = !what.empty() && what.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    id = std::stoll(what);
  } else {
    std::error_code ec;
    std::string abs = std::filesystem::absolute(what, ec).lexically_normal().string();
    auto doc = store.FindBySource(workspace_id, abs);
    if (doc.ok() && !*doc) doc = store.FindBySource(workspace_id, what);
    if (!doc.ok()) {
      PrintError(doc.status().ToString());
      return 1;
    }
    if (!*doc) {
      PrintError("no document added from " + what);
      return 1;
    }
    id = (*doc)->id;
  }
  Status s = store.RemoveDocument(id, workspace_id);
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  std::printf("removed document %lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

int RunDocs(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("docs"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  const auto& pos = args->positional;
  bool ls = !pos.empty() && (pos[0] == "ls" || pos[0] == "list") && pos.size() == 1;
  bool rm = pos.size() == 2 && (pos[0] == "rm" || pos[0] == "remove");
  if (!ls && !rm) {
    PrintError(UsageLine("docs"));
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
  return ls ? List(**store, ws->id, args->Has("--json")) : Remove(**store, ws->id, pos[1]);
}

}  // namespace docent::cli
