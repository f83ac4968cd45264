// A loaded decoder model: the GGUF file (mapped), its config and weights, a KV cache and the
// reference forward pass, behind one small API.
//
//   DOCENT_ASSIGN_OR_RETURN(auto model, Model::Load("stories260K.gguf"));
//   DOCENT_ASSIGN_OR_RETURN(std::vector<float> logits, model->Forward(0, token, pos));
//
// The Model owns the file and everything that points into it, so it lives behind a
// unique_ptr and never moves. Not thread-safe: Forward mutates the cache and scratch buffers;
// callers serialise access (the engine's scheduler owns one Model per worker).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "docent/llm/forward_reference.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/kv_cache.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_weights.h"
#include "docent/util/status.h"

namespace docent::llm {

struct ModelOptions {
  uint32_t n_seq = 1;             // independent sequences in the KV cache
  uint32_t max_positions = 4096;  // per sequence; capped at the model's context length
  KvStorage kv_storage = KvStorage::kF16;
};

class Model {
 public:
  // The errors of GgufFile::Open, ReadModelConfig and MapModelWeights, each naming the file.
  static Result<std::unique_ptr<Model>> Load(const std::filesystem::path& path,
                                             const ModelOptions& options = {});
  static Result<std::unique_ptr<Model>> FromFile(GgufFile file, const ModelOptions& options = {});

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const GgufFile& file() const { return file_; }
  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  uint32_t n_seq() const { return cache_.shape().n_seq; }
  uint32_t max_positions() const { return cache_.shape().max_positions; }

  // The logits (vocab_size values) after `token` at position `pos` of sequence `seq`.
  // pos must be at most the sequence's length: equal appends, less rewinds to pos first.
  Result<std::vector<float>> Forward(uint32_t seq, uint32_t token, uint32_t pos);
  Status ForwardInto(uint32_t seq, uint32_t token, uint32_t pos, std::span<float> logits);

  uint32_t SequenceLength(uint32_t seq) const { return cache_.Length(seq); }
  // Forgets a sequence's cache (seq must be < n_seq).
  void ResetSequence(uint32_t seq) { cache_.Clear(seq); }

 private:
  Model(GgufFile file, ModelConfig config, ModelWeights weights, KvCache cache);

  GgufFile file_;
  ModelConfig config_;
  ModelWeights weights_;  // points into file_
  KvCache cache_;
  ForwardReference forward_;  // points at config_ and weights_
};

}  // namespace docent::llm
