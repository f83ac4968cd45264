// The reference forward pass of a llama-family decoder for one token: the numbers every
// faster path (batched prompts, SIMD kernels, threads) is held to.
//
// Per layer: RMSNorm -> Q/K/V projections (+ bias) -> (qwen3: per-head RMSNorm of q and k)
// -> RoPE -> grouped-query attention over the KV cache, causal, softmax over positions
// 0..pos -> output projection -> residual; RMSNorm -> SwiGLU FFN (silu(gate) * up -> down)
// -> residual. Then the final RMSNorm and the output projection give the logits.
//
// Matrix products use the scalar reference (matvec.h MatVecF32: each weight row decoded and
// dotted with f32 activations, block by block), and every other reduction has one fixed
// order (forward_ops.h, kv_cache.h). So a token's logits depend only on the model, the token,
// its position and the sequence's cache: never on batch size or other sequences.
// Not thread-safe: a ForwardReference owns scratch buffers; use one per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/kv_cache.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_weights.h"
#include "docent/util/status.h"

namespace docent::llm {

class ForwardReference {
 public:
  // `config` and `weights` must outlive this object.
  ForwardReference(const ModelConfig& config, const ModelWeights& weights);

  // Runs token `token` at position `pos` of sequence `seq`, writing its keys and values into
  // `cache` (which must match the config's shape) and vocab_size logits into `logits`.
  // InvalidArgument for a token outside the vocabulary or a bad position (kv_cache.h).
  Status Forward(KvCache& cache, uint32_t seq, uint32_t token, uint32_t pos,
                 std::span<float> logits);

 private:
  Status Attention(KvCache& cache, uint32_t seq, uint32_t layer, uint32_t pos);

  const ModelConfig& config_;
  const ModelWeights& weights_;
  // Scratch, sized once.
  std::vector<float> x_;  // residual stream, n_embd
  std::vector<float> h_;  // normalised input of a sub-layer, n_embd
  std::vector<float> q_, k_, v_;
  std::vector<float> attn_;  // concatenated head outputs, n_head * head_dim_v
  std::vector<float> proj_;  // a sub-layer's output, n_embd
  std::vector<float> gate_, up_;
  std::vector<float> scores_;  // one head's attention weights over positions
};

}  // namespace docent::llm
