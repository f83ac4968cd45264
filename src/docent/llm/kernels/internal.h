// What the per-ISA kernel files share with the dispatcher: the prepared-activation layout and
// the entry points of each instruction set.
//
// The SIMD files (avx2.cc, avx512.cc) include this header, so it holds plain structs, enums and
// function declarations only: no inline functions, no templates, no standard-library headers.
// Anything inline here would be emitted as a weak symbol by every file that uses it, and the
// linker could keep the copy compiled with -mavx512f for the whole program (see avx2.cc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace docent::llm::kernels::internal {

// Prepared activations for the quantised weight types, for nb = n / 32 blocks, as arrays one
// after another (structure of arrays, so the 8 scales a K-quant super-block needs are one
// contiguous load and the values stay 32-byte aligned when the buffer is):
//   int8_t  qs[32 * nb]   the values, quantised as the ActivationFormat says
//   float   d[nb]         block scale (ActivationFormat)
//   int32_t sum[nb]       sum of the block's 32 values (the _0 types' offset)
//   float   dsum[nb]      the minimum terms' factor (Q4_1/Q5_1/Q4_K/Q5_K, ActivationFormat)
//   int32_t hsum[nb]      the sums of the two 16-value halves as int16 pairs, low half in
//                         the low 16 bits (Q6_K's two sub-blocks per activation block)
// F32 weights meet plain f32 activations; F16 and BF16 weights meet f32 values already
// rounded to F16 / BF16, as llama.cpp converts them before its dot products.
enum : int64_t { kQk8 = 32, kPreparedBlockBytes = 48 };

// Weight type ids as the dispatcher passes them (GgmlType's values; the SIMD files do not
// include ggml_types.h, which brings std::string and inline functions with it).
enum WeightType : uint32_t {
  kTypeF32 = 0,
  kTypeF16 = 1,
  kTypeQ4_0 = 2,
  kTypeQ4_1 = 3,
  kTypeQ5_0 = 6,
  kTypeQ5_1 = 7,
  kTypeQ8_0 = 8,
  kTypeQ4_K = 12,
  kTypeQ5_K = 13,
  kTypeQ6_K = 14,
  kTypeBF16 = 30,
};

// MatMulArgs without the GgmlType (same meaning, see kernels.h).
struct Job {
  uint32_t type;
  const uint8_t* w;
  size_t w_row_bytes;
  uint32_t tile_rows;  // 0: the kRows layout; 16: kTiles16 (kernels.h)
  int64_t n;
  const uint8_t* x;
  size_t x_stride;
  int64_t n_cols;
  float* y;
  int64_t y_stride;
};

// Per-ISA entry points. MatMul* return false for a type they do not implement (the dispatcher
// then takes the next ISA down).
bool MatMulScalar(const Job& job, int64_t row_begin, int64_t row_end);
void ToF16Scalar(const float* x, uint16_t* out, int64_t n);

bool MatMulAvx2(const Job& job, int64_t row_begin, int64_t row_end);
void ToF16Avx2(const float* x, uint16_t* out, int64_t n);

bool MatMulAvxVnni(const Job& job, int64_t row_begin, int64_t row_end);
void ToF16AvxVnni(const float* x, uint16_t* out, int64_t n);
bool MatMulAvx512(const Job& job, int64_t row_begin, int64_t row_end);
void ToF16Avx512(const float* x, uint16_t* out, int64_t n);

// How activations meeting a quantised weight type are quantised: llama.cpp's pairing (ggml's
// vec_dot_type of each weight type) with its rounding, so that both engines feed the same
// integers to the same products. A one-unit difference in a few activations moves a peaked
// model's next-token probabilities by more than the differential tests allow.
//   kActQ8_0  Q4_0, Q5_0, Q8_0 (block_q8_0): per 32 values, q = round(x * 127 / amax), ties
//             to even; d = F16(amax / 127); dsum = d * sum.
//   kActQ8_1  Q4_1, Q5_1 (block_q8_1): the same q and d; dsum = F16(amax / 127 * sum), the
//             block's rounded s.
//   kActQ8_K  Q4_K, Q5_K, Q6_K (block_q8_K): one scale per 256 values, iscale = -127 / amax
//             when some value equals +amax, else 127 / amax; q = round(x * iscale), ties to
//             even; d = 1 / iscale in f32, stored in each of the 8 blocks; dsum = d * sum.
// NaN values are ignored in amax and quantise to -127; q is clamped to [-127, 127]. An
// all-zero block (or super-block) has multiplier 0, so q = 0; as in ggml, the stored F16
// scale may round to 0 or infinity for tiny or huge blocks.
enum ActivationFormat : uint32_t { kActQ8_0 = 0, kActQ8_1 = 1, kActQ8_K = 2 };

// Activation preparation gives the same bytes on every ISA (the scalar one in prepare.cc is
// the definition; the SIMD ones are tested to match it bit for bit), so the products do not
// depend on which ISA prepared the columns.
// n is a multiple of 32 (of 256 for kActQ8_K).
void PrepareQuantised(ActivationFormat format, const float* x, int64_t n, uint8_t* out);
void PrepareQuantisedAvx2(ActivationFormat format, const float* x, int64_t n, uint8_t* out);
void PrepareQuantisedAvxVnni(ActivationFormat format, const float* x, int64_t n, uint8_t* out);
void PrepareQuantisedAvx512(ActivationFormat format, const float* x, int64_t n, uint8_t* out);

}  // namespace docent::llm::kernels::internal
