// `docent workspaces add|ls|rm NAME`: the store's workspaces, each team's share of documents.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/cli/commands.h"
#include "docent/cli/table.h"

namespace docent::cli {
namespace {

int List(store::Store& store, bool json) {
  auto list = store.ListWorkspaces();
  if (!list.ok()) {
    PrintError(list.status().ToString());
    return 1;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : *list) out.push_back(answer::WorkspaceView(w));
    std::puts(answer::Dump(out).c_str());
    return 0;
  }
  Table table({{"NAME", 24}, {"DOCS", -6}, {"CHUNKS", -7}, {"SIZE", -9}, {"CREATED (UTC)", 16}});
  for (const auto& w : *list) {
    table.Row({w.name, std::to_string(w.documents), std::to_string(w.chunks), FormatSize(w.bytes),
               FormatDate(w.created_at)});
  }
  std::fputs(table.Text().c_str(), stdout);
  return 0;
}

}  // namespace

int RunWorkspaces(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("workspaces"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  const auto& pos = args->positional;
  const bool ls = pos.size() == 1 && (pos[0] == "ls" || pos[0] == "list");
  const bool add = pos.size() == 2 && (pos[0] == "add" || pos[0] == "create");
  const bool rm = pos.size() == 2 && (pos[0] == "rm" || pos[0] == "remove");
  if (!ls && !add && !rm) {
    PrintError(UsageLine("workspaces"));
    return 2;
  }
  if (Status s = ls ? Status::Ok() : store::CheckWorkspaceName(pos[1]); !s.ok()) {
    PrintError(s.message());
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  if (ls) return List(**store, args->Has("--json"));
  if (add) {
    auto made = (*store)->CreateWorkspace(pos[1]);
    if (!made.ok()) {
      PrintError(made.status().message());
      return 1;
    }
    std::printf("created workspace %s\n", made->name.c_str());
    return 0;
  }
  auto removed = (*store)->RemoveWorkspace(pos[1]);
  if (!removed.ok()) {
    PrintError(removed.status().message());
    return 1;
  }
  std::printf("removed workspace %s and its %lld documents\n", pos[1].c_str(),
              static_cast<long long>(*removed));
  return 0;
}

}  // namespace docent::cli
