// docent's entry point: dispatches to the subcommands in cli/ through the table in usage.cc,
// which also gives every command its --help.
#include <cstdio>
#include <string>
#include <vector>

#include "docent/cli/commands.h"
#include "docent/cli/usage.h"

namespace {

// True when -h or --help comes before the "--" that ends the flags (after it, either is an
// argument, say a question that starts with a dash).
bool AsksForHelp(const docent::cli::Argv& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using docent::cli::GeneralUsage;
  if (argc < 2) {
    std::fputs(GeneralUsage().c_str(), stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  const docent::cli::Argv rest(argv + 2, argv + argc);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    // `docent help COMMAND` is `docent COMMAND --help`.
    const docent::cli::CommandHelp* about =
        cmd == "help" && !rest.empty() ? docent::cli::FindCommand(rest[0]) : nullptr;
    std::fputs(
        about != nullptr ? docent::cli::CommandUsage(about->name).c_str() : GeneralUsage().c_str(),
        stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::puts("docent 0.1.0");
    return 0;
  }
  const docent::cli::CommandHelp* command = docent::cli::FindCommand(cmd);
  if (command == nullptr) {
    std::fprintf(stderr, "docent: unknown command '%s'\n\n%s", cmd.c_str(), GeneralUsage().c_str());
    return 2;
  }
  if (AsksForHelp(rest)) {
    std::fputs(docent::cli::CommandUsage(command->name).c_str(), stdout);
    return 0;
  }
  return command->run(rest);
}
