// Token selection by seeded sampling: repetition / presence / frequency penalties, top-k, top-p,
// min-p and temperature, with the semantics of llama.cpp's common sampler chain, so a request
// tuned against llama.cpp behaves the same here.
//
// The chain, in the order llama.cpp's default chain applies it:
//   1. penalties over the last `penalty_last_n` accepted tokens: for a token seen c > 0 times,
//      logit = logit > 0 ? logit / repeat_penalty : logit * repeat_penalty, then
//      logit -= c * frequency_penalty + presence_penalty (OpenAI's definitions, but counted over
//      the window, as llama.cpp does, not over the whole text);
//   2. top-k: keep the k largest logits;
//   3. top-p: keep the smallest prefix, by descending probability, whose cumulative probability
//      reaches top_p (at least one token);
//   4. min-p: keep tokens with p >= min_p * p_max;
//   5. temperature: divide the survivors' logits by `temperature`;
//   6. draw from the softmax of what is left.
// Probabilities in steps 3 and 4 are the softmax of the penalized logits *before* temperature
// (temperature comes later in the chain), exactly as in llama.cpp.
//
// Determinism: the RNG is our own (sampling_rng.h) and the draw is our own code, so no standard
// distribution is involved. Candidates are ordered by logit, then by lower token id, a strict
// total order, so ties never depend on the sorting algorithm or the standard library; survivors
// of top-k are sorted for the same reason (nth_element's arrangement is library-specific).
// Temperature 0 is greedy: exactly ArgMax of the penalized logits, and the RNG is not advanced.
// The arithmetic is plain IEEE-754 float/double plus std::exp (docent builds use no
// -ffast-math): the same build gives the same token for the same seed and logits, bit for bit.
// Across libms or FMA-contracting targets, exp and sums may differ in their last bit, which can
// change a token only when a draw or the top-p cut falls within ~1e-7 of a boundary.
//
// Speed, for a 151,936-token vocabulary: top-k is a partial selection, never a full sort (one
// scan through a k-element heap when k <= vocabulary / 8, nth_element otherwise); top-p without
// top-k sorts a growing prefix (64, 256, ...) only until it holds top_p of the mass; min-p alone
// is a linear filter; buffers live in the Sampler and are reused, so a call allocates only when
// the vocabulary grows. Measured on the 2-core dev VM (tests' TimingOn151936Tokens): top-k 40
// ~0.25 ms, min-p ~0.2 ms, temperature alone ~0.8 ms (one exp per token), top-p alone ~2 ms.
//
// A Sampler is one generation's state (RNG and recent tokens): not thread-safe, one per request.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/sampling_rng.h"
#include "docent/util/status.h"

namespace docent::llm {

struct SamplingParams {
  float temperature = 0.0f;        // 0 = greedy (ArgMax); otherwise > 0
  int32_t top_k = 0;               // 0 = off
  float top_p = 1.0f;              // in [0, 1]; 1 = off
  float min_p = 0.0f;              // in [0, 1]; 0 = off
  float repeat_penalty = 1.0f;     // > 0; 1 = off
  float presence_penalty = 0.0f;   // 0 = off
  float frequency_penalty = 0.0f;  // 0 = off
  int32_t penalty_last_n = 64;     // window the penalties look at; 0 = penalties off
  uint64_t seed = 0;
};

// OK, or InvalidArgument naming the first bad field and its value
// ("temperature must be ≥ 0, got -1"). Non-finite values are always rejected.
Status ValidateSamplingParams(const SamplingParams& params);

// One entry of the distribution the draw uses.
struct TokenProbability {
  uint32_t id;
  float probability;
};

class Sampler {
 public:
  // InvalidArgument as ValidateSamplingParams.
  static Result<Sampler> Create(const SamplingParams& params);

  // The next token for `logits` (one per vocabulary entry; must not be empty). NaN logits are
  // never chosen. Does not record the token: call Accept with what was actually emitted.
  uint32_t Sample(std::span<const float> logits);

  // The distribution Sample would draw from for `logits`: the survivors of the chain with their
  // final probabilities (after temperature), in the order the draw walks them (chain order when
  // top-k or top-p ran, token id order otherwise). Temperature 0: the ArgMax token with 1.
  // Consumes no randomness. The span is valid until the next call on this Sampler. For tests,
  // and for reporting log-probabilities.
  std::span<const TokenProbability> Distribution(std::span<const float> logits);

  // Records an emitted (or prompt) token in the penalty window.
  void Accept(uint32_t token);

  // Forgets the penalty window and restarts the RNG from the seed: a fresh generation.
  void Reset();

  const SamplingParams& params() const { return params_; }

 private:
  struct Candidate {
    float logit;
    uint32_t id;
  };

  explicit Sampler(const SamplingParams& params);

  bool PenaltiesActive() const;
  // `logits` itself, or the penalized copy in penalized_ when a penalty applies.
  std::span<const float> Prepare(std::span<const float> logits);
  // Applies the penalties to `values` (indexed by token id) for the tokens in the window.
  void ApplyPenalties(std::span<float> values);
  // Steps 2-5 into candidates_[0, candidate_count_) and weights_. False when the softmax is
  // undefined (no finite logit, or a +inf one): the caller then takes ArgMax.
  bool Filter(std::span<const float> values);
  // Puts the n best candidates, in chain order, at the front (n <= candidate_count_).
  void PartialSortPrefix(size_t n);
  void ApplyTopP(float max_logit);

  SamplingParams params_;
  Xoshiro256StarStar rng_;
  std::vector<uint32_t> history_;  // ring buffer of the last penalty_last_n accepted tokens
  size_t history_next_ = 0;        // where the next accepted token goes once the ring is full
  // Reused per call, so Sample allocates only when the vocabulary grows.
  std::vector<float> penalized_;
  std::vector<Candidate> candidates_;
  size_t candidate_count_ = 0;   // candidates_[0, candidate_count_) survive so far
  size_t sorted_prefix_ = 0;     // candidates_[0, sorted_prefix_) are in chain order
  std::vector<double> weights_;  // unnormalised softmax weights of the survivors
  double weight_total_ = 0;
  std::vector<uint32_t> window_scratch_;
  std::vector<TokenProbability> distribution_;
};

}  // namespace docent::llm
