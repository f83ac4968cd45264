// The SwiGLU gate, silu(g) * u, over a whole row, and attention's softmax (see kernels.h).
//
// A 512-token prompt on a 0.5B model takes ~60 million of these; through libm's expf that
// alone is most of a second, so the SIMD versions evaluate e^x with their own range
// reduction and polynomial (relative error ~2e-7 over the float range, like a libm expf),
// and marked with target attributes rather than compiled with -mavx2 so that nothing here
// reaches code that runs on an older CPU. Each element is computed on its own, so the result
// never depends on the row length or on the batch.
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "docent/llm/half.h"
#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

void SiluMulScalar(const float* g, const float* u, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

#define DOCENT_AVX2 __attribute__((target("avx2,fma")))

// e^x for x in [-87.3, 88.7] (clamped outside: the gate saturates long before).
// x = k ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^k into the exponent.
DOCENT_AVX2 __m256 ExpAvx2(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // ln2 in two parts, so k * ln2 is subtracted without losing r's low bits.
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187045e-06f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // 2^k as a float: k + 127 in the exponent field. For k = 128 (x near 88.7) split the
  // scaling in two so the intermediate stays finite.
  const __m256i ki = _mm256_cvtps_epi32(k);
  const __m256i half_k = _mm256_srai_epi32(ki, 1);
  const __m256 s1 =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half_k, _mm256_set1_epi32(127)), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(
      _mm256_add_epi32(_mm256_sub_epi32(ki, half_k), _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

DOCENT_AVX2 void SiluMulAvx2(const float* g, const float* u, float* out, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gv = _mm256_loadu_ps(g + i);
    const __m256 e = ExpAvx2(_mm256_sub_ps(_mm256_setzero_ps(), gv));
    const __m256 silu = _mm256_div_ps(gv, _mm256_add_ps(one, e));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i)));
  }
  // The tail through the same vector code, so element i's value never depends on n.
  if (i < n) {
    alignas(32) float gt[8] = {0}, ut[8] = {0}, ot[8];
    for (int64_t j = i; j < n; ++j) {
      gt[j - i] = g[j];
      ut[j - i] = u[j];
    }
    const __m256 gv = _mm256_load_ps(gt);
    const __m256 e = ExpAvx2(_mm256_sub_ps(_mm256_setzero_ps(), gv));
    const __m256 silu = _mm256_div_ps(gv, _mm256_add_ps(one, e));
    _mm256_store_ps(ot, _mm256_mul_ps(silu, _mm256_load_ps(ut)));
    for (int64_t j = i; j < n; ++j) out[j] = ot[j - i];
  }
}

void SoftmaxScalar(float* x, int64_t n) {
  if (n <= 0) return;
  float max = x[0];
  for (int64_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

DOCENT_AVX2 inline void AddInDouble(__m256 e, __m256d& lo, __m256d& hi) {
  lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
  hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
}

// Attention over a long context spends a tenth of its time here, most of it in libm's expf.
// Max is exact in any order; the exponentials are summed in double, four lanes of each half
// of an 8-float step, lanes added in a fixed order at the end: the result depends on n only.
DOCENT_AVX2 void SoftmaxAvx2(float* x, int64_t n) {
  if (n <= 0) return;
  __m256 maxv = _mm256_set1_ps(x[0]);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) maxv = _mm256_max_ps(maxv, _mm256_loadu_ps(x + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, maxv);
  float max = lanes[0];
  for (float v : lanes) max = v > max ? v : max;
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;

  const __m256 maxb = _mm256_set1_ps(max);
  __m256d sum_lo = _mm256_setzero_pd(), sum_hi = _mm256_setzero_pd();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 e = ExpAvx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), maxb));
    AddInDouble(e, sum_lo, sum_hi);
    _mm256_storeu_ps(x + i, e);
  }
  if (i < n) {
    // The tail through the same code; the lanes past n hold max, whose e^0 is taken back out
    // by masking before the sum (masked lanes are zero).
    alignas(32) float t[8];
    for (int64_t j = 0; j < 8; ++j) t[j] = i + j < n ? x[i + j] : max;
    const __m256 e = ExpAvx2(_mm256_sub_ps(_mm256_load_ps(t), maxb));
    alignas(32) int32_t keep[8];
    for (int64_t j = 0; j < 8; ++j) keep[j] = i + j < n ? -1 : 0;
    const __m256 kept =
        _mm256_and_ps(e, _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<__m256i*>(keep))));
    AddInDouble(kept, sum_lo, sum_hi);
    _mm256_store_ps(t, kept);
    for (int64_t j = i; j < n; ++j) x[j] = t[j - i];
  }
  alignas(32) double s[8];
  _mm256_store_pd(s, sum_lo);
  _mm256_store_pd(s + 4, sum_hi);
  const double sum = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / sum));
  for (i = 0; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  const float inv_s = static_cast<float>(1.0 / sum);
  for (; i < n; ++i) x[i] *= inv_s;
}

// GeluTable's element: the table's value at x rounded to half precision, 0 below -10, x
// itself from 10 on.
float GeluTableOne(const float* table, float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  return table[FloatToHalf(x)];  // round to nearest even, as F16C's conversion
}

void GeluTableScalar(const float* table, float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = GeluTableOne(table, x[i]);
}

__attribute__((target("avx2,fma,f16c"))) void GeluTableAvx2(const float* table, float* x,
                                                            int64_t n) {
  const __m256 lo = _mm256_set1_ps(-10.0f), hi = _mm256_set1_ps(10.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m128i half = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256i index = _mm256_cvtepu16_epi32(half);
    __m256 y = _mm256_i32gather_ps(table, index, 4);
    y = _mm256_andnot_ps(_mm256_cmp_ps(v, lo, _CMP_LE_OQ), y);     // <= -10: 0
    y = _mm256_blendv_ps(y, v, _mm256_cmp_ps(v, hi, _CMP_GE_OQ));  // >= 10: x
    _mm256_storeu_ps(x + i, y);
  }
  for (; i < n; ++i) x[i] = GeluTableOne(table, x[i]);
}

}  // namespace

void GeluTable(Isa isa, const float* table, float* x, int64_t n) {
  if (isa != Isa::kScalar) return GeluTableAvx2(table, x, n);
  GeluTableScalar(table, x, n);
}

void Softmax(Isa isa, float* x, int64_t n) {
  // The AVX-512 path shares the AVX2 code, so the two agree bit for bit.
  if (isa != Isa::kScalar) return SoftmaxAvx2(x, n);
  SoftmaxScalar(x, n);
}

void SiluMul(Isa isa, const float* g, const float* u, float* out, int64_t n) {
  // The AVX-512 path reuses the AVX2 code: this step is a small share of the time.
  if (isa != Isa::kScalar) return SiluMulAvx2(g, u, out, n);
  SiluMulScalar(g, u, out, n);
}

}  // namespace docent::llm::kernels
