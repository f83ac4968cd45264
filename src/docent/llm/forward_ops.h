// The element-wise and per-vector steps of the reference forward pass: RMS normalisation,
// rotary position embedding (both pairings), softmax and SiLU.
//
// Each reduction runs in one fixed order (left to right, accumulating in double where the
// vector is long), so a value depends only on its own inputs, never on what else is being
// computed: the batch-invariance contract the batched kernels must keep. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/model_config.h"

namespace docent::llm {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * weight[i]; out may alias x.
void RmsNorm(std::span<const float> x, std::span<const float> weight, float eps,
             std::span<float> out);

struct RopeParams {
  RopeType type = RopeType::kNormal;
  uint32_t n_rot = 0;  // leading dimensions rotated; the rest pass through
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;
  std::span<const float> freq_factors;  // n_rot / 2 divisors of each frequency, or empty
};

// Rotates one head (head.size() >= n_rot) in place for position `pos`. Pair i (i < n_rot/2)
// turns by pos * freq_scale * freq_base^(-2i / n_rot) / freq_factors[i] radians; kNormal pairs
// (x[2i], x[2i+1]), kNeox pairs (x[i], x[i + n_rot/2]).
void ApplyRope(const RopeParams& params, uint32_t pos, std::span<float> head);
// Turns a head already rotated for some position p as if it had been rotated for p + delta
// (delta may be negative): each pair turns by delta's angle. Equal to ApplyRope at p + delta
// up to float rounding, since rotations by angles add (chunk KV reuse moves stored keys so).
void RotateRopeBy(const RopeParams& params, int64_t delta, std::span<float> head);
// The cosines and sines of one position's (or delta's) turn, computed once for many heads:
// every head of a token, or every key of a moved passage, turns by the same angles.
// ApplyRope and RotateRopeBy are MakeRopeTurn then ApplyRopeTurn.
struct RopeTurn {
  RopeType type = RopeType::kNormal;
  uint32_t n_rot = 0;
  std::vector<float> cos, sin;  // per pair
};
RopeTurn MakeRopeTurn(const RopeParams& params, int64_t position);
void ApplyRopeTurn(const RopeTurn& turn, std::span<float> head);

// In-place softmax: x[i] = exp(x[i] - max) / sum.
void SoftmaxInPlace(std::span<float> x);

// x / (1 + e^-x)
float Silu(float x);

}  // namespace docent::llm
