// Flag parsing for the subcommands.
#include "docent/cli/args.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace docent::cli {

std::string ParsedArgs::Get(const std::string& flag, const std::string& fallback) const {
  auto it = values.find(flag);
  return it == values.end() ? fallback : it->second;
}

Result<long> ParsedArgs::GetInt(const std::string& flag, long fallback, long lo, long hi) const {
  auto it = values.find(flag);
  if (it == values.end()) return fallback;
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (errno != 0 || end == it->second.c_str() || *end != '\0' || v < lo || v > hi) {
    return InvalidArgument(flag + " wants a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + ", not '" + it->second + "'");
  }
  return v;
}

Result<float> ParsedArgs::GetFloat(const std::string& flag, float fallback) const {
  auto it = values.find(flag);
  if (it == values.end()) return fallback;
  errno = 0;
  char* end = nullptr;
  const float v = std::strtof(it->second.c_str(), &end);
  if (errno != 0 || end == it->second.c_str() || *end != '\0') {
    return InvalidArgument(flag + " needs a number, not '" + it->second + "'");
  }
  return v;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& argv, const FlagSpec& spec) {
  auto is = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  ParsedArgs out;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (is(spec.value_flags, name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) return InvalidArgument(name + " needs a value");
        value = argv[++i];
      }
      out.values[name] = value;
      out.repeated[name].push_back(value);
    } else if (is(spec.bool_flags, name) && !has_value) {
      out.flags.insert(name);
    } else {
      return InvalidArgument("unknown option " + name);
    }
  }
  return out;
}

}  // namespace docent::cli
