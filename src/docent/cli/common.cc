// Helpers shared by the subcommands.
#include <cstdio>

#include "docent/cli/commands.h"

namespace docent::cli {

void PrintError(const std::string& message) { std::fprintf(stderr, "docent: %s\n", message.c_str()); }

Result<std::unique_ptr<store::Store>> OpenStore(const ParsedArgs& args) {
  std::string dir = args.Get("--data");
  return store::Store::Open(dir.empty() ? store::Store::DefaultDataDir() : std::filesystem::path(dir));
}

}  // namespace docent::cli
