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
#include <vector>

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

// Positions per block in the block kernels: 64 keys of a 64-dim head are 8 KB of F16 (16 KB
// once converted), so a block stays in L1 while every query of the block passes over it.
constexpr int64_t kKeyBlock = 64;

// ---- Key-lane block kernels (AVX2 and AVX-512; head sizes a multiple of 8).
//
// The one-query kernels put a key's dimensions across the lanes and end every key with a
// horizontal sum; with 28 queries reading the same block of keys, that is 28 conversions
// of every key from F16 and a shuffle-bound reduction per score. Here a block of keys is
// converted once and transposed (dimension-major, 64 keys a row), and the lanes hold keys:
// eight accumulators per vector of keys, accumulator l taking dimensions l, l+8, l+16, ... in
// order. That is exactly the chain lane l of the one-query kernel runs, and the accumulators
// are then added in HorizontalSum8's order ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)), so every
// score keeps its bits. The values likewise are converted once per block and every query's
// weights rounded to F16 once per block; per element, the FMAs over ascending positions are
// the one-query kernel's.

// Scratch for one block: the transposed keys (dim rows of kKeyBlock) or the converted values
// (kKeyBlock rows of dim), and the queries. Per thread, so the kernels
// stay free functions that the forward pass calls from its pool.
struct BlockBuffers {
  std::vector<float> block;
  std::vector<float> query;  // the queries in F32 (scores) or their rounded weights (values)
};

BlockBuffers& ThreadBlockBuffers() {
  thread_local BlockBuffers buffers;
  return buffers;
}

DOCENT_AVX2 __m256 LoadHalves8OrZero(const uint16_t* p, bool present) {
  return present ? LoadHalves8(p) : _mm256_setzero_ps();
}

// keys [0, n) of the block (row p at keys + p * stride) into kt[d * kKeyBlock + p], F32, with
// the lanes up to the next multiple of 16 zeroed (the score kernels read whole vectors).
DOCENT_AVX2 void TransposeKeysAvx2(const uint16_t* keys, size_t stride, int64_t n, int64_t dim,
                                   float* kt) {
  const int64_t padded = (n + 15) / 16 * 16;
  for (int64_t p0 = 0; p0 < padded; p0 += 8) {
    for (int64_t d0 = 0; d0 < dim; d0 += 8) {
      __m256 r[8];
      for (int i = 0; i < 8; ++i)
        r[i] = LoadHalves8OrZero(keys + (p0 + i) * stride + d0, p0 + i < n);
      // 8x8 transpose: r[i][j] (key i, dimension j) -> row j holds the 8 keys' dimension j.
      const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
      const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
      const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
      const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      float* row = kt + d0 * kKeyBlock + p0;
      _mm256_storeu_ps(row + 0 * kKeyBlock, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(row + 1 * kKeyBlock, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(row + 2 * kKeyBlock, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(row + 3 * kKeyBlock, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(row + 4 * kKeyBlock, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(row + 5 * kKeyBlock, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(row + 6 * kKeyBlock, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(row + 7 * kKeyBlock, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
  }
}

// Eight keys' scores (lanes) from the transposed block; see the section comment for the order.
DOCENT_AVX2 __m256 KeyLaneScores8(const float* q, const float* kt, int64_t dim) {
  __m256 a[8];
  for (int l = 0; l < 8; ++l) a[l] = _mm256_setzero_ps();
  for (int64_t d0 = 0; d0 < dim; d0 += 8) {
#pragma GCC unroll 8
    for (int l = 0; l < 8; ++l) {
      a[l] = _mm256_fmadd_ps(_mm256_loadu_ps(kt + (d0 + l) * kKeyBlock),
                             _mm256_broadcast_ss(q + d0 + l), a[l]);
    }
  }
  return _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6])),
                       _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7])));
}

DOCENT_AVX2 void KeyLaneScoresAvx2(const float* q, const float* kt, int64_t n, int64_t dim,
                                   float scale, float* out) {
  const __m256 vscale = _mm256_set1_ps(scale);
  for (int64_t p = 0; p < n; p += 8) {
    const __m256 s = _mm256_mul_ps(KeyLaneScores8(q, kt + p, dim), vscale);
    if (p + 8 <= n) {
      _mm256_storeu_ps(out + p, s);
    } else {
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, s);
      for (int64_t i = 0; i < n - p; ++i) out[p + i] = lanes[i];
    }
  }
}

// The eight accumulators added in HorizontalSum8's order.
DOCENT_AVX512 __m512 AddInSumOrder(const __m512* a) {
  return _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a[0], a[4]), _mm512_add_ps(a[2], a[6])),
                       _mm512_add_ps(_mm512_add_ps(a[1], a[5]), _mm512_add_ps(a[3], a[7])));
}

// kVectors vectors of sixteen keys from k (the transposed block at some key), scaled, into
// out: one broadcast of the query feeds kVectors FMAs.
template <int kVectors>
DOCENT_AVX512 void KeyLaneScores16(const float* q, const float* k, int64_t dim, __m512 vscale,
                                   __m512* out) {
  __m512 a[kVectors][8];
  for (int v = 0; v < kVectors; ++v) {
    for (int l = 0; l < 8; ++l) a[v][l] = _mm512_setzero_ps();
  }
  for (int64_t d0 = 0; d0 < dim; d0 += 8) {
#pragma GCC unroll 8
    for (int l = 0; l < 8; ++l) {
      const __m512 qd = _mm512_set1_ps(q[d0 + l]);
      for (int v = 0; v < kVectors; ++v) {
        a[v][l] = _mm512_fmadd_ps(_mm512_loadu_ps(k + (d0 + l) * kKeyBlock + 16 * v), qd, a[v][l]);
      }
    }
  }
  for (int v = 0; v < kVectors; ++v) out[v] = _mm512_mul_ps(AddInSumOrder(a[v]), vscale);
}

// Thirty-two keys at a time (sixteen accumulators), sixteen for a last group that fits them.
DOCENT_AVX512 void KeyLaneScoresAvx512(const float* q, const float* kt, int64_t n, int64_t dim,
                                       float scale, float* out) {
  const __m512 vscale = _mm512_set1_ps(scale);
  for (int64_t p = 0; p < n; p += 32) {
    __m512 s[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
    if (p + 16 < n) {
      KeyLaneScores16<2>(q, kt + p, dim, vscale, s);
    } else {
      KeyLaneScores16<1>(q, kt + p, dim, vscale, s);
    }
    const int64_t left = n - p;
    if (left >= 32) {
      _mm512_storeu_ps(out + p, s[0]);
      _mm512_storeu_ps(out + p + 16, s[1]);
    } else {
      alignas(64) float lanes[32];
      _mm512_store_ps(lanes, s[0]);
      _mm512_store_ps(lanes + 16, s[1]);
      for (int64_t i = 0; i < left; ++i) out[p + i] = lanes[i];
    }
  }
}

// Values rows [0, n) of the block into vf[p * dim + i], F32 (dim a multiple of 8).
DOCENT_AVX2 void ConvertValuesAvx2(const uint16_t* values, size_t stride, int64_t n, int64_t dim,
                                   float* vf) {
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t i = 0; i < dim; i += 8) {
      _mm256_storeu_ps(vf + p * dim + i, LoadHalves8(values + p * stride + i));
    }
  }
}

// w[0, n) rounded to F16 (as RoundToHalfF16c, eight at a time).
DOCENT_AVX2 void RoundWeightsAvx2(const float* w, int64_t n, float* out) {
  int64_t p = 0;
  for (; p + 8 <= n; p += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(w + p), _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_ps(out + p, _mm256_cvtph_ps(h));
  }
  for (; p < n; ++p) out[p] = RoundToHalfF16c(w[p]);
}

template <int kVectors>
DOCENT_AVX2 void ValuesF32Avx2Fixed(const float* w, const float* vf, int64_t n, float* out) {
  __m256 acc[kVectors];
  for (int j = 0; j < kVectors; ++j) acc[j] = _mm256_loadu_ps(out + 8 * j);
  for (int64_t p = 0; p < n; ++p) {
    const __m256 wv = _mm256_broadcast_ss(w + p);
    const float* v = vf + p * 8 * kVectors;
    for (int j = 0; j < kVectors; ++j)
      acc[j] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(v + 8 * j), acc[j]);
  }
  for (int j = 0; j < kVectors; ++j) _mm256_storeu_ps(out + 8 * j, acc[j]);
}

DOCENT_AVX2 void ValuesF32Avx2(const float* w, const float* vf, int64_t n, int64_t dim,
                               float* out) {
  if (dim == 64) return ValuesF32Avx2Fixed<8>(w, vf, n, out);
  if (dim == 128) return ValuesF32Avx2Fixed<16>(w, vf, n, out);
  for (int64_t p = 0; p < n; ++p) {
    const __m256 wv = _mm256_broadcast_ss(w + p);
    for (int64_t i = 0; i < dim; i += 8) {
      _mm256_storeu_ps(out + i, _mm256_fmadd_ps(wv, _mm256_loadu_ps(vf + p * dim + i),
                                                _mm256_loadu_ps(out + i)));
    }
  }
}

// kQueries queries at once over the same value rows: each row loaded once feeds every query,
// and kQueries x kVectors independent FMA chains keep both FMA units busy (one query's
// kVectors chains wait on each other's latency). Each element's chain is still its own FMAs
// over ascending positions.
template <int kVectors, int kQueries>
DOCENT_AVX512 void ValuesF32Avx512Fixed(const float* const* w, const float* vf, int64_t n,
                                        float* const* out) {
  __m512 acc[kQueries][kVectors];
  for (int r = 0; r < kQueries; ++r) {
    for (int j = 0; j < kVectors; ++j) acc[r][j] = _mm512_loadu_ps(out[r] + 16 * j);
  }
  for (int64_t p = 0; p < n; ++p) {
    const float* v = vf + p * 16 * kVectors;
    __m512 rows[kVectors];
    for (int j = 0; j < kVectors; ++j) rows[j] = _mm512_loadu_ps(v + 16 * j);
    for (int r = 0; r < kQueries; ++r) {
      const __m512 wv = _mm512_set1_ps(w[r][p]);
      for (int j = 0; j < kVectors; ++j) acc[r][j] = _mm512_fmadd_ps(wv, rows[j], acc[r][j]);
    }
  }
  for (int r = 0; r < kQueries; ++r) {
    for (int j = 0; j < kVectors; ++j) _mm512_storeu_ps(out[r] + 16 * j, acc[r][j]);
  }
}

DOCENT_AVX512 void ValuesF32Avx512(const float* w, const float* vf, int64_t n, int64_t dim,
                                   float* out) {
  if (dim == 64) return ValuesF32Avx512Fixed<4, 1>(&w, vf, n, &out);
  if (dim == 128) return ValuesF32Avx512Fixed<8, 1>(&w, vf, n, &out);
  ValuesF32Avx2(w, vf, n, dim, out);
}

// kCount queries with the same positions in this block (ValuesGroup says which head sizes).
DOCENT_AVX512 void ValuesF32Avx512Group(const float* const* w, const float* vf, int64_t n,
                                        int64_t dim, int count, float* const* out) {
  if (dim == 64 && count == 4) return ValuesF32Avx512Fixed<4, 4>(w, vf, n, out);
  if (dim == 128 && count == 2) return ValuesF32Avx512Fixed<8, 2>(w, vf, n, out);
  for (int r = 0; r < count; ++r) ValuesF32Avx512(w[r], vf, n, dim, out[r]);
}

// How many queries ValuesF32Avx512Group takes at once for a head size.
int ValuesGroup(Isa isa, int64_t dim) {
  if (isa != Isa::kAvx512Vnni) return 1;
  return dim == 64 ? 4 : dim == 128 ? 2 : 1;
}

bool KeyLanes(Isa isa, int64_t dim) {
  return isa != Isa::kScalar && dim % 8 == 0;
}

// Where a query of n_keys positions stops in the block starting at k0 (<= k0: not in it).
int64_t BlockEnd(int64_t n_keys, int64_t k0) {
  return n_keys < k0 + kKeyBlock ? n_keys : k0 + kKeyBlock;
}

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
  if (!KeyLanes(isa, dim)) {
    for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
      for (int r = 0; r < n_q; ++r) {
        const int64_t end = BlockEnd(n_keys[r], k0);
        if (end <= k0) continue;
        AttentionScoresF16(isa, q[r], keys + k0 * stride, stride, end - k0, dim, scale,
                           out[r] + k0);
      }
    }
    return;
  }
  BlockBuffers& buf = ThreadBlockBuffers();
  buf.block.resize(static_cast<size_t>(dim * kKeyBlock));
  buf.query.resize(static_cast<size_t>(dim * n_q));
  for (int r = 0; r < n_q; ++r) {
    for (int64_t i = 0; i < dim; ++i) buf.query[r * dim + i] = HalfToFloat(q[r][i]);
  }
  for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
    const int64_t in_block = most - k0 < kKeyBlock ? most - k0 : kKeyBlock;
    TransposeKeysAvx2(keys + k0 * stride, stride, in_block, dim, buf.block.data());
    for (int r = 0; r < n_q; ++r) {
      const int64_t end = BlockEnd(n_keys[r], k0);
      if (end <= k0) continue;
      const float* qf = buf.query.data() + r * dim;
      if (isa == Isa::kAvx512Vnni) {
        KeyLaneScoresAvx512(qf, buf.block.data(), end - k0, dim, scale, out[r] + k0);
      } else {
        KeyLaneScoresAvx2(qf, buf.block.data(), end - k0, dim, scale, out[r] + k0);
      }
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
  if (!KeyLanes(isa, dim)) {
    for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
      for (int r = 0; r < n_q; ++r) {
        const int64_t end = BlockEnd(n_keys[r], k0);
        if (end <= k0) continue;
        Values(isa, w[r] + k0, values + k0 * stride, stride, end - k0, dim, out[r],
               /*accumulate=*/true);
      }
    }
    return;
  }
  BlockBuffers& buf = ThreadBlockBuffers();
  buf.block.resize(static_cast<size_t>(dim * kKeyBlock));
  buf.query.resize(static_cast<size_t>(n_q * kKeyBlock));
  const int group = ValuesGroup(isa, dim);
  for (int64_t k0 = 0; k0 < most; k0 += kKeyBlock) {
    const int64_t in_block = most - k0 < kKeyBlock ? most - k0 : kKeyBlock;
    ConvertValuesAvx2(values + k0 * stride, stride, in_block, dim, buf.block.data());
    for (int r = 0; r < n_q;) {
      const int64_t end = BlockEnd(n_keys[r], k0);
      if (end <= k0) {
        ++r;
        continue;
      }
      // The queries from r on that cover the same positions of this block go together.
      int count = 1;
      while (count < group && r + count < n_q && BlockEnd(n_keys[r + count], k0) == end) {
        ++count;
      }
      if (count != group) count = 1;
      const float* weights[4];
      for (int i = 0; i < count; ++i) {
        float* rounded = buf.query.data() + (r + i) * kKeyBlock;
        RoundWeightsAvx2(w[r + i] + k0, end - k0, rounded);
        weights[i] = rounded;
      }
      if (count > 1) {
        ValuesF32Avx512Group(weights, buf.block.data(), end - k0, dim, count, out + r);
      } else if (isa == Isa::kAvx512Vnni) {
        ValuesF32Avx512(weights[0], buf.block.data(), end - k0, dim, out[r]);
      } else {
        ValuesF32Avx2(weights[0], buf.block.data(), end - k0, dim, out[r]);
      }
      r += count;
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
