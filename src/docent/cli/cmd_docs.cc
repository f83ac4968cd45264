// `docent docs ls` and `docent docs rm ID|PATH`.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/cli/commands.h"

namespace docent::cli {
namespace {

std::string FormatDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string FormatSize(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
  }
  return buf;
}

int List(store::Store& store, bool json) {
  auto docs = store.ListDocuments();
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
  std::printf("%5s  %-40s  %-5s  %9s  %6s  %s\n", "ID", "TITLE", "TYPE", "SIZE", "CHUNKS",
              "UPDATED (UTC)");
  for (const auto& d : *docs) {
    std::printf("%5lld  %-40s  %-5s  %9s  %6lld  %s\n", static_cast<long long>(d.id),
                d.title.c_str(), d.format.c_str(), FormatSize(d.size_bytes).c_str(),
                static_cast<long long>(d.chunk_count), FormatDate(d.updated_at).c_str());
  }
  return 0;
}

int Remove(store::Store& store, const std::string& what) {
  int64_t id = 0;
  bool numeric = !what.empty() && what.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    id = std::stoll(what);
  } else {
    std::error_code ec;
    std::string abs = std::filesystem::absolute(what, ec).lexically_normal().string();
    auto doc = store.FindBySource(abs);
    if (doc.ok() && !*doc) doc = store.FindBySource(what);
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
  Status s = store.RemoveDocument(id);
  if (!s.ok()) {
    PrintError(s.message());
    return 1;
  }
  std::printf("removed document %lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

int RunDocs(const Argv& argv) {
  auto args = ParseArgs(argv, {{"--data"}, {"--json"}});
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  const auto& pos = args->positional;
  bool ls = !pos.empty() && (pos[0] == "ls" || pos[0] == "list") && pos.size() == 1;
  bool rm = pos.size() == 2 && (pos[0] == "rm" || pos[0] == "remove");
  if (!ls && !rm) {
    PrintError("usage: docent docs ls [--json] | docent docs rm ID|PATH");
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  return ls ? List(**store, args->Has("--json")) : Remove(**store, pos[1]);
}

}  // namespace docent::cli
