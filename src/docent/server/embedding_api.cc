// Parsing of /v1/embeddings and /v1/rerank requests (see embedding_api.h).
#include "docent/server/embedding_api.h"

#include <algorithm>

namespace docent::server {

using json = nlohmann::json;

namespace {

Result<std::vector<std::string>> StringList(const json& value, const std::string& field,
                                            bool allow_single) {
  std::vector<std::string> out;
  if (allow_single && value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    if (value.empty()) return Unprocessable(field + " is an empty array");
    if (value.size() > kMaxEmbeddingInputs) {
      return Unprocessable(field + " has " + std::to_string(value.size()) + " items; at most " +
                           std::to_string(kMaxEmbeddingInputs) + " per request");
    }
    for (size_t i = 0; i < value.size(); ++i) {
      const json& item = value[i];
      if (item.is_number_integer() || item.is_array()) {
        return InvalidArgument(field + "[" + std::to_string(i) +
                               "] is token ids; docent embeds text (send strings)");
      }
      if (!item.is_string()) {
        return Unprocessable(field + "[" + std::to_string(i) + "] is not a string");
      }
      out.push_back(item.get<std::string>());
    }
  } else {
    return Unprocessable(field + (allow_single ? " must be a string or an array of strings"
                                               : " must be an array of strings"));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].empty()) {
      return Unprocessable(field + (out.size() > 1 ? "[" + std::to_string(i) + "]" : "") +
                           " is empty");
    }
  }
  return out;
}

}  // namespace

Result<EmbeddingsRequest> ParseEmbeddingsRequest(const json& body) {
  EmbeddingsRequest r;
  if (!body.contains("input")) return InvalidArgument("missing field: input");
  DOCENT_ASSIGN_OR_RETURN(r.inputs, StringList(body["input"], "input", true));
  if (body.contains("encoding_format") && !body["encoding_format"].is_null()) {
    const json& f = body["encoding_format"];
    if (!f.is_string() || (f != "float" && f != "base64")) {
      return Unprocessable("encoding_format must be \"float\" or \"base64\"");
    }
    r.base64 = f == "base64";
  }
  if (body.contains("model") && body["model"].is_string()) r.model = body["model"];
  if (body.contains("dimensions") && !body["dimensions"].is_null()) {
    return InvalidArgument("dimensions: docent returns the model's full vectors; leave it out");
  }
  return r;
}

Result<answer::RerankRequest> ParseRerankRequest(const json& body) {
  answer::RerankRequest r;
  if (!body.contains("query")) return InvalidArgument("missing field: query");
  if (!body["query"].is_string() || body["query"].get<std::string>().empty()) {
    return Unprocessable("query must be a non-empty string");
  }
  r.query = body["query"];
  if (!body.contains("documents")) return InvalidArgument("missing field: documents");
  DOCENT_ASSIGN_OR_RETURN(r.documents, StringList(body["documents"], "documents", false));
  if (body.contains("top_n") && !body["top_n"].is_null()) {
    const json& n = body["top_n"];
    if (!n.is_number_integer() || n.get<int64_t>() < 0) {
      return Unprocessable("top_n must be a non-negative integer");
    }
    r.top_n = static_cast<size_t>(n.get<int64_t>());
  }
  if (body.contains("return_documents") && !body["return_documents"].is_null()) {
    if (!body["return_documents"].is_boolean()) {
      return Unprocessable("return_documents must be true or false");
    }
    r.return_documents = body["return_documents"];
  }
  return r;
}

}  // namespace docent::server
