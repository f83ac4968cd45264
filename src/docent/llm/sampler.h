// Greedy token selection from logits: the deterministic default (DESIGN.md, "Determinism is a
// feature"). Pure functions except GreedyGenerate, which drives a Model. Seeded sampling
// (temperature, top-k/p, min-p, penalties) is the Sampler in sampling.h, whose temperature 0
// is exactly ArgMax.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/model.h"
#include "docent/util/status.h"

namespace docent::llm {

// The index of the largest logit; the lowest such index on ties, so the choice never
// depends on scan order. NaN logits are never chosen. `logits` must not be empty.
uint32_t ArgMax(std::span<const float> logits);

struct GreedyOptions {
  uint32_t max_new_tokens = 64;
  uint32_t seq = 0;         // the KV-cache sequence to use; it is reset first
  bool stop_at_eos = true;  // stop (without emitting it) at the model's eos token
};

// Feeds `prompt` token by token, then generates greedily. Returns the generated tokens only.
// InvalidArgument for an empty prompt; the model's errors (a token outside the vocabulary, the
// context running out) otherwise.
Result<std::vector<uint32_t>> GreedyGenerate(Model& model, std::span<const uint32_t> prompt,
                                             const GreedyOptions& options = {});

}  // namespace docent::llm
