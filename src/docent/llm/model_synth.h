// Synthetic llama-family models: random weights of realistic magnitude in the exact tensor
// layout of each architecture docent runs, written through GgufWriter. Tests use them to hold
// the forward pass against llama.cpp on architectures for which no tiny real model is at hand
// (qwen2 biases, qwen3 q/k norms and key_length, exaone, GQA, NeoX rotary).
//
// Weights are drawn from a fixed-seed generator (the same spec gives the same bytes on every
// machine): matrices uniform with the variance 1/fan_in of a trained layer, norm weights near
// 1, biases small. The vocabulary (tokenizer.* keys) is copied from another GGUF file, so
// llama.cpp can load the result. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/model_config.h"
#include "docent/util/status.h"

namespace docent::llm {

struct SynthModelSpec {
  ModelArch arch = ModelArch::kLlama;
  uint32_t n_embd = 256;
  uint32_t n_layer = 2;
  uint32_t n_head = 4;
  uint32_t n_head_kv = 2;
  uint32_t n_ff = 512;
  uint32_t head_dim = 0;  // 0: n_embd / n_head, key_length not written
  uint32_t context_length = 512;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-6f;
  bool tied_output = false;
  uint64_t seed = 1;
  // Every matrix is stored in this type (biases and norms stay F32).
  GgmlType weight_type = GgmlType::kF32;
  // For loader tests: a tensor name to leave out of the file.
  std::string omit_tensor;
};

// Copies every tokenizer.* key of `vocab` into `writer`; returns the number of tokens.
// Corrupt when `vocab` has no tokenizer.ggml.tokens.
Result<uint32_t> CopyVocabulary(const GgufFile& vocab, GgufWriter& writer);

// A complete model for `spec`, its vocabulary taken from `vocab`.
Result<GgufWriter> BuildSynthModel(const SynthModelSpec& spec, const GgufFile& vocab);

}  // namespace docent::llm
