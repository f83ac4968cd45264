// Helpers shared by the subcommands.
#include <cstdio>

#include "docent/answer/answer_cache.h"
#include "docent/cli/commands.h"

namespace docent::cli {

void PrintError(const std::string& message) {
  std::fprintf(stderr, "docent: %s\n", message.c_str());
}

Result<std::unique_ptr<store::Store>> OpenStore(const ParsedArgs& args) {
  std::string dir = args.Get("--data");
  return store::Store::Open(dir.empty() ? store::Store::DefaultDataDir()
                                        : std::filesystem::path(dir));
}

Result<std::unique_ptr<answer::AnswerCache>> OpenAnswerCache(
    const ParsedArgs& args, const std::filesystem::path& data_dir) {
  DOCENT_ASSIGN_OR_RETURN(
      long mb, args.GetInt("--answer-cache-mb", static_cast<long>(answer::kDefaultAnswerCacheMb), 0,
                           1 << 20));
  if (mb == 0) return std::unique_ptr<answer::AnswerCache>();
  return answer::AnswerCache::Open(answer::AnswerCacheFile(data_dir), static_cast<uint64_t>(mb)
                                                                          << 20);
}

Result<store::WorkspaceInfo> OpenWorkspace(store::Store& store, const ParsedArgs& args,
                                           bool create) {
  const std::string name = args.Get("--workspace", std::string(store::kDefaultWorkspace));
  DOCENT_RETURN_IF_ERROR(store::CheckWorkspaceName(name).WithContext("--workspace"));
  if (create) return store.EnsureWorkspace(name);
  DOCENT_ASSIGN_OR_RETURN(auto found, store.FindWorkspace(name));
  if (!found) return NotFound("no workspace " + name + " (docent workspaces ls lists them)");
  return *found;
}

}  // namespace docent::cli
