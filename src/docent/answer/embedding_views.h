// The bodies of embedding and rerank responses, in the shapes existing clients speak, for the
// server (/v1/embeddings, /v1/rerank: server/embedding_api.h) and the CLI (`docent embed
// --json`, `docent rerank --json`) alike:
//   embeddings  OpenAI's {object: "list", data: [{object: "embedding", index, embedding}],
//               model, usage}; vectors L2-normalised; base64 is the little-endian float32 bytes
//   rerank      llama-server's (Jina's / Cohere's) {object: "list", model, usage, results:
//               [{index, relevance_score, document?: {text}}]}, best first; relevance_score is
//               the head's raw logit, as llama-server's
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "docent/llm/embedder.h"

namespace docent::answer {

struct RerankRequest {
  std::string query;
  std::vector<std::string> documents;
  size_t top_n = 0;  // 0: all
  bool return_documents = false;
};

nlohmann::json EmbeddingsResponse(const std::string& model,
                                  std::span<const llm::Embedding> embeddings, bool base64);
// `scores[i]` belongs to request.documents[i]; results are sorted by score, best first (ties
// by index), and cut to top_n.
nlohmann::json RerankResponse(const std::string& model, const RerankRequest& request,
                              std::span<const llm::RerankScore> scores);

// The float32 values' little-endian bytes in standard base64 (OpenAI's encoding_format).
std::string Base64Floats(std::span<const float> values);

}  // namespace docent::answer
