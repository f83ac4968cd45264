// tokenizer.json -> vocabulary GGUF (see hf_tokenizer_json.h).
#include "docent/llm/hf_tokenizer_json.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "docent/llm/tokenizer_vocab.h"

namespace docent::llm {
namespace {

using nlohmann::json;

Result<json> ReadJson(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path.string() + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError(path.string() + ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j = json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corrupt(path.string() + ": not valid JSON");
  return j;
}

// tokenizer_config.json writes a token either as a string or as {"content": ...}.
std::string TokenContent(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("content") && j["content"].is_string()) {
    return j["content"].get<std::string>();
  }
  return {};
}

std::string GuessPre(const json& root) {
  const std::string pre_tokenizer = root.value("pre_tokenizer", json()).dump();
  if (pre_tokenizer.find(R"(\\p{N}{1,3})") != std::string::npos) return "llama-bpe";
  if (pre_tokenizer.find(R"(\\p{N}|)") != std::string::npos) return "qwen2";
  return "gpt-2";
}

}  // namespace

Result<GgufWriter> VocabGgufFromHfTokenizerJson(const std::filesystem::path& tokenizer_json,
                                                const HfTokenizerJsonOptions& options) {
  const std::string name = tokenizer_json.string();
  DOCENT_ASSIGN_OR_RETURN(json root, ReadJson(tokenizer_json));
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object()) {
    return Corrupt(name + ": no \"model\" object");
  }
  const json& model = root["model"];
  const std::string type = model.value("type", "");
  const bool byte_level = root.value("pre_tokenizer", json()).dump().find("ByteLevel") !=
                              std::string::npos ||
                          root.value("decoder", json()).dump().find("ByteLevel") !=
                              std::string::npos;
  if (type != "BPE" || !byte_level) {
    return Unsupported(name + ": model type \"" + type +
                       "\" without a ByteLevel pre-tokenizer; only byte-level BPE is read");
  }
  if (!model.contains("vocab") || !model["vocab"].is_object()) {
    return Corrupt(name + ": model.vocab is not an object");
  }

  std::map<int64_t, std::pair<std::string, TokenType>> by_id;
  for (const auto& [text, id] : model["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > (1 << 24)) {
      return Corrupt(name + ": model.vocab[\"" + text + "\"] is not a valid id");
    }
    by_id[id.get<int64_t>()] = {text, TokenType::kNormal};
  }
  if (root.contains("added_tokens") && root["added_tokens"].is_array()) {
    for (const json& added : root["added_tokens"]) {
      if (!added.is_object() || !added.contains("id") || !added["id"].is_number_integer() ||
          !added.contains("content") || !added["content"].is_string() ||
          added["id"].get<int64_t>() < 0 || added["id"].get<int64_t>() > (1 << 24)) {
        return Corrupt(name + ": malformed entry in added_tokens");
      }
      bool special = added.value("special", false);
      by_id[added["id"].get<int64_t>()] = {added["content"].get<std::string>(),
                                           special ? TokenType::kControl
                                                   : TokenType::kUserDefined};
    }
  }
  if (by_id.empty()) return Corrupt(name + ": empty vocabulary");
  const int64_t count = by_id.rbegin()->first + 1;
  std::vector<std::string> texts(static_cast<size_t>(count));
  std::vector<int32_t> types(static_cast<size_t>(count), static_cast<int32_t>(TokenType::kUnused));
  for (int64_t id = 0; id < count; ++id) texts[id] = "[PAD" + std::to_string(id) + "]";
  for (const auto& [id, entry] : by_id) {
    texts[id] = entry.first;
    types[id] = static_cast<int32_t>(entry.second);
  }

  std::vector<std::string> merges;
  if (!model.contains("merges") || !model["merges"].is_array()) {
    return Corrupt(name + ": model.merges is not an array");
  }
  merges.reserve(model["merges"].size());
  for (const json& m : model["merges"]) {
    // Older files write "left right", newer ones ["left", "right"].
    if (m.is_string()) {
      merges.push_back(m.get<std::string>());
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
    } else {
      return Corrupt(name + ": model.merges[" + std::to_string(merges.size()) +
                     "] is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }

  json config;
  const auto config_path = tokenizer_json.parent_path() / "tokenizer_config.json";
  std::error_code ec;
  if (std::filesystem::exists(config_path, ec)) {
    auto c = ReadJson(config_path);
    if (c.ok() && c->is_object()) config = std::move(c).value();
  }
  std::string bos = options.bos_token, eos = options.eos_token;
  if (bos.empty() && config.contains("bos_token")) bos = TokenContent(config["bos_token"]);
  if (eos.empty() && config.contains("eos_token")) eos = TokenContent(config["eos_token"]);
  auto find = [&](const std::string& text) -> int64_t {
    if (text.empty()) return -1;
    for (const auto& [id, entry] : by_id) {
      if (entry.first == text) return id;
    }
    return -1;
  };
  const int64_t bos_id = find(bos), eos_id = find(eos);
  bool add_bos = false;
  if (options.add_bos) {
    add_bos = *options.add_bos;
  } else if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) {
    add_bos = config["add_bos_token"].get<bool>();
  } else if (bos_id >= 0) {
    add_bos = root.value("post_processor", json()).dump().find(json(bos).dump()) !=
              std::string::npos;
  }

  GgufWriter w;
  w.SetString("general.architecture", "tokenizer");
  w.SetString("general.name", tokenizer_json.parent_path().filename().string());
  w.SetString("tokenizer.ggml.model", "gpt2");
  w.SetString("tokenizer.ggml.pre", options.pre.empty() ? GuessPre(root) : options.pre);
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(texts));
  w.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  w.Set("tokenizer.ggml.merges", GgufWriteValue::StringArray(merges));
  if (bos_id >= 0) w.SetU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(bos_id));
  if (eos_id >= 0) w.SetU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(eos_id));
  w.SetBool("tokenizer.ggml.add_bos_token", add_bos);
  w.SetBool("tokenizer.ggml.add_eos_token", false);
  return w;
}

}  // namespace docent::llm
