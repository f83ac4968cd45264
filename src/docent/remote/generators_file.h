// `docent serve --generators-file F`: the full form of the pool's endpoints, a JSON list of
//   {"url", "model", "api_key_file" | "api_key_env", "max_concurrent", "timeout_s",
//    "context_length", "azure_api_version"}
// with only "url" required. API keys come from a file (its first line) or an environment
// variable, never from the command line or the file itself, where other users of the machine
// or a repository could read them. Unknown fields are refused, so a typo never silently drops
// a setting. Pure apart from reading the key files and the environment.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/remote/openai_client.h"
#include "docent/util/status.h"

namespace docent::remote {

// The endpoints `text` describes; `getenv` reads the environment (std::getenv in serve).
// InvalidArgument naming the entry and field for anything malformed, and for a key file or
// variable that cannot be read or is empty.
Result<std::vector<EndpointConfig>> ParseGeneratorsFile(
    std::string_view text, const std::function<const char*(const char*)>& getenv);

}  // namespace docent::remote
