// The sampler chain (see sampling.h for the order, the semantics and the determinism argument).
#include "docent/llm/sampling.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "docent/llm/sampler.h"

namespace docent::llm {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Shortest round-trip text of a value, so messages quote exactly what the caller sent ("-1",
// "0.95", "nan"), with no locale involved.
std::string FormatFloat(float value) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

Status NotFinite(const char* name, float value) {
  return InvalidArgument(std::string(name) + " must be a finite number, got " + FormatFloat(value));
}

}  // namespace

Status ValidateSamplingParams(const SamplingParams& p) {
  if (!std::isfinite(p.temperature)) return NotFinite("temperature", p.temperature);
  if (p.temperature < 0) {
    return InvalidArgument("temperature must be ≥ 0, got " + FormatFloat(p.temperature));
  }
  if (p.top_k < 0) {
    return InvalidArgument("top_k must be ≥ 0 (0 = off), got " + std::to_string(p.top_k));
  }
  // NaN fails both comparisons' negation, so the range checks are written to reject it.
  if (!(p.top_p >= 0 && p.top_p <= 1)) {
    return InvalidArgument("top_p must be in [0, 1], got " + FormatFloat(p.top_p));
  }
  if (!(p.min_p >= 0 && p.min_p <= 1)) {
    return InvalidArgument("min_p must be in [0, 1], got " + FormatFloat(p.min_p));
  }
  if (!std::isfinite(p.repeat_penalty)) return NotFinite("repeat_penalty", p.repeat_penalty);
  if (p.repeat_penalty <= 0) {
    return InvalidArgument("repeat_penalty must be > 0 (1 = off), got " +
                           FormatFloat(p.repeat_penalty));
  }
  if (!std::isfinite(p.presence_penalty)) return NotFinite("presence_penalty", p.presence_penalty);
  if (!std::isfinite(p.frequency_penalty)) {
    return NotFinite("frequency_penalty", p.frequency_penalty);
  }
  if (p.penalty_last_n < 0) {
    return InvalidArgument(
        "penalty_last_n must be ≥ 0 (0 = off; llama.cpp's -1, the whole context, is not "
        "supported: pass the context length), got " +
        std::to_string(p.penalty_last_n));
  }
  return Status::Ok();
}

Result<Sampler> Sampler::Create(const SamplingParams& params) {
  DOCENT_RETURN_IF_ERROR(ValidateSamplingParams(params));
  return Sampler(params);
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {
  history_.reserve(static_cast<size_t>(params.penalty_last_n));
}

void Sampler::Reset() {
  rng_ = Xoshiro256StarStar(params_.seed);
  history_.clear();
  history_next_ = 0;
}

void Sampler::Accept(uint32_t token) {
  const auto window = static_cast<size_t>(params_.penalty_last_n);
  if (window == 0) return;
  if (history_.size() < window) {
    history_.push_back(token);
    return;
  }
  // Full: overwrite the oldest. Order inside the ring is irrelevant, only counts matter.
  history_[history_next_] = token;
  history_next_ = (history_next_ + 1) % window;
}

bool Sampler::PenaltiesActive() const {
  return !history_.empty() && (params_.repeat_penalty != 1.0f || params_.presence_penalty != 0 ||
                               params_.frequency_penalty != 0);
}

void Sampler::ApplyPenalties(std::span<float> values) {
  // Counting by sorting the (short) window keeps the cost O(N log N) in the window, with no
  // per-vocabulary table to clear on every call.
  window_scratch_.assign(history_.begin(), history_.end());
  std::sort(window_scratch_.begin(), window_scratch_.end());
  for (size_t i = 0; i < window_scratch_.size();) {
    const uint32_t token = window_scratch_[i];
    size_t j = i + 1;
    while (j < window_scratch_.size() && window_scratch_[j] == token) ++j;
    const auto count = static_cast<float>(j - i);
    i = j;
    if (token >= values.size()) continue;  // accepted but outside this vocabulary
    float& logit = values[token];
    // llama.cpp's test is `<= 0` for multiplying; at 0 both branches give 0.
    logit = logit <= 0 ? logit * params_.repeat_penalty : logit / params_.repeat_penalty;
    logit -= count * params_.frequency_penalty + params_.presence_penalty;
  }
}

namespace {

// Chain order: larger logit first, then lower id. A strict total order (NaN is mapped to -inf
// before any comparison), so every algorithm yields the same arrangement.
struct Better {
  template <typename C>
  bool operator()(const C& a, const C& b) const {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  }
};

}  // namespace

void Sampler::PartialSortPrefix(size_t n) {
  // candidates_[0, sorted_prefix_) already hold the best tokens in order and everything after
  // them is worse, so only the rest needs partitioning.
  const auto begin = candidates_.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(candidate_count_);
  const auto from = begin + static_cast<std::ptrdiff_t>(sorted_prefix_);
  const auto to = begin + static_cast<std::ptrdiff_t>(n);
  if (to < end) std::nth_element(from, to, end, Better{});
  std::sort(from, to, Better{});
  sorted_prefix_ = n;
}

void Sampler::ApplyTopP(float max_logit) {
  const float p = params_.top_p;
  double total = 0;
  for (size_t i = 0; i < candidate_count_; ++i) {
    total += std::exp(candidates_[i].logit - max_logit);
  }
  // Sort a growing prefix until it holds p of the mass: model distributions put nearly all of
  // it in a few dozen tokens, so this rarely sorts more than 64 of 151,936.
  double cumulative = 0;
  size_t i = 0;
  size_t want = std::min<size_t>(candidate_count_, 64);
  while (true) {
    if (sorted_prefix_ < want) PartialSortPrefix(want);
    for (; i < sorted_prefix_; ++i) {
      cumulative += std::exp(candidates_[i].logit - max_logit) / total;
      if (cumulative >= p) {
        candidate_count_ = sorted_prefix_ = i + 1;
        return;
      }
    }
    if (sorted_prefix_ == candidate_count_) return;  // rounding kept the sum just under p
    want = std::min(candidate_count_, want * 4);
  }
}

std::span<const float> Sampler::Prepare(std::span<const float> logits) {
  if (!PenaltiesActive()) return logits;
  penalized_.assign(logits.begin(), logits.end());
  ApplyPenalties(penalized_);
  return penalized_;
}

bool Sampler::Filter(std::span<const float> values) {
  const size_t n = values.size();
  const auto k = static_cast<size_t>(params_.top_k);
  float max_logit = kNegInf;
  if (k > 0 && k <= n / 8) {
    // Small k: one scan keeping the k best in a heap whose top is the worst kept, so nearly every
    // token costs a single comparison and the full candidate array is never built.
    candidates_.clear();
    for (size_t i = 0; i < n; ++i) {
      const Candidate c{std::isnan(values[i]) ? kNegInf : values[i], static_cast<uint32_t>(i)};
      if (candidates_.size() < k) {
        candidates_.push_back(c);
        std::push_heap(candidates_.begin(), candidates_.end(), Better{});
      } else if (Better{}(c, candidates_.front())) {
        std::pop_heap(candidates_.begin(), candidates_.end(), Better{});
        candidates_.back() = c;
        std::push_heap(candidates_.begin(), candidates_.end(), Better{});
      }
    }
    // Sorted even though top-k needs only the set: the draw walks the candidates in order, and
    // chain order is unique where a heap's layout is library-specific.
    std::sort_heap(candidates_.begin(), candidates_.end(), Better{});
    candidate_count_ = sorted_prefix_ = k;
    max_logit = candidates_[0].logit;
    if (!std::isfinite(max_logit)) return false;
  } else {
    candidates_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const float v = std::isnan(values[i]) ? kNegInf : values[i];
      candidates_[i] = {v, static_cast<uint32_t>(i)};
      max_logit = std::max(max_logit, v);
    }
    candidate_count_ = n;
    sorted_prefix_ = 0;
    // All -inf/NaN, or a +inf present: the softmax is undefined; the caller falls back to
    // ArgMax, which picks the lowest id among the largest values.
    if (!std::isfinite(max_logit)) return false;
    if (k > 0 && k < candidate_count_) {
      PartialSortPrefix(k);  // sorted, for the same reason as above
      candidate_count_ = k;
    }
  }
  if (params_.top_p < 1.0f) ApplyTopP(max_logit);
  if (params_.min_p > 0.0f) {
    // p_i >= min_p * p_max  <=>  logit_i >= max_logit + log(min_p), as llama.cpp tests it.
    const float min_logit = max_logit + std::log(params_.min_p);
    if (sorted_prefix_ == candidate_count_) {
      size_t keep = 1;  // the maximum always passes
      while (keep < candidate_count_ && candidates_[keep].logit >= min_logit) ++keep;
      candidate_count_ = sorted_prefix_ = keep;
    } else {
      // Unsorted (id order): a stable in-place compaction keeps the order unique.
      size_t out = 0;
      for (size_t i = 0; i < candidate_count_; ++i) {
        if (candidates_[i].logit >= min_logit) candidates_[out++] = candidates_[i];
      }
      candidate_count_ = out;
      sorted_prefix_ = std::min(sorted_prefix_, out);
    }
  }

  // Temperature, then the softmax weights the draw uses. The maximum is unchanged by every
  // filter (it always survives), so it still normalises.
  weights_.resize(candidate_count_);
  weight_total_ = 0;
  for (size_t i = 0; i < candidate_count_; ++i) {
    const double w = std::exp((candidates_[i].logit - max_logit) / params_.temperature);
    weights_[i] = w;
    weight_total_ += w;
  }
  return true;
}

uint32_t Sampler::Sample(std::span<const float> logits) {
  assert(!logits.empty() && "Sample of no logits");
  const std::span<const float> values = Prepare(logits);
  if (params_.temperature == 0.0f) return ArgMax(values);
  if (!Filter(values)) return ArgMax(values);
  const double target = rng_.NextDouble() * weight_total_;
  double cumulative = 0;
  size_t last_positive = 0;
  for (size_t i = 0; i < candidate_count_; ++i) {
    if (weights_[i] <= 0) continue;
    cumulative += weights_[i];
    last_positive = i;
    if (target < cumulative) return candidates_[i].id;
  }
  return candidates_[last_positive].id;  // rounding left the target at the very top
}

std::span<const TokenProbability> Sampler::Distribution(std::span<const float> logits) {
  assert(!logits.empty() && "Distribution of no logits");
  distribution_.clear();
  const std::span<const float> values = Prepare(logits);
  if (params_.temperature == 0.0f || !Filter(values)) {
    distribution_.push_back({ArgMax(values), 1.0f});
    return distribution_;
  }
  for (size_t i = 0; i < candidate_count_; ++i) {
    distribution_.push_back({candidates_[i].id, static_cast<float>(weights_[i] / weight_total_)});
  }
  return distribution_;
}

}  // namespace docent::llm
