// Greedy token selection and the greedy decoding loop (see sampler.h).
#include "docent/llm/sampler.h"

#include <cassert>
#include <cmath>

namespace docent::llm {

uint32_t ArgMax(std::span<const float> logits) {
  assert(!logits.empty() && "ArgMax of no logits");
  uint32_t best = 0;
  for (uint32_t i = 1; i < logits.size(); ++i) {
    // Strictly greater keeps the first of equal values. A NaN compares false and never wins,
    // except at index 0, where the first real value replaces it.
    if (logits[i] > logits[best] || (std::isnan(logits[best]) && !std::isnan(logits[i]))) {
      best = i;
    }
  }
  return best;
}

Result<std::vector<uint32_t>> GreedyGenerate(Model& model, std::span<const uint32_t> prompt,
                                             const GreedyOptions& options) {
  if (prompt.empty()) return InvalidArgument("greedy generation needs a non-empty prompt");
  model.ResetSequence(options.seq);
  std::vector<float> logits(model.config().vocab_size);
  uint32_t pos = 0;
  for (uint32_t token : prompt) {
    DOCENT_RETURN_IF_ERROR(model.ForwardInto(options.seq, token, pos++, logits));
  }
  std::vector<uint32_t> out;
  const auto eos = model.config().eos_token_id;
  while (out.size() < options.max_new_tokens) {
    const uint32_t next = ArgMax(logits);
    if (options.stop_at_eos && eos && next == *eos) break;
    out.push_back(next);
    if (out.size() == options.max_new_tokens) break;
    DOCENT_RETURN_IF_ERROR(model.ForwardInto(options.seq, next, pos++, logits));
  }
  return out;
}

}  // namespace docent::llm
