// The hyperparameters of a decoder-only transformer as a GGUF file states them, for the
// architectures docent runs: llama, qwen2, qwen3 and exaone.
//
// ReadModelConfig reads `general.architecture` and the `<arch>.` keys, fills in the defaults
// the format allows (head_count_kv = head_count, key_length = embedding_length / head_count,
// rope.dimension_count = key_length, rope.freq_base = 10000) and checks that the numbers
// agree with each other. A ModelConfig that exists is consistent: every count is positive,
// heads divide evenly into key/value groups and the rotary width is even and fits the head.
// Tensor shapes are checked against it by model_weights.h. A plain value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "docent/llm/gguf_file.h"
#include "docent/util/status.h"

namespace docent::llm {

enum class ModelArch { kLlama, kQwen2, kQwen3, kExaone };

// How rotary position embedding pairs the dimensions of a head.
enum class RopeType {
  kNormal,  // adjacent pairs (x[2i], x[2i+1]): the original llama layout
  kNeox,    // halves (x[i], x[i + n_rot/2]): GPT-NeoX, Qwen, EXAONE
};

std::string_view ModelArchName(ModelArch arch);
std::string_view RopeTypeName(RopeType type);

struct ModelConfig {
  ModelArch arch = ModelArch::kLlama;
  RopeType rope_type = RopeType::kNormal;
  uint32_t n_embd = 0;  // width of the residual stream
  uint32_t n_layer = 0;
  uint32_t n_head = 0;      // query heads
  uint32_t n_head_kv = 0;   // key/value heads (GQA when fewer than n_head)
  uint32_t n_ff = 0;        // width of the SwiGLU hidden layer
  uint32_t head_dim_k = 0;  // per-head width of queries and keys (attention.key_length)
  uint32_t head_dim_v = 0;  // per-head width of values (attention.value_length)
  uint32_t n_rot = 0;       // leading dimensions of each head that RoPE rotates
  uint32_t context_length = 0;
  uint32_t vocab_size = 0;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // linear position scaling: 1 / rope.scaling.factor
  float rms_eps = 1e-5f;
  std::optional<uint32_t> bos_token_id;
  std::optional<uint32_t> eos_token_id;

  uint32_t q_width() const { return n_head * head_dim_k; }
  uint32_t k_width() const { return n_head_kv * head_dim_k; }
  uint32_t v_width() const { return n_head_kv * head_dim_v; }
  uint32_t attn_out_width() const { return n_head * head_dim_v; }
};

// Unsupported for an architecture docent does not run or a rope scaling it does not
// implement; Corrupt naming the key for a missing, mistyped or inconsistent value. The vocabulary
// size comes from `<arch>.vocab_size`, else the length of tokenizer.ggml.tokens, else the
// token_embd.weight tensor.
Result<ModelConfig> ReadModelConfig(const GgufFile& file);

}  // namespace docent::llm
