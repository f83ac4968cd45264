// Attention over an F16 KV cache, one query head against all of a sequence's positions (see
// kernels.h): the scores q . k_p and the weighted sum of the values.
//
// One call covers every position, so the per-call dispatch is paid once per head, not once
// per position (a 512-token prompt would otherwise make ~10^8 calls). The SIMD versions are
// marked with target attributes rather than compiled with -mavx512f, so nothing else in this
// file (or an inline function it pulls in) can carry those instructions into code that runs
// on an older CPU. Each output is one fixed chain of operations, independent of how many
// positions there are or of the other heads: the batch-invariance contract. The SIMD paths
// compute the same chains, so AVX2 and AVX-512 give bit-identical outputs (the scalar
// reference sums in another order).
#include <immintrin.h>

#include <cassert>
#include <cmath>
#include <cstdint>

#include "docent/llm/half.h"
#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

void ScoresScalar(const uint16_t* q, const uint16_t* keys, size_t stride, int64_t n_keys,
                  int64_t dim, float scale, float* out) {
  for (int64_t p = 0; p < n_keys; ++p) {
    const uint16_t* k = keys + p * stride;
    float sum = 0.0f;
    for (int64_t i = 0; i < dim; ++i) sum += HalfToFloat(k[i]) * HalfToFloat(q[i]);
    out[p] = sum * scale;
  }
}

// With `accumulate`, the sums go on from out's contents (a later block of positions); the
// chain per element is the same as one call over all positions.
void ValuesScalar(const float* w, const uint16_t* values, size_t stride, int64_t n_keys,
                  int64_t dim, float* out, bool accumulate) {
  if (!accumulate) {
    for (int64_t i = 0; i < dim; ++i) out[i] = 0.0f;
  }
  for (int64_t p = 0; p < n_keys; ++p) {
    const float wp = HalfToFloat(FloatToHalf(w[p]));
    const uint16_t* v = values + p * stride;
    for (int64_t i = 0; i < dim; ++i) out[i] += wp * HalfToFloat(v[i]);
  }
}

#define DOCENT_AVX2 __attribute__((target("avx2,fma,f16c")))
#define DOCENT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))

DOCENT_AVX2 float HorizontalSum8(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v);
  const __m128 hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

DOCENT_AVX2 float RoundToHalfF16c(float x) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(x), _MM_FROUND_TO_NEAREST_INT)));
}

// One key's score: the same chain of operations whichever way ScoresAvx2 walks the keys.
// Dimensions not a multiple of 8 (never seen in practice: head sizes are 64, 80, 128...)
// finish in scalar, after the vector part.
DOCENT_AVX2 float KeyScoreTail(float sum, const uint16_t* k, const uint16_t* q, int64_t vec,
                               int64_t dim) {
  for (int64_t i = vec; i < dim; ++i) sum += HalfToFloat(k[i]) * HalfToFloat(q[i]);
  return sum;
}

DOCENT_AVX2 __m256 LoadHalves8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

DOCENT_AVX2 void ScoresAvx2(const uint16_t* q, const uint16_t* keys, size_t stride, int64_t n_keys,
                            int64_t dim, float scale, float* out) {
  const int64_t vec = dim / 8 * 8;
  int64_t p = 0;
  // Four keys at a time: four independent FMA chains keep the pipeline full; each key's own
  // chain is exactly the one-key loop's below.
  for (; p + 4 <= n_keys; p += 4) {
    const uint16_t* k0 = keys + p * stride;
    const uint16_t* k1 = k0 + stride;
    const uint16_t* k2 = k1 + stride;
    const uint16_t* k3 = k2 + stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t i = 0; i < vec; i += 8) {
      const __m256 qv = LoadHalves8(q + i);
      a0 = _mm256_fmadd_ps(LoadHalves8(k0 + i), qv, a0);
      a1 = _mm256_fmadd_ps(LoadHalves8(k1 + i), qv, a1);
      a2 = _mm256_fmadd_ps(LoadHalves8(k2 + i), qv, a2);
      a3 = _mm256_fmadd_ps(LoadHalves8(k3 + i), qv, a3);
    }
    out[p] = KeyScoreTail(HorizontalSum8(a0), k0, q, vec, dim) * scale;
    out[p + 1] = KeyScoreTail(HorizontalSum8(a1), k1, q, vec, dim) * scale;
    out[p + 2] = KeyScoreTail(HorizontalSum8(a2), k2, q, vec, dim) * scale;
    out[p + 3] = KeyScoreTail(HorizontalSum8(a3), k3, q, vec, dim) * scale;
  }
  for (; p < n_keys; ++p) {
    const uint16_t* k = keys + p * stride;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < vec; i += 8)
      acc = _mm256_fmadd_ps(LoadHalves8(k + i), LoadHalves8(q + i), acc);
    out[p] = KeyScoreTail(HorizontalSum8(acc), k, q, vec, dim) * scale;
  }
}

// The common head sizes keep the output row in registers; each element's chain of FMAs over
// the positions is the same as the general loop's.
template <int kVectors>
DOCENT_AVX2 void ValuesAvx2Fixed(const float* w, const uint16_t* values, size_t stride,
                                 int64_t n_keys, float* out, bool accumulate) {
  __m256 acc[kVectors];
  for (int j = 0; j < kVectors; ++j) {
    acc[j] = accumulate ? _mm256_loadu_ps(out + 8 * j) : _mm256_setzero_ps();
  }
  for (int64_t p = 0; p < n_keys; ++p) {
    const __m256 wv = _mm256_set1_ps(RoundToHalfF16c(w[p]));
    const uint16_t* v = values + p * stride;
    for (int j = 0; j < kVectors; ++j) acc[j] = _mm256_fmadd_ps(wv, LoadHalves8(v + 8 * j), acc[j]);
  }
  for (int j = 0; j < kVectors; ++j) _mm256_storeu_ps(out + 8 * j, acc[j]);
}

DOCENT_AVX2 void ValuesAvx2(const float* w, const uint16_t* values, size_t stride, int64_t n_keys,
                            int64_t dim, float* out, bool accumulate) {
  if (dim == 64) return ValuesAvx2Fixed<8>(w, values, stride, n_keys, out, accumulate);
  if (dim == 128) return ValuesAvx2Fixed<16>(w, values, stride, n_keys, out, accumulate);
  const int64_t vec = dim / 8 * 8;
  if (!accumulate) {
    for (int64_t i = 0; i < dim; ++i) out[i] = 0.0f;
  }
  for (int64_t p = 0; p < n_keys; ++p) {
    const float wp = RoundToHalfF16c(w[p]);
    const __m256 wv = _mm256_set1_ps(wp);
    const uint16_t* v = values + p * stride;
    for (int64_t i = 0; i < vec; i += 8) {
      _mm256_storeu_ps(out + i, _mm256_fmadd_ps(wv, LoadHalves8(v + i), _mm256_loadu_ps(out + i)));
    }
    for (int64_t i = vec; i < dim; ++i) out[i] += wp * HalfToFloat(v[i]);
  }
}

// The zero-masked forms: GCC 12 reports the unmasked intrinsics' "undefined" pass-through
// operand as maybe-uninitialized inside target-attributed functions (a false positive).
DOCENT_AVX512 __m512 CvtPh16(__m256i h) {
  return _mm512_maskz_cvtph_ps(0xffff, h);
}

// Two keys per register: the low 8 lanes carry key p's dimensions i..i+8, the high 8 key
// p+1's, each lane the same FMA chain as ScoresAvx2's, and each half is reduced with
// HorizontalSum8. So every score is bit-identical to the AVX2 path's (a model's logits must not
// depend on which SIMD path runs them); 16-lane sums over one key were ~1e-4 off in
// probability on peaked models.
DOCENT_AVX512 __m512 LoadTwoKeys8(const uint16_t* k0, const uint16_t* k1) {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k0));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k1));
  return CvtPh16(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1));
}

// The two 8-lane halves of `acc` reduced as HorizontalSum8 reduces an AVX2 register.
DOCENT_AVX512 void HorizontalSums8x2(__m512 acc, float* sum_lo, float* sum_hi) {
  // Through memory: the register extracts trip the GCC 12 false positive above.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc);
  *sum_lo = HorizontalSum8(_mm256_load_ps(lanes));
  *sum_hi = HorizontalSum8(_mm256_load_ps(lanes + 8));
}

DOCENT_AVX512 void ScoresAvx512(const uint16_t* q, const uint16_t* keys, size_t stride,
                                int64_t n_keys, int64_t dim, float scale, float* out) {
  const int64_t vec = dim / 8 * 8;
  int64_t p = 0;
  // Four keys at a time in two registers, as ScoresAvx2 runs four chains.
  for (; p + 4 <= n_keys; p += 4) {
    const uint16_t* k0 = keys + p * stride;
    const uint16_t* k1 = k0 + stride;
    const uint16_t* k2 = k1 + stride;
    const uint16_t* k3 = k2 + stride;
    __m512 a01 = _mm512_setzero_ps(), a23 = a01;
    for (int64_t i = 0; i < vec; i += 8) {
      const __m512 qv = LoadTwoKeys8(q + i, q + i);
      a01 = _mm512_fmadd_ps(LoadTwoKeys8(k0 + i, k1 + i), qv, a01);
      a23 = _mm512_fmadd_ps(LoadTwoKeys8(k2 + i, k3 + i), qv, a23);
    }
    float s[4];
    HorizontalSums8x2(a01, &s[0], &s[1]);
    HorizontalSums8x2(a23, &s[2], &s[3]);
    out[p] = KeyScoreTail(s[0], k0, q, vec, dim) * scale;
    out[p + 1] = KeyScoreTail(s[1], k1, q, vec, dim) * scale;
    out[p + 2] = KeyScoreTail(s[2], k2, q, vec, dim) * scale;
    out[p + 3] = KeyScoreTail(s[3], k3, q, vec, dim) * scale;
  }
  // The last one to three keys: AVX2's loop is the same chain.
  if (p < n_keys) ScoresAvx2(q, keys + p * stride, stride, n_keys - p, dim, scale, out + p);
}

// The common head sizes keep the output row in registers, as ValuesAvx2Fixed does; each
// element's chain of FMAs over the positions is the same as the general loop's (and AVX2's).
template <int kVectors>
DOCENT_AVX512 void ValuesAvx512Fixed(const float* w, const uint16_t* values, size_t stride,
                                     int64_t n_keys, float* out, bool accumulate) {
  __m512 acc[kVectors];
  for (int j = 0; j < kVectors; ++j) {
    acc[j] = accumulate ? _mm512_loadu_ps(out + 16 * j) : _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < n_keys; ++p) {
    const __m512 wv = _mm512_set1_ps(RoundToHalfF16c(w[p]));
    const uint16_t* v = values + p * stride;
    for (int j = 0; j < kVectors; ++j) {
      const __m512 vv = CvtPh16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 16 * j)));
      acc[j] = _mm512_fmadd_ps(wv, vv, acc[j]);
    }
  }
  for (int j = 0; j < kVectors; ++j) _mm512_storeu_ps(out + 16 * j, acc[j]);
}

DOCENT_AVX512 void ValuesAvx512(const float* w, const uint16_t* values, size_t stride,
                                int64_t n_keys, int64_t dim, float* out, bool accumulate) {
  if (dim == 64) return ValuesAvx512Fixed<4>(w, values, stride, n_keys, out, accumulate);
  if (dim == 128) return ValuesAvx512Fixed<8>(w, values, stride, n_keys, out, accumulate);
  const int64_t vec = dim / 16 * 16;
  if (!accumulate) {
    for (int64_t i = 0; i < dim; ++i) out[i] = 0.0f;
  }
  for (int64_t p = 0; p < n_keys; ++p) {
    const float wp = RoundToHalfF16c(w[p]);
    const __m512 wv = _mm512_set1_ps(wp);
    const uint16_t* v = values + p * stride;
    for (int64_t i = 0; i < vec; i += 16) {
      const __m512 vv = CvtPh16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i)));
      _mm512_storeu_ps(out + i, _mm512_fmadd_ps(wv, vv, _mm512_loadu_ps(out + i)));
    }
    for (int64_t i = vec; i < dim; ++i) out[i] += wp * HalfToFloat(v[i]);
  }
}

}  // namespace

void AttentionScoresF16(Isa isa, const uint16_t* q, const uint16_t* keys, size_t stride,
                        int64_t n_keys, int64_t dim, float scale, float* out) {
  switch (isa) {
    case Isa::kAvx512Vnni:
      return ScoresAvx512(q, keys, stride, n_keys, dim, scale, out);
    case Isa::kAvxVnni:  // nothing here for VNNI to speed up
    case Isa::kAvx2:
      return ScoresAvx2(q, keys, stride, n_keys, dim, scale, out);
    case Isa::kScalar:
      break;
  }
  ScoresScalar(q, keys, stride, n_keys, dim, scale, out);
}

namespace {

void Values(Isa isa, const float* w, const uint16_t* values, size_t stride, int64_t n_keys,
            int64_t dim, float* out, bool accumulate) {
  switch (isa) {
    case Isa::kAvx512Vnni:
      return ValuesAvx512(w, values, stride, n_keys, dim, out, accumulate);
    case Isa::kAvxVnni:
    case Isa::kAvx2:
      return ValuesAvx2(w, values, stride, n_keys, dim, out, accumulate);
    case Isa::kScalar:
      break;
  }
  ValuesScalar(w, values, stride, n_keys, dim, out, accumulate);
}

// Positions per block in the block kernels: 64 keys of a 64-dim head are 8 KB of F16, so a
// block stays in L1 while every query of the block passes over it.
constexpr int64_t kKeyBlock = 64;

}  // namespace

void AttentionValuesF16(Isa isa, const float* w, const uint16_t* values, size_t stride,
                        int64_t n_keys, int64_t dim, float* out) {
  Values(isa, w, values, stride, n_keys, dim, out, /*accumulate=*/false);
}

void AttentionScoresF16Block(Isa isa, int n_q, const uint16_t* const* q, const int64_t* n_keys,
                             const uint16_t* keys, size_t stride, int64_t dim, float scale,
                             float* const* out) {
  int64_t most = 0;
  for (int r = 0; r < n_q; ++r) most = n_keys[r] > most ? n_keys[r] : most;
  for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
    for (int r = 0; r < n_q; ++r) {
      const int64_t end = n_keys[r] < k0 + kKeyBlock ? n_keys[r] : k0 + kKeyBlock;
      if (end <= k0) continue;
      AttentionScoresF16(isa, q[r], keys + k0 * stride, stride, end - k0, dim, scale, out[r] + k0);
    }
  }
}

void AttentionValuesF16Block(Isa isa, int n_q, const float* const* w, const int64_t* n_keys,
                             const uint16_t* values, size_t stride, int64_t dim,
                             float* const* out) {
  int64_t most = 0;
  for (int r = 0; r < n_q; ++r) {
    most = n_keys[r] > most ? n_keys[r] : most;
    for (int64_t i = 0; i < dim; ++i) out[r][i] = 0.0f;
  }
  for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
    for (int r = 0; r < n_q; ++r) {
      const int64_t end = n_keys[r] < k0 + kKeyBlock ? n_keys[r] : k0 + kKeyBlock;
      if (end <= k0) continue;
      Values(isa, w[r] + k0, values + k0 * stride, stride, end - k0, dim, out[r],
             /*accumulate=*/true);
    }
  }
}

// ---- Scores against transposed F32 keys (the encoder's attention, all tokens at once).
//
// out[j] = scale * sum_e q[e] * keys_t[e * n_keys + j]: for each e in order, one FMA per key
// into a vector of 8 keys, so no horizontal sums (a head of 32 or 64 values makes the dot
// product form spend half its time reducing). Every path adds the terms in ascending e.

namespace {

void KeyScoresScalar(const float* q, const float* keys_t, int64_t n_keys, int64_t dim, float scale,
                     float* out) {
  for (int64_t j = 0; j < n_keys; ++j) {
    float s = 0;
    for (int64_t e = 0; e < dim; ++e) s = std::fma(q[e], keys_t[e * n_keys + j], s);
    out[j] = s * scale;
  }
}

__attribute__((target("avx2,fma"))) void KeyScoresAvx2(const float* q, const float* keys_t,
                                                       int64_t n_keys, int64_t dim, float scale,
                                                       float* out) {
  const __m256 vscale = _mm256_set1_ps(scale);
  int64_t j = 0;
  for (; j + 32 <= n_keys; j += 32) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
           a3 = _mm256_setzero_ps();
    for (int64_t e = 0; e < dim; ++e) {
      const __m256 qe = _mm256_set1_ps(q[e]);
      const float* row = keys_t + e * n_keys + j;
      a0 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(row), a0);
      a1 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(row + 8), a1);
      a2 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(row + 16), a2);
      a3 = _mm256_fmadd_ps(qe, _mm256_loadu_ps(row + 24), a3);
    }
    _mm256_storeu_ps(out + j, _mm256_mul_ps(a0, vscale));
    _mm256_storeu_ps(out + j + 8, _mm256_mul_ps(a1, vscale));
    _mm256_storeu_ps(out + j + 16, _mm256_mul_ps(a2, vscale));
    _mm256_storeu_ps(out + j + 24, _mm256_mul_ps(a3, vscale));
  }
  for (; j + 8 <= n_keys; j += 8) {
    __m256 a = _mm256_setzero_ps();
    for (int64_t e = 0; e < dim; ++e) {
      a = _mm256_fmadd_ps(_mm256_set1_ps(q[e]), _mm256_loadu_ps(keys_t + e * n_keys + j), a);
    }
    _mm256_storeu_ps(out + j, _mm256_mul_ps(a, vscale));
  }
  for (; j < n_keys; ++j) {
    float s = 0;
    for (int64_t e = 0; e < dim; ++e) s = std::fma(q[e], keys_t[e * n_keys + j], s);
    out[j] = s * scale;
  }
}

}  // namespace

void KeyScores(Isa isa, const float* q, const float* keys_t, int64_t n_keys, int64_t dim,
               float scale, float* out) {
  if (isa != Isa::kScalar) return KeyScoresAvx2(q, keys_t, n_keys, dim, scale, out);
  KeyScoresScalar(q, keys_t, n_keys, dim, scale, out);
}

}  // namespace docent::llm::kernels
