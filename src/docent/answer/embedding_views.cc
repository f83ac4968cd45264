// Embedding and rerank response bodies (see embedding_views.h).
#include "docent/answer/embedding_views.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <numeric>

namespace docent::answer {

using json = nlohmann::json;

std::string Base64Floats(std::span<const float> values) {
  std::vector<unsigned char> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(values[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<unsigned char>(bits >> (8 * b));
  }
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

json EmbeddingsResponse(const std::string& model, std::span<const llm::Embedding> embeddings,
                        bool base64) {
  json data = json::array();
  uint64_t tokens = 0;
  for (size_t i = 0; i < embeddings.size(); ++i) {
    const llm::Embedding& e = embeddings[i];
    tokens += e.tokens;
    json item = {{"object", "embedding"}, {"index", i}};
    if (base64) {
      item["embedding"] = Base64Floats(e.vector);
    } else {
      item["embedding"] = e.vector;
    }
    data.push_back(std::move(item));
  }
  return {{"object", "list"},
          {"data", std::move(data)},
          {"model", model},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

json RerankResponse(const std::string& model, const RerankRequest& request,
                    std::span<const llm::RerankScore> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a].logit > scores[b].logit; });
  if (request.top_n != 0 && order.size() > request.top_n) order.resize(request.top_n);
  json results = json::array();
  for (size_t i : order) {
    json item = {{"index", i}, {"relevance_score", scores[i].score}};
    if (request.return_documents && i < request.documents.size()) {
      item["document"] = {{"text", request.documents[i]}};
    }
    results.push_back(std::move(item));
  }
  uint64_t tokens = 0;
  for (const llm::RerankScore& s : scores) tokens += s.tokens;
  return {{"object", "list"},
          {"model", model},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}},
          {"results", std::move(results)}};
}

}  // namespace docent::answer
