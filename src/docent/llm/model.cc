// Loading a decoder model and running its forward pass (see model.h).
#include "docent/llm/model.h"

#include <algorithm>
#include <utility>

namespace docent::llm {

Result<std::unique_ptr<Model>> Model::Load(const std::filesystem::path& path,
                                           const ModelOptions& options) {
  DOCENT_ASSIGN_OR_RETURN(GgufFile file, GgufFile::Open(path));
  return FromFile(std::move(file), options);
}

Result<std::unique_ptr<Model>> Model::FromFile(GgufFile file, const ModelOptions& options) {
  DOCENT_ASSIGN_OR_RETURN(ModelConfig config, ReadModelConfig(file));
  // Spans into a GgufFile stay valid when it moves (gguf_file.h), so mapping before the move
  // into the Model is safe.
  DOCENT_ASSIGN_OR_RETURN(ModelWeights weights, MapModelWeights(file, config));
  KvCacheShape shape;
  shape.n_layer = config.n_layer;
  shape.n_head_kv = config.n_head_kv;
  shape.head_dim_k = config.head_dim_k;
  shape.head_dim_v = config.head_dim_v;
  shape.max_positions = std::min(options.max_positions, config.context_length);
  shape.n_seq = options.n_seq;
  DOCENT_ASSIGN_OR_RETURN(KvCache cache, KvCache::Create(shape, options.kv_storage));
  return std::unique_ptr<Model>(
      new Model(std::move(file), std::move(config), std::move(weights), std::move(cache)));
}

Model::Model(GgufFile file, ModelConfig config, ModelWeights weights, KvCache cache)
    : file_(std::move(file)),
      config_(std::move(config)),
      weights_(std::move(weights)),
      cache_(std::move(cache)),
      forward_(config_, weights_) {}

Result<std::vector<float>> Model::Forward(uint32_t seq, uint32_t token, uint32_t pos) {
  std::vector<float> logits(config_.vocab_size);
  DOCENT_RETURN_IF_ERROR(ForwardInto(seq, token, pos, logits));
  return logits;
}

Status Model::ForwardInto(uint32_t seq, uint32_t token, uint32_t pos, std::span<float> logits) {
  return forward_.Forward(cache_, seq, token, pos, logits);
}

}  // namespace docent::llm
