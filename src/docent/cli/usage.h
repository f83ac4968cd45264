// The command line's one table of commands and their flags. The parser takes each command's
// FlagSpec from it (FlagsOf), main dispatches through it, and `docent COMMAND --help` prints
// it, so the help cannot drift from what the parser accepts.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/cli/args.h"

namespace docent::cli {

struct FlagHelp {
  std::string_view name;   // as ParseArgs matches it: "--data", "-k"
  std::string_view value;  // the value's placeholder ("DIR", "N"); empty for a switch
  std::string_view help;   // one line, with the default where there is one
};

struct CommandHelp {
  std::string_view name;      // "search"
  std::string_view synopsis;  // what follows "docent NAME" on the usage line
  std::string_view summary;   // one sentence
  std::span<const FlagHelp> flags;
  int (*run)(const std::vector<std::string>& args);  // the command, given the arguments after NAME
};

// Every command, in the order the general usage lists them. Static storage; immutable.
std::span<const CommandHelp> Commands();

// The command named `name`; nullptr when there is none.
const CommandHelp* FindCommand(std::string_view name);

// The flags ParseArgs accepts for `command`. An unknown name is a programming error: it
// aborts with a message.
FlagSpec FlagsOf(std::string_view command);

// "usage: docent NAME SYNOPSIS", for a command's bad-usage message. Aborts on an unknown name.
std::string UsageLine(std::string_view command);

// `docent COMMAND --help`: "usage: docent NAME SYNOPSIS", the summary, then the options, one
// aligned line each. An unknown name aborts, as in FlagsOf.
std::string CommandUsage(std::string_view command);

// `docent --help`: every command with its synopsis and summary, and the common options.
std::string GeneralUsage();

}  // namespace docent::cli
