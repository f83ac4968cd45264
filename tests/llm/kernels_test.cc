// The compute kernels (kernels/kernels.h) for every computable type on every ISA this CPU
// runs: products within the rounding that reordering a float sum allows of the exact sum of
// the dequantised weights times the prepared activations, bit-exact batch invariance (an output
// does not depend on the columns or rows computed with it, nor on alignment), the activation
// preparation against llama.cpp's activation quantisers, the F16 vector steps, and the
// DOCENT_KERNELS cap. An ISA the CPU lacks is left out of the list rather than skipped; the first
// test prints which ran.
#include "docent/llm/kernels/kernels.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/half.h"
#include "docent/llm/quant_legacy.h"
#include "docent/llm/quantize.h"

namespace docent::llm::kernels {
namespace {

constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni};

std::vector<Isa> SupportedIsas() {
  std::vector<Isa> out;
  for (Isa isa : kAllIsas) {
    if (IsaSupported(isa)) out.push_back(isa);
  }
  return out;
}

const GgmlType kAllTypes[] = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ8_0,
                              GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,
                              GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K};

bool IsFloatType(GgmlType t) {
  return t == GgmlType::kF32 || t == GgmlType::kF16 || t == GgmlType::kBF16;
}
bool IsKQuant(GgmlType t) {
  return t == GgmlType::kQ4_K || t == GgmlType::kQ5_K || t == GgmlType::kQ6_K;
}

std::vector<float> Gaussian(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

uint32_t Bits(float f) {
  return std::bit_cast<uint32_t>(f);
}

// A weight matrix of `rows` rows of n elements, quantised to `type`, with its dequantised
// values (for the tolerance).
struct Matrix {
  GgmlType type;
  int64_t rows;
  int64_t n;
  size_t row_bytes;
  std::vector<uint8_t> bytes;
  std::vector<float> values;
};

Matrix MakeMatrix(GgmlType type, int64_t rows, int64_t n, uint32_t seed) {
  Matrix m{type, rows, n, *RowBytes(type, static_cast<uint64_t>(n)), {}, {}};
  m.bytes.resize(m.row_bytes * rows);
  m.values.resize(static_cast<size_t>(rows * n));
  for (int64_t r = 0; r < rows; ++r) {
    // Rows of different magnitudes, and a few offset ones so the minima of the _1 and K
    // types matter.
    std::vector<float> row = Gaussian(n, seed + static_cast<uint32_t>(r), 0.5f + 0.1f * (r % 5));
    if (r % 3 == 1) {
      for (float& v : row) v += 0.7f;
    }
    std::span<uint8_t> out(m.bytes.data() + r * m.row_bytes, m.row_bytes);
    EXPECT_TRUE(QuantizeRow(type, row, out).ok());
    EXPECT_TRUE(DequantizeRow(type, out, std::span<float>(m.values.data() + r * n, n)).ok());
  }
  return m;
}

// The prepared layout (kernels/internal.h), read back by the tests: per 32-value block the
// int8 values, then the arrays d, sum, dsum and hsum.
struct PreparedView {
  const uint8_t* p;
  int64_t nb;
  int8_t Q(int64_t i) const { return static_cast<int8_t>(p[i]); }
  template <typename T>
  T Field(int64_t array, int64_t b) const {
    T v;
    std::memcpy(&v, p + 32 * nb + 4 * (array * nb + b), 4);
    return v;
  }
  float D(int64_t b) const { return Field<float>(0, b); }
  int32_t Sum(int64_t b) const { return Field<int32_t>(1, b); }
  float DSum(int64_t b) const { return Field<float>(2, b); }
  uint32_t HSum(int64_t b) const { return Field<uint32_t>(3, b); }
};

// Prepared activation columns, and the values their bytes stand for: the rounded f32 values
// for the float types, q * d for the quantised ones. The reference product is then the exact
// sum of the dequantised weights times these, plus, for Q4_1/Q5_1, what the rounded dsum
// (block_q8_1's s) adds to the minimum term: m * (dsum - d * sum) per block.
struct Columns {
  int64_t n_cols;
  size_t stride;
  std::vector<uint8_t> prepared;
  std::vector<std::vector<float>> ref_values;
  std::vector<std::vector<double>> dsum_excess;  // per block, the _1 types only
};

bool IsType1(GgmlType t) {
  return t == GgmlType::kQ4_1 || t == GgmlType::kQ5_1;
}

Columns MakeColumns(Isa isa, GgmlType type, int64_t n, int64_t n_cols, uint32_t seed) {
  Columns cols{n_cols, ActivationBytes(type, n), {}, {}, {}};
  cols.prepared.resize(cols.stride * n_cols);
  for (int64_t c = 0; c < n_cols; ++c) {
    std::vector<float> x = Gaussian(n, seed * 7919u + static_cast<uint32_t>(c), 1.0f + c % 3);
    uint8_t* out = cols.prepared.data() + c * cols.stride;
    PrepareActivations(isa, type, x.data(), n, out);
    std::vector<float> v(n);
    std::vector<double> excess;
    if (IsFloatType(type)) {
      std::memcpy(v.data(), out, static_cast<size_t>(n) * sizeof(float));
    } else {
      const PreparedView view{out, n / 32};
      for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(view.Q(i)) * view.D(i / 32);
      for (int64_t b = 0; b < n / 32; ++b) {
        excess.push_back(static_cast<double>(view.DSum(b)) -
                         static_cast<double>(view.D(b)) * view.Sum(b));
      }
    }
    cols.ref_values.push_back(std::move(v));
    cols.dsum_excess.push_back(std::move(excess));
  }
  return cols;
}

double Reference(const Matrix& m, const Columns& cols, int64_t r, int64_t c) {
  double want = 0.0;
  for (int64_t i = 0; i < m.n; ++i) {
    want += static_cast<double>(m.values[r * m.n + i]) * cols.ref_values[c][i];
  }
  if (IsType1(m.type)) {
    const size_t block_bytes = m.type == GgmlType::kQ4_1 ? 20 : 24;  // d, m, ...
    for (int64_t b = 0; b < m.n / 32; ++b) {
      uint16_t min16;
      std::memcpy(&min16, m.bytes.data() + r * m.row_bytes + b * block_bytes + 2, 2);
      want += static_cast<double>(HalfToFloat(min16)) * cols.dsum_excess[c][b];
    }
  }
  return want;
}

// sum_i |w_i x_i|: the scale of the rounding errors reordering the sum may make.
double Magnitude(const Matrix& m, const Columns& cols, int64_t r, int64_t c) {
  double s = 0;
  for (int64_t i = 0; i < m.n; ++i) {
    s += std::fabs(static_cast<double>(m.values[r * m.n + i]) * cols.ref_values[c][i]);
  }
  return s;
}

std::vector<float> RunMatMul(Isa isa, const Matrix& m, const Columns& cols, int64_t n_cols = -1) {
  if (n_cols < 0) n_cols = cols.n_cols;
  std::vector<float> y(static_cast<size_t>(n_cols * m.rows), std::nanf(""));
  MatMulArgs a;
  a.type = m.type;
  a.w = m.bytes.data();
  a.w_row_bytes = m.row_bytes;
  a.n = m.n;
  a.x = cols.prepared.data();
  a.x_stride = cols.stride;
  a.n_cols = n_cols;
  a.y = y.data();
  a.y_stride = m.rows;
  MatMul(isa, a, 0, m.rows);
  return y;
}

std::vector<int64_t> SizesFor(GgmlType type) {
  if (IsKQuant(type)) return {256, 768, 2816};
  if (IsFloatType(type)) return {1, 7, 37, 96, 800};
  return {32, 96, 224, 2848};  // 32 * odd k
}

TEST(KernelDispatchTest, ListsTheIsasThatRun) {
  std::string names;
  for (Isa isa : SupportedIsas()) names += std::string(IsaName(isa)) + " ";
  std::cout << "[ kernels ] ISAs tested on this CPU: " << names << "\n";
  EXPECT_TRUE(IsaSupported(Isa::kScalar));
  EXPECT_EQ(IsaName(Isa::kScalar), "scalar");
  EXPECT_EQ(IsaName(Isa::kAvx2), "avx2");
  EXPECT_EQ(IsaName(Isa::kAvxVnni), "avxvnni");
  EXPECT_EQ(IsaName(Isa::kAvx512Vnni), "avx512");
  // Both VNNI levels imply the AVX2 set here (their files are compiled with it).
  if (IsaSupported(Isa::kAvx512Vnni) || IsaSupported(Isa::kAvxVnni)) {
    EXPECT_TRUE(IsaSupported(Isa::kAvx2));
  }
}

TEST(KernelDispatchTest, EnvironmentCapsTheBestIsa) {
  const char* old = std::getenv("DOCENT_KERNELS");
  const std::string saved = old ? old : "";
  unsetenv("DOCENT_KERNELS");
  const Isa best = BestIsa();
  EXPECT_TRUE(IsaSupported(best));
  EXPECT_EQ(best, SupportedIsas().back());
  setenv("DOCENT_KERNELS", "scalar", 1);
  EXPECT_EQ(BestIsa(), Isa::kScalar);
  setenv("DOCENT_KERNELS", "avx2", 1);
  EXPECT_EQ(BestIsa(), IsaSupported(Isa::kAvx2) ? Isa::kAvx2 : Isa::kScalar);
  setenv("DOCENT_KERNELS", "avxvnni", 1);
  EXPECT_EQ(BestIsa(), IsaSupported(Isa::kAvxVnni) ? Isa::kAvxVnni
                       : IsaSupported(Isa::kAvx2)  ? Isa::kAvx2
                                                   : Isa::kScalar);
  setenv("DOCENT_KERNELS", "avx512", 1);
  EXPECT_EQ(BestIsa(), best);
  if (old) {
    setenv("DOCENT_KERNELS", saved.c_str(), 1);
  } else {
    unsetenv("DOCENT_KERNELS");
  }
}

// llama.cpp's activation quantisers as ggml defines them (the formulas of quantize_row_q8_0,
// _q8_1 and _q8_K on x86), written out here independently of prepare.cc: what each ISA's
// PrepareActivations must reproduce bit for bit.
struct RefBlock {
  int8_t q[32];
  float d;
  float dsum;
};

int RefRound(float v) {  // ties to even, as vroundps; NaN and overflow clamped
  if (std::isnan(v) || v <= -127.0f) return -127;
  if (v >= 127.0f) return 127;
  return static_cast<int>(std::nearbyint(v));
}

float RefAbsMax(const float* x, int64_t n) {
  float amax = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    if (std::fabs(x[i]) > amax) amax = std::fabs(x[i]);  // NaN compares false: ignored
  }
  return amax;
}

// Q8_0 (q8_1: with s): d = amax / 127 stored as F16, q = round(x * 127 / amax), s = d * sum
// rounded to F16 from the unrounded d.
std::vector<RefBlock> RefQ8_0(const std::vector<float>& x, bool q8_1) {
  std::vector<RefBlock> out(x.size() / 32);
  for (size_t b = 0; b < out.size(); ++b) {
    const float* xb = x.data() + 32 * b;
    const float amax = RefAbsMax(xb, 32);
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0;
    for (int i = 0; i < 32; ++i) sum += out[b].q[i] = static_cast<int8_t>(RefRound(xb[i] * id));
    out[b].d = HalfToFloat(FloatToHalf(d));
    out[b].dsum = q8_1 ? HalfToFloat(FloatToHalf(d * static_cast<float>(sum)))
                       : out[b].d * static_cast<float>(sum);
  }
  return out;
}

// Q8_K: per 256 values iscale = -127 / max, max the value of largest magnitude (positive when
// both signs reach it), q = round(x * iscale), d = 1 / iscale.
std::vector<RefBlock> RefQ8_K(const std::vector<float>& x) {
  std::vector<RefBlock> out(x.size() / 32);
  for (size_t s = 0; s < x.size() / 256; ++s) {
    const float* xs = x.data() + 256 * s;
    const float amax = RefAbsMax(xs, 256);
    float max = -amax;
    for (int i = 0; i < 256; ++i) {
      if (xs[i] == amax) max = amax;
    }
    const float iscale = amax != 0.0f ? -127.0f / max : 0.0f;
    const float d = amax != 0.0f ? 1.0f / iscale : 0.0f;
    for (size_t b = 8 * s; b < 8 * s + 8; ++b) {
      int sum = 0;
      for (int i = 0; i < 32; ++i) {
        sum += out[b].q[i] = static_cast<int8_t>(RefRound(x[32 * b + i] * iscale));
      }
      out[b].d = d;
      out[b].dsum = d * static_cast<float>(sum);
    }
  }
  return out;
}

// Values that probe the rules: zeros, exact ties, NaN, infinities, tiny and huge blocks.
std::vector<float> PrepareProbe() {
  const int64_t n = 32 * 16;
  std::vector<float> x = Gaussian(n, 5);
  x[3] = 0.0f;
  for (int i = 32; i < 64; ++i) x[i] = 0.0f;  // an all-zero block: scale 0, values 0
  // Block 2: amax 127 gives the multiplier 1 exactly, so these are exact ties.
  const float ties[] = {127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 126.5f, -126.5f, 1.5f, -0.0f};
  for (size_t i = 0; i < std::size(ties); ++i) x[64 + i] = ties[i];
  x[96 + 4] = std::numeric_limits<float>::quiet_NaN();  // block 3: a NaN value
  x[128 + 7] = std::numeric_limits<float>::infinity();  // block 4: infinite amax
  for (int i = 160; i < 192; ++i) x[i] = 1e-30f * static_cast<float>(i - 170);  // tiny
  for (int i = 192; i < 224; ++i) x[i] = 3e6f * static_cast<float>(i - 200);    // F16 overflow
  x[224 + 9] = -1e-7f;  // block 7: a subnormal F16 scale
  for (int i = 224; i < 256; ++i) x[i] *= i == 233 ? 1.0f : 1e-9f;
  for (int i = 256; i < 512; ++i) x[i] *= 3.0f;
  x[300] = -40.0f;  // super-block 1: its largest magnitude negative ...
  x[420] = 40.0f;   // ... and positive too: the positive one sets the sign
  return x;
}

void ExpectPrepared(const std::vector<RefBlock>& want, const uint8_t* p, const char* what) {
  const PreparedView view{p, static_cast<int64_t>(want.size())};
  for (size_t b = 0; b < want.size(); ++b) {
    EXPECT_EQ(Bits(view.D(b)), Bits(want[b].d)) << what << " block " << b;
    int32_t s = 0;
    int32_t h[2] = {0, 0};
    for (int i = 0; i < 32; ++i) {
      EXPECT_EQ(view.Q(32 * b + i), want[b].q[i]) << what << " block " << b << " value " << i;
      s += want[b].q[i];
      h[i / 16] += want[b].q[i];
    }
    EXPECT_EQ(view.Sum(b), s) << what << " block " << b;
    EXPECT_EQ(Bits(view.DSum(b)), Bits(want[b].dsum)) << what << " block " << b;
    EXPECT_EQ(static_cast<int16_t>(view.HSum(b) & 0xffff), h[0]) << what << " block " << b;
    EXPECT_EQ(static_cast<int16_t>(view.HSum(b) >> 16), h[1]) << what << " block " << b;
  }
}

TEST(KernelPrepareTest, QuantisesActivationsAsLlamaCppPairsThem) {
  const std::vector<float> x = PrepareProbe();
  const int64_t n = static_cast<int64_t>(x.size());
  const std::vector<RefBlock> q8_0 = RefQ8_0(x, false);
  const std::vector<RefBlock> q8_1 = RefQ8_0(x, true);
  const std::vector<RefBlock> q8_k = RefQ8_K(x);
  for (Isa isa : SupportedIsas()) {
    const std::string name(IsaName(isa));
    for (GgmlType type : kAllTypes) {
      if (IsFloatType(type)) continue;
      std::vector<uint8_t> p(ActivationBytes(type, n));
      ASSERT_EQ(p.size(), static_cast<size_t>(n / 32 * 48));
      PrepareActivations(isa, type, x.data(), n, p.data());
      const std::string what = name + " " + std::string(GgmlTypeName(type));
      ExpectPrepared(IsKQuant(type) ? q8_k : IsType1(type) ? q8_1 : q8_0, p.data(), what.c_str());
    }
  }
  // Hand-derived: the ties of block 2 round to even (2.5 -> 2, 126.5 -> 126, 1.5 -> 2).
  const int8_t ties[] = {127, 2, -2, 0, 0, 126, -126, 2, 0};
  for (size_t i = 0; i < std::size(ties); ++i) EXPECT_EQ(q8_0[2].q[i], ties[i]) << i;
  // Q8_K, super-block 1: max +40 (x[420]), so iscale = -127 / 40 and x[300] = -40 -> 127.
  EXPECT_EQ(q8_k[8].d, 1.0f / (-127.0f / 40.0f));
  EXPECT_EQ(q8_k[(300 - 256) / 32 + 8].q[300 % 32], 127);
  EXPECT_EQ(q8_k[(420 - 256) / 32 + 8].q[420 % 32], -127);
}

TEST(KernelPrepareTest, HalfAndBf16WeightsMeetRoundedValues) {
  const std::vector<float> x = Gaussian(37, 9, 3.0f);
  for (Isa isa : SupportedIsas()) {
    for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16}) {
      std::vector<uint8_t> p(ActivationBytes(type, 37));
      ASSERT_EQ(p.size(), 37 * sizeof(float));
      PrepareActivations(isa, type, x.data(), 37, p.data());
      for (size_t i = 0; i < x.size(); ++i) {
        float got;
        std::memcpy(&got, p.data() + 4 * i, 4);
        const float want = type == GgmlType::kF32   ? x[i]
                           : type == GgmlType::kF16 ? HalfToFloat(FloatToHalf(x[i]))
                                                    : Bf16ToFloat(FloatToBf16(x[i]));
        EXPECT_EQ(Bits(got), Bits(want)) << IsaName(isa) << " " << GgmlTypeName(type) << " " << i;
      }
    }
  }
}

// Every level, whether or not this CPU runs it: one it lacks reports itself skipped, by name.
class KernelIsaTest : public ::testing::TestWithParam<Isa> {};

TEST_P(KernelIsaTest, MatMulMatchesTheScalarReference) {
  const Isa isa = GetParam();
  if (!IsaSupported(isa)) GTEST_SKIP() << "this CPU lacks " << IsaName(isa);
  uint32_t seed = 1;
  {
    for (GgmlType type : kAllTypes) {
      for (int64_t n : SizesFor(type)) {
        for (int64_t rows : {1, 3, 7, 33}) {
          const int64_t n_cols = rows == 7 ? 17 : rows == 33 ? 9 : 2 + rows;
          const Matrix m = MakeMatrix(type, rows, n, ++seed);
          const Columns cols = MakeColumns(isa, type, n, n_cols, ++seed);
          const std::vector<float> y = RunMatMul(isa, m, cols);
          for (int64_t c = 0; c < n_cols; ++c) {
            for (int64_t r = 0; r < rows; ++r) {
              const double want = Reference(m, cols, r, c);
              // Each of the ~n/32 block terms (or n products) rounds once in each order.
              const double terms = IsFloatType(type) ? static_cast<double>(n) : n / 32.0 * 3;
              const double tol = (terms + 8) * 1.2e-7 * Magnitude(m, cols, r, c) + 1e-30;
              ASSERT_NEAR(y[c * rows + r], want, tol)
                  << IsaName(isa) << " " << GgmlTypeName(type) << " n=" << n << " rows=" << rows
                  << " r=" << r << " c=" << c;
            }
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllLevels, KernelIsaTest, ::testing::ValuesIn(kAllIsas),
                         [](const ::testing::TestParamInfo<Isa>& info) {
                           return std::string(IsaName(info.param));
                         });

// Every column count 1..17 on one shape: the column-chunk and tile edges.
TEST(KernelMatMulTest, EveryColumnCount) {
  for (Isa isa : SupportedIsas()) {
    for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kQ6_K, GgmlType::kF16}) {
      const int64_t n = IsKQuant(type) ? 512 : 160;
      const Matrix m = MakeMatrix(type, 11, n, 77);
      for (int64_t n_cols = 1; n_cols <= 17; ++n_cols) {
        const Columns cols = MakeColumns(isa, type, n, n_cols, 78 + static_cast<uint32_t>(n_cols));
        const std::vector<float> y = RunMatMul(isa, m, cols);
        for (int64_t c = 0; c < n_cols; ++c) {
          for (int64_t r = 0; r < m.rows; ++r) {
            const double tol = (n + 8) * 1.2e-7 * Magnitude(m, cols, r, c);
            ASSERT_NEAR(y[c * m.rows + r], Reference(m, cols, r, c), tol)
                << IsaName(isa) << " " << GgmlTypeName(type) << " n_cols=" << n_cols;
          }
        }
      }
    }
  }
}

// A case with a known exact answer, so a kernel that is consistently wrong (and a reference
// wrong the same way) cannot pass: Q8_0 weights of 1 (d = 1/127 * 127) against x = 1.
TEST(KernelMatMulTest, HandBuiltQ8_0Block) {
  const int64_t n = 64;
  std::vector<float> w(n, 1.0f);
  w[5] = -1.0f;  // one negative weight: the sum is 62
  std::vector<uint8_t> row(2 * 34);
  QuantizeRowQ8_0(w.data(), row.data(), n);
  std::vector<float> x(n, 2.0f);
  for (Isa isa : SupportedIsas()) {
    std::vector<uint8_t> p(ActivationBytes(GgmlType::kQ8_0, n));
    PrepareActivations(isa, GgmlType::kQ8_0, x.data(), n, p.data());
    float y = 0.0f;
    MatMulArgs a;
    a.type = GgmlType::kQ8_0;
    a.w = row.data();
    a.w_row_bytes = row.size();
    a.n = n;
    a.x = p.data();
    a.x_stride = p.size();
    a.n_cols = 1;
    a.y = &y;
    a.y_stride = 1;
    MatMul(isa, a, 0, 1);
    EXPECT_NEAR(y, 124.0f, 124.0f * 2e-3f) << IsaName(isa);  // the F16 scales' rounding
  }
}

// Batch invariance: every output bit-identical whether computed with 19 columns, alone, in
// any row range, or from misaligned copies of the weights and activations.
TEST(KernelMatMulTest, BatchInvariantBitForBit) {
  for (Isa isa : SupportedIsas()) {
    for (GgmlType type : kAllTypes) {
      const int64_t n = IsKQuant(type) ? 512 : IsFloatType(type) ? 75 : 96;
      const int64_t rows = 37;
      // 70 columns for Q4_0 and Q6_K cross the kernels' 64-column chunk.
      const int64_t n_cols = type == GgmlType::kQ4_0 || type == GgmlType::kQ6_K ? 70 : 19;
      const Matrix m = MakeMatrix(type, rows, n, 500);
      const Columns cols = MakeColumns(isa, type, n, n_cols, 501);
      const std::vector<float> all = RunMatMul(isa, m, cols);

      // Misaligned copies: weights shifted by 1 byte, activations by 3.
      std::vector<uint8_t> w_copy(m.bytes.size() + 1);
      std::memcpy(w_copy.data() + 1, m.bytes.data(), m.bytes.size());
      std::vector<uint8_t> x_copy(cols.stride + 3);
      const int64_t splits[][2] = {{0, 5}, {5, 20}, {20, 21}, {21, 37}};
      for (int64_t c = 0; c < n_cols; ++c) {
        std::memcpy(x_copy.data() + 3, cols.prepared.data() + c * cols.stride, cols.stride);
        std::vector<float> y(rows + 1, 0.0f);
        MatMulArgs a;
        a.type = type;
        a.w = w_copy.data() + 1;
        a.w_row_bytes = m.row_bytes;
        a.n = n;
        a.x = x_copy.data() + 3;
        a.x_stride = cols.stride;
        a.n_cols = 1;
        a.y = y.data() + 1;  // misaligned output too
        a.y_stride = rows;
        for (const auto& s : splits) MatMul(isa, a, s[0], s[1]);
        for (int64_t r = 0; r < rows; ++r) {
          ASSERT_EQ(Bits(y[1 + r]), Bits(all[c * rows + r]))
              << IsaName(isa) << " " << GgmlTypeName(type) << " r=" << r << " c=" << c;
        }
      }
      // A window of columns starting at an odd column, with an odd row range.
      MatMulArgs a;
      a.type = type;
      a.w = m.bytes.data();
      a.w_row_bytes = m.row_bytes;
      a.n = n;
      a.x = cols.prepared.data() + 3 * cols.stride;
      a.x_stride = cols.stride;
      a.n_cols = 13;
      std::vector<float> y(static_cast<size_t>(13 * rows), 0.0f);
      a.y = y.data();
      a.y_stride = rows;
      MatMul(isa, a, 3, 30);
      for (int64_t c = 0; c < 13; ++c) {
        for (int64_t r = 3; r < 30; ++r) {
          ASSERT_EQ(Bits(y[c * rows + r]), Bits(all[(c + 3) * rows + r]))
              << IsaName(isa) << " " << GgmlTypeName(type) << " window r=" << r << " c=" << c;
        }
      }
    }
  }
}

// The AVX-512 kernels form the same exact integer sums and the same float sequence as the
// AVX2 ones, so they agree bit for bit (runs only where both are supported).
TEST(KernelMatMulTest, Avx512MatchesAvx2) {
  std::vector<Isa> simd;
  for (Isa isa : SupportedIsas()) {
    if (isa != Isa::kScalar) simd.push_back(isa);
  }
  for (size_t i = 1; i < simd.size(); ++i) {
    for (GgmlType type : kAllTypes) {
      // Float weights also with a tail past the last 8 values; column counts that take each
      // of the 512-bit float tiles (12, 4 and 1 columns) and the 256-bit ones.
      std::vector<int64_t> sizes = {IsKQuant(type) ? 768 : 224};
      if (IsFloatType(type)) sizes.push_back(229);
      for (int64_t n : sizes) {
        for (int64_t n_cols : {1, 5, 6, 13, 25}) {
          const Matrix m = MakeMatrix(type, 21, n, 900);
          const Columns cols = MakeColumns(simd[0], type, n, n_cols, 901);
          const std::vector<float> a = RunMatMul(simd[0], m, cols);
          const std::vector<float> b = RunMatMul(simd[i], m, cols);
          for (size_t k = 0; k < a.size(); ++k) {
            ASSERT_EQ(Bits(a[k]), Bits(b[k]))
                << GgmlTypeName(type) << " n=" << n << " n_cols=" << n_cols << " " << k;
          }
        }
      }
    }
  }
}

// The tiled layout (TileWeights) holds the same bytes: every row comes back whole, and every
// ISA's product over the tiles is bit-identical to its product over the rows, for any row
// range, column count and row count (a partial last tile included), with the columns that
// make the kernels take their decode, chunked and multi-chunk paths.
TEST(KernelMatMulTest, TiledWeightsGiveTheRowLayoutsBits) {
  for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    for (int64_t rows : {1, 7, 16, 17, 37}) {
      const int64_t n = IsKQuant(type) ? 768 : 96;
      const Matrix m = MakeMatrix(type, rows, n, 600 + static_cast<uint32_t>(rows));
      const size_t tiled_bytes = LayoutBytes(type, WeightLayout::kTiles16, rows, n);
      EXPECT_EQ(tiled_bytes, static_cast<size_t>((rows + 15) / 16 * 16) * m.row_bytes);
      // One byte in, so the kernels cannot rely on alignment.
      std::vector<uint8_t> tiled(tiled_bytes + 1);
      TileWeights(type, WeightLayout::kTiles16, m.bytes.data(), m.row_bytes, rows, n,
                  tiled.data() + 1);
      std::vector<uint8_t> row(m.row_bytes);
      for (int64_t r = 0; r < rows; ++r) {
        UntileRow(type, WeightLayout::kTiles16, tiled.data() + 1, m.row_bytes, n, r, row.data());
        ASSERT_EQ(0, std::memcmp(row.data(), m.bytes.data() + r * m.row_bytes, m.row_bytes))
            << GgmlTypeName(type) << " row " << r;
      }
      for (Isa isa : SupportedIsas()) {
        for (int64_t n_cols : {1, 3, 8, 70}) {
          const Columns cols =
              MakeColumns(isa, type, n, n_cols, 700 + static_cast<uint32_t>(n_cols));
          const std::vector<float> want = RunMatMul(isa, m, cols);
          const int64_t ranges[][2] = {{0, rows}, {rows / 3, rows - rows / 4}, {rows - 1, rows}};
          for (const auto& range : ranges) {
            std::vector<float> y(static_cast<size_t>(n_cols * rows), 0.0f);
            MatMulArgs a;
            a.type = type;
            a.w = tiled.data() + 1;
            a.w_row_bytes = m.row_bytes;
            a.layout = WeightLayout::kTiles16;
            a.n = n;
            a.x = cols.prepared.data();
            a.x_stride = cols.stride;
            a.n_cols = n_cols;
            a.y = y.data();
            a.y_stride = rows;
            MatMul(isa, a, range[0], range[1]);
            for (int64_t c = 0; c < n_cols; ++c) {
              for (int64_t r = 0; r < rows; ++r) {
                const bool inside = r >= range[0] && r < range[1];
                ASSERT_EQ(Bits(y[c * rows + r]), inside ? Bits(want[c * rows + r]) : Bits(0.0f))
                    << IsaName(isa) << " " << GgmlTypeName(type) << " rows=" << rows
                    << " cols=" << n_cols << " range " << range[0] << "-" << range[1] << " r=" << r
                    << " c=" << c;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(PreferredLayout(Isa::kScalar, GgmlType::kQ4_0), WeightLayout::kRows);
  EXPECT_EQ(PreferredLayout(Isa::kAvx2, GgmlType::kQ5_K), WeightLayout::kRows);
  EXPECT_EQ(PreferredLayout(Isa::kAvx512Vnni, GgmlType::kQ6_K), WeightLayout::kTiles16);
  EXPECT_EQ(PreferredLayout(Isa::kAvx2, GgmlType::kQ8_0), WeightLayout::kTiles16);
}

TEST(KernelF16Test, ToF16RoundsLikeFloatToHalf) {
  std::vector<float> x = Gaussian(67, 40, 1000.0f);
  const float specials[] = {0.0f,
                            -0.0f,
                            1.0f,
                            65504.0f,
                            65520.0f,         // ties to even: infinity
                            1e-8f,            // below half's subnormals
                            5.96e-8f,         // the smallest subnormal
                            6.1e-5f,          // the subnormal/normal border
                            1.0f + 0x1p-11f,  // a tie between two halves
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  for (size_t i = 0; i < std::size(specials); ++i) x[3 * i] = specials[i];
  for (Isa isa : SupportedIsas()) {
    for (int64_t n = 0; n <= 67; ++n) {
      std::vector<uint16_t> out(n + 1, 0xdead);
      ToF16(isa, x.data(), out.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_EQ(out[i], FloatToHalf(x[i])) << IsaName(isa) << " n=" << n << " i=" << i;
      }
      EXPECT_EQ(out[n], 0xdead) << "wrote past the end";
    }
  }
}

}  // namespace
}  // namespace docent::llm::kernels
