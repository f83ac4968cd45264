// How closely prompts assembled from passages computed once (rag/context_assembly.h) follow
// a cold prefill of the same prompt, on a real model: `docent kv-fidelity`.
//
// The contexts are the model's own: it writes a pool of short stories (seeded sampling from a
// few openers), and each context numbers 3-5 of them as sources, in canonical order, before an
// opener as the question, in under the model's context. The exact side prefills the prompt
// and continues greedily for `continuation` tokens; the fast side assembles the same prompt
// (each pool passage's KV computed once, as a store would keep it) and is teacher-forced on
// the exact continuation. Per step: whether the two pick the same token, and KL(exact || fast).
// Deterministic for a model, seed and settings.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "docent/llm/chat_template.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/context_assembly.h"
#include "docent/util/status.h"

namespace docent::eval {

struct KvFidelityOptions {
  int contexts = 60;
  uint64_t seed = 1;
  uint32_t continuation = 32;  // greedy tokens compared after each prompt
  int pool = 24;               // passages the model writes, shared by the contexts
  // The settings compared with the exact prefill, each on every context.
  std::vector<rag::RecomputePolicy> settings = {rag::RecomputePolicy{}};
};

struct KvFidelity {
  rag::RecomputePolicy policy;
  int contexts = 0;
  double top1_agreement = 0;         // fraction of steps where both pick the same token
  double kl_mean = 0;                // KL(exact || fast) in nats, over every step
  double kl_p95 = 0;                 // its 95th percentile
  double first_divergence_mean = 0;  // first step picking another token (continuation if none)
  double recompute_fraction = 0;     // positions computed at question time / prompt positions
};

// `model` needs 3 sequences of at least 256 positions (0: assembled, 1: exact, 2: scratch).
// `progress`, if set, is called after each context with (done, total).
// Errors: the model's; InvalidArgument for a model too small to hold the contexts.
Result<std::vector<KvFidelity>> MeasureKvFidelity(
    llm::Model& model, const llm::Tokenizer& tokenizer, llm::ChatFamily family,
    const KvFidelityOptions& options, const std::function<void(int, int)>& progress = {});

}  // namespace docent::eval
