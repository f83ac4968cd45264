// Small helpers shared by the scalar quantisers: block loads and stores through memcpy (file
// bytes carry no alignment promise), and rounding that is defined for every float input.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace docent::llm::internal {

template <typename Block>
Block LoadBlock(const uint8_t* blocks, int64_t index) {
  Block b;
  std::memcpy(&b, blocks + index * static_cast<int64_t>(sizeof(Block)), sizeof(Block));
  return b;
}

template <typename Block>
void StoreBlock(const Block& b, uint8_t* blocks, int64_t index) {
  std::memcpy(blocks + index * static_cast<int64_t>(sizeof(Block)), &b, sizeof(Block));
}

// round(v) clamped to [lo, hi]; NaN maps to lo. Converting an out-of-range or NaN float to
// int is undefined behaviour, so the clamp happens in float first.
inline int RoundClamp(float v, int lo, int hi) {
  if (!(v > static_cast<float>(lo))) return lo;
  if (!(v < static_cast<float>(hi))) return hi;
  return static_cast<int>(std::lround(v));
}

// The reciprocal a quantiser multiplies by; zero for a zero (or non-finite) scale, so an
// all-zero block quantises to zeros instead of NaN.
inline float InverseOrZero(float d) {
  return (d != 0.0f && std::isfinite(d)) ? 1.0f / d : 0.0f;
}

}  // namespace docent::llm::internal
