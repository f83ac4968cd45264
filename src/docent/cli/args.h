// A small command-line parser: each subcommand declares its flags, and anything else is an
// error that names the flag, so a typo never silently changes what runs.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "docent/util/status.h"

namespace docent::cli {

struct FlagSpec {
  std::vector<std::string> value_flags;  // "--data", "-k": take the next argument or =value
  std::vector<std::string> bool_flags;   // "--json"
};

struct ParsedArgs {
  std::map<std::string, std::string> values;  // keyed by the flag as declared ("--data")
  // Every value of each value flag, in order (a repeatable flag: --generator URL ...).
  std::map<std::string, std::vector<std::string>> repeated;
  std::set<std::string> flags;
  std::vector<std::string> positional;

  bool Has(const std::string& flag) const { return flags.count(flag) || values.count(flag); }
  std::string Get(const std::string& flag, const std::string& fallback = "") const;
  // The value as an integer in [lo, hi]; InvalidArgument naming the flag otherwise.
  Result<long> GetInt(const std::string& flag, long fallback, long lo, long hi) const;
  // The value as a number; InvalidArgument naming the flag otherwise.
  Result<float> GetFloat(const std::string& flag, float fallback) const;
};

// Parses argv[0..argc) (the arguments after the subcommand name). "--" ends flags.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec);

}  // namespace docent::cli
