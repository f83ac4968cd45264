// Greedy token selection and the greedy decoding loop (see sampler.h).
#include "docent/llm/sampler.h"

#include <cassert>
#include <cmath>

namespace docent::llm {

uint32_t ArgMax(std::span<const float> logits) {
  assert(!logits.empty() && "ArgMax of no logits");
  const size_t n = logits.size();
  // A NaN never wins: the scan starts at the first real value (index 0 when there is none).
  size_t best = 0;
  while (best < n && std::isnan(logits[best])) ++best;
  if (best == n) return 0;
  // The best value stays in a register (a vocabulary is 150k values, once per token per
  // sequence); strictly greater keeps the first of equal values.
  float top = logits[best];
  for (size_t i = best + 1; i < n; ++i) {
    if (logits[i] > top) {
      top = logits[i];
      best = i;
    }
  }
  return static_cast<uint32_t>(best);
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
