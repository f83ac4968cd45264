// Loading a decoder model and running its forward pass (see model.h).
#include "docent/llm/model.h"

#include <algorithm>
#include <thread>
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
  return FromParts(std::move(file), std::move(config), std::move(weights), options);
}

Result<std::unique_ptr<Model>> Model::FromParts(GgufFile file, ModelConfig config,
                                                ModelWeights weights, const ModelOptions& options) {
  KvCacheShape shape;
  shape.n_layer = config.n_layer;
  shape.n_head_kv = config.n_head_kv;
  shape.head_dim_k = config.head_dim_k;
  shape.head_dim_v = config.head_dim_v;
  shape.max_positions = std::min(options.max_positions, config.context_length);
  shape.n_seq = options.n_seq;
  DOCENT_ASSIGN_OR_RETURN(KvCache cache, KvCache::Create(shape, options.kv_storage));
  // Once per model, at load: the first request never pays for it.
  TiledWeights tiled;
  if (options.tile_weights) {
    tiled = TileModelWeights(weights, options.isa.value_or(kernels::BestIsa()), file);
  }
  return std::unique_ptr<Model>(new Model(std::move(file), std::move(config), std::move(weights),
                                          std::move(tiled), std::move(cache), options));
}

namespace {

int ThreadsFor(const ModelOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

Model::Model(GgufFile file, ModelConfig config, ModelWeights weights, TiledWeights tiled,
             KvCache cache, const ModelOptions& options)
    : file_(std::move(file)),
      config_(std::move(config)),
      weights_(std::move(weights)),
      tiled_(std::move(tiled)),
      cache_(std::move(cache)),
      forward_(config_, weights_),
      pool_(ThreadsFor(options)),
      batch_(config_, weights_, pool_, options.isa.value_or(kernels::BestIsa()), options.max_batch),
      reference_(options.reference) {}

Status Model::Decode(std::span<const BatchEntry> batch, std::span<float> logits) {
  return batch_.Forward(cache_, batch, logits);
}

Status Model::Fill(std::span<const BatchEntry> batch, std::span<float> logits) {
  return batch_.Fill(cache_, batch, logits);
}

Status Model::Prefill(uint32_t seq, std::span<const uint32_t> tokens, uint32_t first_pos,
                      std::span<float> last_logits) {
  if (tokens.empty()) return InvalidArgument("no tokens to prefill");
  entries_.clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    entries_.push_back(
        {seq, tokens[i], first_pos + static_cast<uint32_t>(i), i + 1 == tokens.size()});
  }
  return batch_.Forward(cache_, entries_, last_logits);
}

Status Model::LastHidden(uint32_t seq, std::span<const uint32_t> tokens, std::span<float> hidden) {
  if (tokens.empty()) return InvalidArgument("no tokens to read");
  if (seq >= n_seq())
    return InvalidArgument("sequence " + std::to_string(seq) + " is outside the cache");
  cache_.Clear(seq);
  entries_.clear();
  for (size_t i = 0; i < tokens.size(); ++i) {
    entries_.push_back({seq, tokens[i], static_cast<uint32_t>(i), i + 1 == tokens.size()});
  }
  return batch_.Hidden(cache_, entries_, hidden);
}

Result<std::vector<float>> Model::Forward(uint32_t seq, uint32_t token, uint32_t pos) {
  std::vector<float> logits(config_.vocab_size);
  DOCENT_RETURN_IF_ERROR(ForwardInto(seq, token, pos, logits));
  return logits;
}

Status Model::ForwardInto(uint32_t seq, uint32_t token, uint32_t pos, std::span<float> logits) {
  if (reference_) return forward_.Forward(cache_, seq, token, pos, logits);
  const BatchEntry entry{seq, token, pos, true};
  return batch_.Forward(cache_, std::span<const BatchEntry>(&entry, 1), logits);
}

}  // namespace docent::llm
