// Helpers shared by the subcommands.
#include <cstdio>
#include <thread>

#include "docent/answer/answer_cache.h"
#include "docent/answer/retrieval_service.h"
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

Result<std::unique_ptr<answer::RetrievalService>> OpenRetrieval(store::Store& store,
                                                                const ParsedArgs& args,
                                                                bool use_recorded, bool report) {
  answer::RetrievalServiceOptions o;
  o.embed_model = args.Get("--embed-model");
  o.rerank_model = args.Get("--rerank-model");
  o.use_recorded_model = use_recorded;
  DOCENT_ASSIGN_OR_RETURN(long threads, args.GetInt("--threads", 0, 0, 256));
  o.threads = threads > 0 ? static_cast<int>(threads)
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  DOCENT_ASSIGN_OR_RETURN(auto service, answer::RetrievalService::Open(store, o));
  if (const std::string note = service->note(); report && !note.empty()) {
    std::fprintf(stderr, "docent: %s\n", note.c_str());
  }
  return service;
}

Result<std::optional<search::Retrieval>> RetrievalFlag(const ParsedArgs& args) {
  if (!args.Has("--retrieval")) return std::optional<search::Retrieval>();
  DOCENT_ASSIGN_OR_RETURN(search::Retrieval mode, search::ParseRetrieval(args.Get("--retrieval")));
  return std::optional<search::Retrieval>(mode);
}

std::optional<CommandRetrieval> RetrievalForCommand(store::Store& store, const ParsedArgs& args,
                                                    int k, int* exit_code) {
  auto mode = RetrievalFlag(args);
  if (!mode.ok()) {
    PrintError(mode.status().message());
    *exit_code = 2;
    return std::nullopt;
  }
  auto service = OpenRetrieval(store, args);
  if (!service.ok()) {
    PrintError(service.status().ToString());
    *exit_code = service.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    return std::nullopt;
  }
  auto options = (*service)->Options(*mode, k);
  if (!options.ok()) {
    PrintError(options.status().message());
    *exit_code = 2;
    return std::nullopt;
  }
  return CommandRetrieval{std::move(*service), *options};
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
