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
#include <optional>
#include <span>
#include <vector>

#include "docent/llm/forward_batch.h"
#include "docent/llm/forward_reference.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/kv_cache.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_weights.h"
#include "docent/util/status.h"
#include "docent/util/thread_pool.h"

namespace docent::llm {

struct ModelOptions {
  uint32_t n_seq = 1;             // independent sequences in the KV cache
  uint32_t max_positions = 4096;  // per sequence; capped at the model's context length
  KvStorage kv_storage = KvStorage::kF16;
  int threads = 0;  // 0: one per core
  // The kernels' instruction set; unset: the best this CPU has (kernels::BestIsa).
  std::optional<kernels::Isa> isa;
  uint32_t max_batch = 512;  // tokens per forward step; longer batches run in slices
  // Single tokens through the scalar reference pass (forward_reference.h) instead of the
  // batched engine: the yardstick the fast path is tested against.
  bool reference = false;
  // Repack the matrices at load into the layout the kernels want (TileModelWeights). Off
  // only to show that it changes no bit.
  bool tile_weights = true;
};

class Model {
 public:
  // The errors of GgufFile::Open, ReadModelConfig and MapModelWeights, each naming the file.
  static Result<std::unique_ptr<Model>> Load(const std::filesystem::path& path,
                                             const ModelOptions& options = {});
  static Result<std::unique_ptr<Model>> FromFile(GgufFile file, const ModelOptions& options = {});
  // A model from parts the caller read itself: `weights` must come from MapModelWeights(file,
  // config') for a config' with the same shapes as `config`. For callers that change a model as
  // it loads (the oracle suite runs deliberately broken models to show it notices them).
  static Result<std::unique_ptr<Model>> FromParts(GgufFile file, ModelConfig config,
                                                  ModelWeights weights,
                                                  const ModelOptions& options = {});

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const GgufFile& file() const { return file_; }
  const ModelConfig& config() const { return config_; }
  const ModelWeights& weights() const { return weights_; }
  uint32_t n_seq() const { return cache_.shape().n_seq; }
  uint32_t max_positions() const { return cache_.shape().max_positions; }
  int threads() const { return pool_.size(); }
  kernels::Isa isa() const { return batch_.isa(); }
  const KvCache& cache() const { return cache_; }
  // For moving cached positions in and out (engine/prefix_cache.h); not during Decode.
  KvCache& mutable_cache() { return cache_; }

  // Runs a batch of tokens from one or more sequences in one pass (forward_batch.h), writing
  // vocab_size logits per entry that asks for them.
  Status Decode(std::span<const BatchEntry> batch, std::span<float> logits);
  // Decode in fill mode (ForwardBatch::Fill): the entries compute chosen positions of
  // sequences already made long enough (mutable_cache().Extend), the rest placed there.
  Status Fill(std::span<const BatchEntry> batch, std::span<float> logits);
  // Feeds `tokens` to sequence `seq` from position `first_pos` (which rewinds it there) and
  // writes the last token's logits.
  Status Prefill(uint32_t seq, std::span<const uint32_t> tokens, uint32_t first_pos,
                 std::span<float> last_logits);

  // The logits (vocab_size values) after `token` at position `pos` of sequence `seq`.
  // pos must be at most the sequence's length: equal appends, less rewinds to pos first.
  // The final hidden state (after output_norm, n_embd values) of the last of `tokens`, read
  // from an empty sequence `seq` (cleared first): an embedding model's last-token pooling. The
  // batched engine always, as a reference model has no hidden-state output.
  Status LastHidden(uint32_t seq, std::span<const uint32_t> tokens, std::span<float> hidden);
  Result<std::vector<float>> Forward(uint32_t seq, uint32_t token, uint32_t pos);
  Status ForwardInto(uint32_t seq, uint32_t token, uint32_t pos, std::span<float> logits);

  uint32_t SequenceLength(uint32_t seq) const { return cache_.Length(seq); }
  // Forgets a sequence's cache (seq must be < n_seq).
  void ResetSequence(uint32_t seq) { cache_.Clear(seq); }

 private:
  Model(GgufFile file, ModelConfig config, ModelWeights weights, TiledWeights tiled, KvCache cache,
        const ModelOptions& options);

  GgufFile file_;
  ModelConfig config_;
  ModelWeights weights_;  // points into file_ and tiled_
  TiledWeights tiled_;
  KvCache cache_;
  ForwardReference forward_;  // points at config_ and weights_
  ThreadPool pool_;
  ForwardBatch batch_;  // points at config_, weights_ and pool_
  bool reference_ = false;
  std::vector<BatchEntry> entries_;  // Prefill's batch, reused
};

}  // namespace docent::llm
