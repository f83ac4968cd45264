// The subcommands of the docent binary. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 the work failed, 2 bad usage.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "docent/cli/args.h"
#include "docent/cli/usage.h"  // FlagsOf: each command's flags
#include "docent/search/retriever.h"
#include "docent/store/store.h"

namespace docent::answer {
class AnswerCache;
class RetrievalService;
}  // namespace docent::answer

namespace docent::cli {

using Argv = std::vector<std::string>;

int RunAdd(const Argv& args);
int RunSearch(const Argv& args);
int RunAsk(const Argv& args);
int RunDocs(const Argv& args);
int RunEval(const Argv& args);
int RunServe(const Argv& args);
int RunGenerate(const Argv& args);
int RunBench(const Argv& args);
int RunSynthModel(const Argv& args);
int RunKvFidelity(const Argv& args);
int RunWarm(const Argv& args);
int RunWorkspaces(const Argv& args);
int RunEmbed(const Argv& args);
int RunRerank(const Argv& args);

// Shared by the commands: prints "docent: <message>" to stderr.
void PrintError(const std::string& message);
// Opens the store named by --data (or the default data directory).
Result<std::unique_ptr<store::Store>> OpenStore(const ParsedArgs& args);
// The data directory's answer cache with --answer-cache-mb's budget (default 64); null when
// the flag is 0.
Result<std::unique_ptr<answer::AnswerCache>> OpenAnswerCache(const ParsedArgs& args,
                                                             const std::filesystem::path& data_dir);
// The retrieval models for search, ask and eval: --embed-model (else the store's recorded
// model, when `use_recorded`), --rerank-model, --threads. With `report`, says on stderr why
// dense retrieval is not ready, when it is not.
Result<std::unique_ptr<answer::RetrievalService>> OpenRetrieval(store::Store& store,
                                                                const ParsedArgs& args,
                                                                bool use_recorded = true,
                                                                bool report = true);
// --retrieval as given (nullopt when absent).
Result<std::optional<search::Retrieval>> RetrievalFlag(const ParsedArgs& args);
// What search and ask retrieve with: the models (OpenRetrieval; `service` keeps them alive)
// and the retrieval --retrieval asks for, k passages. Prints the error and sets *exit_code
// (2 for a bad or unmet flag, 1 for a model that fails to load) when it fails.
struct CommandRetrieval {
  std::unique_ptr<answer::RetrievalService> service;
  search::RetrievalOptions options;
};
std::optional<CommandRetrieval> RetrievalForCommand(store::Store& store, const ParsedArgs& args,
                                                    int k, int* exit_code);

// The workspace named by --workspace, else the default one. With `create` it is made when
// missing (`docent add`); otherwise a missing one is NotFound. A bad name is InvalidArgument.
Result<store::WorkspaceInfo> OpenWorkspace(store::Store& store, const ParsedArgs& args,
                                           bool create);

}  // namespace docent::cli
