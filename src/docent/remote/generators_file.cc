// Reading the generators file (see generators_file.h).
#include "docent/remote/generators_file.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace docent::remote {
namespace {

using nlohmann::json;

constexpr const char* kFields[] = {
    "url",       "model",          "api_key_file",     "api_key_env", "max_concurrent",
    "timeout_s", "context_length", "azure_api_version"};

// The first line of `path`, without its line ending.
Result<std::string> KeyFromFile(const std::string& path, const std::string& where) {
  std::ifstream in(path);
  if (!in) return InvalidArgument(where + ": cannot read the API key file " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) return InvalidArgument(where + ": the API key file " + path + " is empty");
  return line;
}

}  // namespace

Result<std::vector<EndpointConfig>> ParseGeneratorsFile(
    std::string_view text, const std::function<const char*(const char*)>& getenv) {
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("the generators file is not valid JSON");
  if (!parsed.is_array() || parsed.empty()) {
    return InvalidArgument("the generators file must be a non-empty JSON list of generators");
  }
  std::vector<EndpointConfig> out;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const json& e = parsed[i];
    const std::string where = "generators[" + std::to_string(i) + "]";
    if (!e.is_object()) return InvalidArgument(where + " must be an object");
    for (const auto& [key, value] : e.items()) {
      if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
        return InvalidArgument(where + ": unknown field \"" + key +
                               "\" (url, model, api_key_file, api_key_env, max_concurrent, "
                               "timeout_s, context_length, azure_api_version)");
      }
    }
    auto text_field = [&](const char* name, std::string& into, bool required) -> Status {
      auto it = e.find(name);
      if (it == e.end() || it->is_null()) {
        return required ? InvalidArgument(where + " needs \"" + name + "\"") : Status::Ok();
      }
      if (!it->is_string() || it->get<std::string>().empty()) {
        return InvalidArgument(where + ".\"" + name + "\" must be a non-empty string");
      }
      into = it->get<std::string>();
      return Status::Ok();
    };
    auto number_field = [&](const char* name, double lo, double hi, auto& into) -> Status {
      auto it = e.find(name);
      if (it == e.end() || it->is_null()) return Status::Ok();
      if (!it->is_number() || it->get<double>() < lo || it->get<double>() > hi) {
        return InvalidArgument(where + ".\"" + name + "\" must be a number from " +
                               std::to_string(static_cast<long>(lo)) + " to " +
                               std::to_string(static_cast<long>(hi)));
      }
      into = static_cast<std::remove_reference_t<decltype(into)>>(it->get<double>());
      return Status::Ok();
    };
    EndpointConfig c;
    std::string key_file, key_env;
    DOCENT_RETURN_IF_ERROR(text_field("url", c.url, true));
    DOCENT_RETURN_IF_ERROR(text_field("model", c.model, false));
    DOCENT_RETURN_IF_ERROR(text_field("api_key_file", key_file, false));
    DOCENT_RETURN_IF_ERROR(text_field("api_key_env", key_env, false));
    DOCENT_RETURN_IF_ERROR(text_field("azure_api_version", c.azure_api_version, false));
    DOCENT_RETURN_IF_ERROR(number_field("max_concurrent", 1, 4096, c.max_concurrent));
    DOCENT_RETURN_IF_ERROR(number_field("timeout_s", 1, 86400, c.timeout_s));
    DOCENT_RETURN_IF_ERROR(number_field("context_length", 64, 1 << 24, c.context_length));
    if (!key_file.empty() && !key_env.empty()) {
      return InvalidArgument(where + ": give \"api_key_file\" or \"api_key_env\", not both");
    }
    if (!key_file.empty()) {
      DOCENT_ASSIGN_OR_RETURN(c.api_key, KeyFromFile(key_file, where));
    } else if (!key_env.empty()) {
      const char* value = getenv(key_env.c_str());
      if (value == nullptr || *value == '\0') {
        return InvalidArgument(where + ": the environment variable " + key_env +
                               " (api_key_env) is not set");
      }
      c.api_key = value;
    }
    if (!c.azure_api_version.empty() && c.model.empty()) {
      // Azure serves a deployment at its URL; its name is the model id requests carry.
      const size_t at = c.url.find("/deployments/");
      if (at == std::string::npos) {
        return InvalidArgument(where +
                               ": an Azure OpenAI url names its deployment "
                               "(https://RESOURCE.openai.azure.com/openai/deployments/"
                               "NAME), or give \"model\"");
      }
      c.model = c.url.substr(at + 13);
      while (!c.model.empty() && c.model.back() == '/') c.model.pop_back();
    }
    DOCENT_RETURN_IF_ERROR(OpenAiClient::Make(c).status());
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace docent::remote
