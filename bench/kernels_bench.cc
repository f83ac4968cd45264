// Single-thread speed of the matrix-product kernels on the model shapes that matter (Qwen2.5
// 0.5B/1.5B projections and output head), for every ISA this CPU runs: decode (one column)
// as weight bytes streamed per second, and eight streams' decode step (8 columns) and prompts
// (64 columns) as integer or float ops per second (2 per multiply-add), each the median of at least
// 5 timed runs (thread CPU time), beside the scalar kernel measured in the same run.
//
// The prompt case of the scalar kernel on the largest shapes computes a slice of the rows
// (it is compute-bound, so the rate is the same) to keep the run short. The weights are in the
// layout a model loaded for that ISA uses (kernels::PreferredLayout: Q4_0 and Q8_0 tiled).
//
// Each quantised prompt figure is also given as a share of the core's int8 peak for its ISA,
// measured first in the same run: independent chains (12 on ymm, 16 on zmm) of the ISA's
// widest 8-bit multiply-add, 2 ops per multiply-add (AVX2: vpmaddubsw on ymm, 32 products per instruction,
// its int16 sums not widened, so a bound no real kernel reaches; AVX-VNNI: vpdpbusd on ymm,
// 32; AVX-512 VNNI: vpdpbusd on zmm, 64).
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/ggml_types.h"
#include "docent/llm/kernels/kernels.h"
#include "docent/llm/quantize.h"

namespace {

using docent::llm::GgmlType;
using docent::llm::kernels::Isa;
namespace k = docent::llm::kernels;

struct Shape {
  int64_t rows;
  int64_t n;
};

// This thread's CPU seconds: the rates are per core-second, so other work sharing the
// machine (builds, other benchmarks) slows the wall clock but not the numbers.
double Now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Median seconds of one call of `fn`, over >= 5 samples of >= 20 ms each.
template <typename Fn>
double MedianSeconds(Fn&& fn) {
  fn();  // warm up (page faults, caches)
  const double t0 = Now();
  fn();
  const double once = std::max(1e-7, Now() - t0);
  const int reps = std::max(1, static_cast<int>(0.02 / once));
  std::vector<double> samples;
  for (int s = 0; s < 5; ++s) {
    const double start = Now();
    for (int r = 0; r < reps; ++r) fn();
    samples.push_back((Now() - start) / reps);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// The int8 peak of one core (GOP/s) for `isa`, as the header says; 0 for scalar. Each
// function runs the 16 chains kPeakIters times (no vector arguments or results: they are
// compiled for their ISA alone).
constexpr int kPeakIters = 1 << 14;
volatile int g_sink;

// ymm code has 16 registers: 12 chains leave room for the operands (16 would spill).
constexpr int kYmmChains = 12;
constexpr int kZmmChains = 16;

__attribute__((target("avx2"))) void ChainsAvx2() {
  __m256i acc[kYmmChains];
  for (int i = 0; i < kYmmChains; ++i) acc[i] = _mm256_set1_epi16(static_cast<short>(i));
  const __m256i a = _mm256_set1_epi8(3);
  const __m256i b = _mm256_set1_epi8(static_cast<char>(g_sink));
  for (int it = 0; it < kPeakIters; ++it) {
    for (int i = 0; i < kYmmChains; ++i) {
      acc[i] = _mm256_add_epi16(acc[i], _mm256_maddubs_epi16(a, b));
    }
  }
  for (int i = 1; i < kYmmChains; ++i) acc[0] = _mm256_add_epi16(acc[0], acc[i]);
  g_sink = _mm256_extract_epi16(acc[0], 0);
}

__attribute__((target("avx2,avxvnni"))) void ChainsAvxVnni() {
  __m256i acc[kYmmChains];
  for (int i = 0; i < kYmmChains; ++i) acc[i] = _mm256_set1_epi32(i);
  const __m256i a = _mm256_set1_epi8(3);
  const __m256i b = _mm256_set1_epi8(static_cast<char>(g_sink));
  for (int it = 0; it < kPeakIters; ++it) {
    for (int i = 0; i < kYmmChains; ++i) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
  }
  for (int i = 1; i < kYmmChains; ++i) acc[0] = _mm256_add_epi32(acc[0], acc[i]);
  g_sink = _mm256_extract_epi32(acc[0], 0);
}

__attribute__((target("avx512f,avx512vnni"))) void ChainsAvx512() {
  __m512i acc[kZmmChains];
  for (int i = 0; i < kZmmChains; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3);
  const __m512i b = _mm512_set1_epi8(static_cast<char>(g_sink));
  for (int it = 0; it < kPeakIters; ++it) {
    for (int i = 0; i < kZmmChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  for (int i = 1; i < kZmmChains; ++i) acc[0] = _mm512_add_epi32(acc[0], acc[i]);
  alignas(64) int lanes[16];
  _mm512_store_si512(lanes, acc[0]);
  g_sink = lanes[0];
}

double Int8Peak(Isa isa) {
  void (*chains)() = isa == Isa::kAvx2      ? ChainsAvx2
                     : isa == Isa::kAvxVnni ? ChainsAvxVnni
                     : isa == Isa::kAvx512Vnni ? ChainsAvx512
                                             : nullptr;
  if (chains == nullptr) return 0;
  const double products = isa == Isa::kAvx512Vnni ? 64 : 32;
  const double chains_n = isa == Isa::kAvx512Vnni ? kZmmChains : kYmmChains;
  const double t = MedianSeconds([&] { chains(); });
  return 2.0 * products * chains_n * kPeakIters / t / 1e9;
}

std::vector<double> g_peaks;  // per Isa value, GOP/s

std::vector<uint8_t> MakeWeights(GgmlType type, const Shape& s, size_t* row_bytes) {
  *row_bytes = *docent::llm::RowBytes(type, static_cast<uint64_t>(s.n));
  // 64 distinct random rows, repeated: the kernels' speed does not depend on the values.
  const int64_t distinct = std::min<int64_t>(64, s.rows);
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<uint8_t> w(*row_bytes * s.rows);
  std::vector<float> row(s.n);
  for (int64_t r = 0; r < distinct; ++r) {
    for (float& v : row) v = dist(rng);
    (void)docent::llm::QuantizeRow(type, row,
                                   std::span<uint8_t>(w.data() + r * *row_bytes, *row_bytes));
  }
  for (int64_t r = distinct; r < s.rows; ++r) {
    std::copy_n(w.data() + (r % distinct) * *row_bytes, *row_bytes, w.data() + r * *row_bytes);
  }
  return w;
}

void Bench(GgmlType type, const Shape& s, const std::vector<Isa>& isas) {
  size_t row_bytes = 0;
  const std::vector<uint8_t> w = MakeWeights(type, s, &row_bytes);
  const int64_t kCols = 64;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(s.n);
  const size_t stride = k::ActivationBytes(type, s.n);
  std::vector<float> y(static_cast<size_t>(s.rows * kCols));

  double base_gbs = 0;
  double base_gops = 0;
  for (Isa isa : isas) {
    std::vector<uint8_t> xp(stride * kCols);
    for (int64_t c = 0; c < kCols; ++c) {
      for (float& v : x) v = dist(rng);
      k::PrepareActivations(isa, type, x.data(), s.n, xp.data() + c * stride);
    }
    const k::WeightLayout layout = k::PreferredLayout(isa, type);
    std::vector<uint8_t> tiled(k::LayoutBytes(type, layout, s.rows, s.n));
    k::TileWeights(type, layout, w.data(), row_bytes, s.rows, s.n, tiled.data());
    k::MatMulArgs a;
    a.type = type;
    a.w = tiled.data();
    a.w_row_bytes = row_bytes;
    a.layout = layout;
    a.n = s.n;
    a.x = xp.data();
    a.x_stride = stride;
    a.y = y.data();
    a.y_stride = s.rows;

    a.n_cols = 1;
    const double t1 = MedianSeconds([&] { k::MatMul(isa, a, 0, s.rows); });
    const double gbs = static_cast<double>(w.size()) / t1 / 1e9;

    // Eight columns: a decode step of eight streams.
    a.n_cols = 8;
    const double t8 = MedianSeconds([&] { k::MatMul(isa, a, 0, s.rows); });
    const double gops8 = 2.0 * static_cast<double>(s.rows) * s.n * 8 / t8 / 1e9;

    a.n_cols = kCols;
    int64_t rows = s.rows;
    if (isa == Isa::kScalar) rows = std::min<int64_t>(rows, 1024);
    const double t64 = MedianSeconds([&] { k::MatMul(isa, a, 0, rows); });
    const double gops = 2.0 * static_cast<double>(rows) * s.n * kCols / t64 / 1e9;
    if (isa == Isa::kScalar) {
      base_gbs = gbs;
      base_gops = gops;
    }
    const double peak = g_peaks[static_cast<size_t>(isa)];
    char share[32] = "";
    if (peak > 0 && type != GgmlType::kF16) {
      std::snprintf(share, sizeof share, ", %3.0f%% of peak", 100.0 * gops / peak);
    }
    std::printf(
        "%-5s %7lldx%-5lld %-7s  n_cols=1 %7.2f GB/s (x%5.1f)   n_cols=8 %7.1f GOP/s   "
        "n_cols=64 %8.1f GOP/s (x%5.1f%s)\n",
        std::string(docent::llm::GgmlTypeName(type)).c_str(), static_cast<long long>(s.rows),
        static_cast<long long>(s.n), std::string(k::IsaName(isa)).c_str(), gbs,
        base_gbs > 0 ? gbs / base_gbs : 0.0, gops8, gops, base_gops > 0 ? gops / base_gops : 0.0,
        share);
    std::fflush(stdout);
  }
}

}  // namespace

// An optional argument limits the run to one type (e.g. `kernels_bench Q4_0`).
int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  const auto wanted = [&](GgmlType t) {
    return only.empty() || only == docent::llm::GgmlTypeName(t);
  };
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
    if (k::IsaSupported(isa)) isas.push_back(isa);
  }
  std::printf("kernels_bench: one thread, shapes rows x n, medians of 5 runs\n");
  g_peaks.assign(4, 0.0);
  for (Isa isa : isas) {
    g_peaks[static_cast<size_t>(isa)] = Int8Peak(isa);
    if (isa != Isa::kScalar) {
      std::printf("int8 peak %-7s %8.1f GOP/s (independent chains of %s)\n",
                  std::string(k::IsaName(isa)).c_str(), g_peaks[static_cast<size_t>(isa)],
                  isa == Isa::kAvx2      ? "vpmaddubsw ymm, 12 chains, 32 products each"
                  : isa == Isa::kAvxVnni ? "vpdpbusd ymm, 12 chains, 32 products each"
                                         : "vpdpbusd zmm, 16 chains, 64 products each");
    }
  }
  {  // Activation preparation (quantising a column), per ISA.
    const int64_t n = 4864;
    std::vector<float> x(n);
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (float& v : x) v = dist(rng);
    std::vector<uint8_t> out(k::ActivationBytes(GgmlType::kQ4_0, n));
    for (Isa isa : isas) {
      const double t = MedianSeconds(
          [&] { k::PrepareActivations(isa, GgmlType::kQ4_0, x.data(), n, out.data()); });
      std::printf("prepare n=%lld %-7s %8.1f M values/s\n", static_cast<long long>(n),
                  std::string(k::IsaName(isa)).c_str(), static_cast<double>(n) / t / 1e6);
    }
  }
  const Shape legacy[] = {{896, 896}, {4864, 896}, {896, 4864}, {151936, 896}};
  const Shape kquant[] = {{1536, 1536}, {8960, 1536}, {1536, 8960}, {151936, 1536}};
  for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0}) {
    if (!wanted(type)) continue;
    for (const Shape& s : legacy) Bench(type, s, isas);
  }
  for (GgmlType type : {GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    if (!wanted(type)) continue;
    for (const Shape& s : kquant) Bench(type, s, isas);
  }
  if (wanted(GgmlType::kF16)) {
    for (const Shape& s : {Shape{4864, 896}, Shape{151936, 896}}) Bench(GgmlType::kF16, s, isas);
  }
  return 0;
}
