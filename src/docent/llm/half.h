// IEEE binary16 (F16) and bfloat16 (BF16) conversions by bit manipulation, so the result is the
// same on every CPU and compiler: no dependence on F16C, _Float16 or the FP rounding mode.
//
// Both directions are exact where the value is representable. Float -> half/bf16 rounds to
// nearest, ties to even; overflow goes to infinity; NaN stays NaN (made quiet, sign kept).
// Half subnormals are decoded and produced exactly. Header-only because kernels call these
// per element; every function is pure and thread-safe.
#pragma once

#include <bit>
#include <cstdint>

namespace docent::llm {

inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) {  // infinity or NaN: keep the payload in the top mantissa bits
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  if (exponent != 0) {  // normal: rebias 15 -> 127
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  }
  // Zero or subnormal: mantissa * 2^-24. Both factors are exact in float and so is the
  // product (a power-of-two scaling of an integer below 2^10).
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

inline uint16_t FloatToHalf(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {
    if (abs > 0x7f800000u) {  // NaN: quiet it, keep what payload fits
      return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
    }
    return static_cast<uint16_t>(sign | 0x7c00u);
  }
  // 65520 is halfway between the largest half (65504, odd mantissa) and 2^16: ties to even
  // round up, so everything from there on is infinity.
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (abs >= 0x38800000u) {  // result is a normal half (>= 2^-14)
    // Round the 23-bit mantissa to 10 bits at bit 13, ties to even; a carry into the
    // exponent is the correct next binade. Then rebias the exponent 127 -> 15.
    const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
    return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
  }
  // Half 2^-25 is the tie between 0 and the smallest subnormal; ties go to even (zero).
  if (abs <= 0x33000000u) return sign;
  // Subnormal half: the value in units of 2^-24 is significand * 2^(e - 126), a right shift
  // of 14..24 bits for the biased exponents that reach here.
  const uint32_t biased_exponent = abs >> 23;
  const uint32_t significand = (abs & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - biased_exponent;
  uint32_t result = significand >> shift;
  const uint32_t remainder = significand & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1u);
  if (remainder > halfway || (remainder == halfway && (result & 1u))) ++result;
  // result == 0x400 is the smallest normal half, which this encoding already spells.
  return static_cast<uint16_t>(sign | result);
}

inline float Bf16ToFloat(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

inline uint16_t FloatToBf16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) {  // NaN: truncation could clear the payload
    return static_cast<uint16_t>((x >> 16) | 0x40u);
  }
  // Round to nearest even at bit 16; a carry out of the mantissa correctly reaches infinity.
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace docent::llm
