// Overflow-checked arithmetic on sizes read from untrusted files: every product or sum of a
// header field goes through these, so a hostile count cannot wrap into a small allocation.
#pragma once

#include <cstdint>
#include <optional>

namespace docent::llm {

inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

// Rounds n up to a multiple of `alignment` (a power of two); nullopt on overflow.
inline std::optional<uint64_t> AlignUp(uint64_t n, uint64_t alignment) {
  const auto bumped = CheckedAdd(n, alignment - 1);
  if (!bumped) return std::nullopt;
  return *bumped & ~(alignment - 1);
}

inline bool IsPowerOfTwo(uint64_t n) {
  return n != 0 && (n & (n - 1)) == 0;
}

}  // namespace docent::llm
