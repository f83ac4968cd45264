// The random number generator behind sampling: xoshiro256** seeded through SplitMix64.
//
// Written here rather than taken from <random> because a seeded sample must pick the same token
// on every machine: the standard engines are portable but the standard distributions are not
// (libstdc++, libc++ and MSVC turn the same engine output into different numbers), and a
// reproducible answer to "same seed, same question" is a feature (DESIGN.md, "Determinism is a
// feature"). Both algorithms are Blackman and Vigna's public-domain reference designs; only
// integer arithmetic is involved, so the stream is identical everywhere.
#pragma once

#include <cstdint>

namespace docent::llm {

// SplitMix64: spreads one 64-bit seed into well-mixed words (and is xoshiro's seeding step).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// xoshiro256**: 256 bits of state, period 2^256 - 1, fast and statistically strong enough for
// drawing tokens. Seeding through SplitMix64 keeps the state from ever being all zeros.
class Xoshiro256StarStar {
 public:
  explicit Xoshiro256StarStar(uint64_t seed) {
    SplitMix64 mix(seed);
    for (uint64_t& word : s_) word = mix.Next();
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1): the top 53 bits scaled by 2^-53, exact in a double, so the value is the
  // same bit pattern on every IEEE-754 machine.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace docent::llm
