// The embedding and reranking endpoints, in the shapes existing clients speak:
//   POST /v1/embeddings  OpenAI's: {input: string | [string], model?, encoding_format?:
//                        "float" | "base64", user?} -> {object: "list", data: [{object:
//                        "embedding", index, embedding}], model, usage}; vectors
//                        L2-normalised; base64 is the little-endian float32 bytes
//   POST /v1/rerank      llama-server's (Jina's / Cohere's): {query, documents: [string],
//                        top_n?, return_documents?} -> {object: "list", model, usage,
//                        results: [{index, relevance_score, document?: {text}}]}, best
//                        first; relevance_score is the head's raw logit, as llama-server's
// The bodies are answer/embedding_views.h's, which `docent embed --json` and `docent rerank
// --json` print too. A text over the
// model's positions is refused (400 naming the input), not silently cut: the caller's vector
// would not cover their text.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "docent/answer/embedding_views.h"
#include "docent/util/status.h"

namespace docent::server {

struct EmbeddingsRequest {
  std::vector<std::string> inputs;
  bool base64 = false;
  std::string model;
};

// At most this many inputs (documents) in one request: each is a forward pass.
inline constexpr size_t kMaxEmbeddingInputs = 2048;

// InvalidArgument / Unprocessable naming the field: a missing or empty input, a non-string
// item ("input[3] ..."), token-id input (send text), an unknown encoding_format,
// more than kMaxEmbeddingInputs inputs.
Result<EmbeddingsRequest> ParseEmbeddingsRequest(const nlohmann::json& body);
// The same for a rerank request: a missing query, documents not an array of strings, a
// negative top_n.
Result<answer::RerankRequest> ParseRerankRequest(const nlohmann::json& body);

}  // namespace docent::server
