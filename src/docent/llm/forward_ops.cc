// Reference implementations of the per-vector steps of a decoder layer (see forward_ops.h).
#include "docent/llm/forward_ops.h"

#include <cassert>
#include <cmath>

#include "docent/llm/kernels/kernels.h"

namespace docent::llm {

void RmsNorm(std::span<const float> x, std::span<const float> weight, float eps,
             std::span<float> out) {
  assert(x.size() == weight.size() && x.size() == out.size() && "RmsNorm sizes");
  // A double sum keeps the mean of squares exact enough for any width and, being one
  // sequential pass, the same whatever the batch.
  double sum = 0.0;
  for (float v : x) sum += static_cast<double>(v) * v;
  const float mean = static_cast<float>(sum / static_cast<double>(x.size()));
  const float scale = 1.0f / std::sqrt(mean + eps);
  for (size_t i = 0; i < x.size(); ++i) out[i] = (x[i] * scale) * weight[i];
}

RopeTurn MakeRopeTurn(const RopeParams& p, int64_t position) {
  assert(p.n_rot % 2 == 0 && "rotary width");
  assert((p.freq_factors.empty() || p.freq_factors.size() == p.n_rot / 2) && "freq factors");
  RopeTurn t;
  t.type = p.type;
  t.n_rot = p.n_rot;
  const uint32_t half = p.n_rot / 2;
  t.cos.resize(half);
  t.sin.resize(half);
  // Pair i turns by position * freq_scale * base^(-2i/n_rot) / freq_factors[i]. Stepping the
  // angle by a constant ratio from pair to pair (rather than a pow per pair) is how llama.cpp
  // computes it, and matching it keeps the two engines' angles equal to the last bit at long
  // positions.
  const float step = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_rot));
  float theta = static_cast<float>(position);
  for (uint32_t i = 0; i < half; ++i) {
    float angle = theta * p.freq_scale;
    if (!p.freq_factors.empty()) angle /= p.freq_factors[i];
    t.cos[i] = std::cos(angle);
    t.sin[i] = std::sin(angle);
    theta *= step;
  }
  return t;
}

void ApplyRopeTurn(const RopeTurn& t, std::span<float> head) {
  assert(t.n_rot <= head.size() && "rotary width");
  const uint32_t half = t.n_rot / 2;
  for (uint32_t i = 0; i < half; ++i) {
    const uint32_t a = t.type == RopeType::kNormal ? 2 * i : i;
    const uint32_t b = t.type == RopeType::kNormal ? 2 * i + 1 : i + half;
    const float x0 = head[a];
    const float x1 = head[b];
    head[a] = x0 * t.cos[i] - x1 * t.sin[i];
    head[b] = x0 * t.sin[i] + x1 * t.cos[i];
  }
}

void ApplyRope(const RopeParams& p, uint32_t pos, std::span<float> head) {
  ApplyRopeTurn(MakeRopeTurn(p, pos), head);
}

void RotateRopeBy(const RopeParams& p, int64_t delta, std::span<float> head) {
  ApplyRopeTurn(MakeRopeTurn(p, delta), head);
}

void SoftmaxInPlace(std::span<float> x) {
  kernels::Softmax(kernels::Isa::kScalar, x.data(), static_cast<int64_t>(x.size()));
}

float Silu(float x) {
  return x / (1.0f + std::exp(-x));
}

}  // namespace docent::llm
