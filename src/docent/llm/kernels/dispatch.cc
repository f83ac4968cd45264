// Run-time choice of the kernel ISA and the public entry points of kernels.h, which forward
// to the scalar, AVX2, AVX-VNNI or AVX-512 VNNI implementation.
//
// A requested ISA the CPU lacks is never run: it is lowered to the best one below it, and a
// type an ISA does not implement falls through to the next one down, ending at scalar.
#include <cpuid.h>
#include <immintrin.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "docent/llm/half.h"
#include "docent/llm/kernels/internal.h"
#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

// F16C from CPUID leaf 1 (ECX bit 29): clang 14's __builtin_cpu_supports has no "f16c". The
// OS's saving of the YMM state is covered by the "avx2" check, which tests XGETBV.
bool CpuHasF16c() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && ((ecx >> 29) & 1u) != 0;
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && CpuHasF16c();
}

bool CpuHasAvx512Vnni() {
  __builtin_cpu_init();
  // avx512.cc is compiled with -mavx512dq too (and AVX2/FMA/F16C), so it needs them all.
  // libgcc reports avx512* only when the OS saves the ZMM state (XGETBV).
  return CpuHasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vnni");
}

// AVX-VNNI: CPUID leaf 7, sub-leaf 1, EAX bit 4 (clang 14's __builtin_cpu_supports lacks it);
// its instructions are VEX-encoded 256-bit, so the OS's YMM state is the AVX2 check's.
bool CpuHasAvxVnni() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  return CpuHasAvx2() && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && ((eax >> 4) & 1u) != 0;
}

Isa Lower(Isa isa) {
  switch (isa) {
    case Isa::kAvx512Vnni:
      return Isa::kAvxVnni;
    case Isa::kAvxVnni:
      return Isa::kAvx2;
    default:
      return Isa::kScalar;
  }
}

// The requested ISA, or the best supported one below it.
Isa Runnable(Isa isa) {
  while (isa != Isa::kScalar && !IsaSupported(isa)) isa = Lower(isa);
  return isa;
}

internal::Job ToJob(const MatMulArgs& a) {
  return internal::Job{static_cast<uint32_t>(a.type),
                       a.w,
                       a.w_row_bytes,
                       a.layout == WeightLayout::kTiles16 ? uint32_t{kTileRows} : 0u,
                       a.n,
                       a.x,
                       a.x_stride,
                       a.n_cols,
                       a.y,
                       a.y_stride};
}

bool IsQuantised(GgmlType type) {
  switch (type) {
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0:
    case GgmlType::kQ4_1:
    case GgmlType::kQ5_0:
    case GgmlType::kQ5_1:
    case GgmlType::kQ4_K:
    case GgmlType::kQ5_K:
    case GgmlType::kQ6_K:
      return true;
    default:
      return false;
  }
}

// The activation format llama.cpp pairs with each quantised type (internal.h).
internal::ActivationFormat FormatFor(GgmlType type) {
  switch (type) {
    case GgmlType::kQ4_1:
    case GgmlType::kQ5_1:
      return internal::kActQ8_1;
    case GgmlType::kQ4_K:
    case GgmlType::kQ5_K:
    case GgmlType::kQ6_K:
      return internal::kActQ8_K;
    default:
      return internal::kActQ8_0;
  }
}

// x rounded to F16 and widened back through F16C, eight at a time: the same bits as ToF16 then
// HalfToFloat (both round to nearest even).
__attribute__((target("avx2,f16c"))) void RoundTripF16C(const float* x, int64_t n, uint8_t* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h =
        _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm256_storeu_ps(reinterpret_cast<float*>(out) + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) {
    const float f = HalfToFloat(FloatToHalf(x[i]));
    std::memcpy(out + i * sizeof(float), &f, sizeof(float));
  }
}

// x rounded to F16 (or BF16) and widened back, in the f32 layout so the float kernels read
// every float type alike; out need not be float-aligned.
void PrepareHalf(Isa isa, bool bf16, const float* x, int64_t n, uint8_t* out) {
  if (!bf16 && isa != Isa::kScalar) return RoundTripF16C(x, n, out);
  constexpr int64_t kChunk = 256;
  uint16_t h[kChunk];
  float f[kChunk];
  for (int64_t i = 0; i < n; i += kChunk) {
    const int64_t m = std::min(kChunk, n - i);
    if (bf16) {
      for (int64_t j = 0; j < m; ++j) f[j] = Bf16ToFloat(FloatToBf16(x[i + j]));
    } else {
      ToF16(isa, x + i, h, m);
      for (int64_t j = 0; j < m; ++j) f[j] = HalfToFloat(h[j]);
    }
    std::memcpy(out + i * sizeof(float), f, static_cast<size_t>(m) * sizeof(float));
  }
}

// The scalar kernels read rows: a tiled matrix goes through them one row at a time, each row
// put back in its GGUF layout first (only where a tiled matrix meets the scalar level, as in
// tests; a model is tiled only for a SIMD level).
void MatMulUntiled(const MatMulArgs& args, int64_t row_begin, int64_t row_end) {
  std::vector<uint8_t> row(args.w_row_bytes);
  for (int64_t r = row_begin; r < row_end; ++r) {
    UntileRow(args.type, args.layout, args.w, args.w_row_bytes, args.n, r, row.data());
    const internal::Job job{static_cast<uint32_t>(args.type),
                            row.data(),
                            args.w_row_bytes,
                            0u,
                            args.n,
                            args.x,
                            args.x_stride,
                            args.n_cols,
                            args.y + r,
                            args.y_stride};
    const bool done = internal::MatMulScalar(job, 0, 1);
    assert(done && "MatMul of a type docent cannot compute");
    (void)done;
  }
}

}  // namespace

bool IsaSupported(Isa isa) {
  static const bool avx2 = CpuHasAvx2();
  static const bool avx_vnni = CpuHasAvxVnni();
  static const bool avx512 = CpuHasAvx512Vnni();
  switch (isa) {
    case Isa::kScalar:
      return true;
    case Isa::kAvx2:
      return avx2;
    case Isa::kAvxVnni:
      return avx_vnni;
    case Isa::kAvx512Vnni:
      return avx512;
  }
  return false;
}

Isa BestIsa() {
  Isa cap = Isa::kAvx512Vnni;
  // Read on every call (cheap next to any kernel) so a test can change it.
  if (const char* env = std::getenv("DOCENT_KERNELS")) {
    const std::string_view v(env);
    if (v == "scalar") cap = Isa::kScalar;
    if (v == "avx2") cap = Isa::kAvx2;
    if (v == "avxvnni") cap = Isa::kAvxVnni;
  }
  return Runnable(cap);
}

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvxVnni:
      return "avxvnni";
    case Isa::kAvx512Vnni:
      return "avx512";
  }
  return "unknown";
}

size_t ActivationBytes(GgmlType weight_type, int64_t n) {
  assert(n >= 0);
  if (IsQuantised(weight_type)) {
    assert(n % internal::kQk8 == 0);
    return static_cast<size_t>(n / internal::kQk8) * internal::kPreparedBlockBytes;
  }
  return static_cast<size_t>(n) * sizeof(float);
}

void PrepareActivations(Isa isa, GgmlType weight_type, const float* x, int64_t n, uint8_t* out) {
  if (IsQuantised(weight_type)) {
    assert(n % internal::kQk8 == 0);
    const internal::ActivationFormat format = FormatFor(weight_type);
    switch (Runnable(isa)) {
      case Isa::kAvx512Vnni:
        return internal::PrepareQuantisedAvx512(format, x, n, out);
      case Isa::kAvxVnni:
        return internal::PrepareQuantisedAvxVnni(format, x, n, out);
      case Isa::kAvx2:
        return internal::PrepareQuantisedAvx2(format, x, n, out);
      case Isa::kScalar:
        break;
    }
    internal::PrepareQuantised(format, x, n, out);
  } else if (weight_type == GgmlType::kF16 || weight_type == GgmlType::kBF16) {
    PrepareHalf(isa, weight_type == GgmlType::kBF16, x, n, out);
  } else {
    std::memcpy(out, x, static_cast<size_t>(n) * sizeof(float));
  }
}

void MatMul(Isa isa, const MatMulArgs& args, int64_t row_begin, int64_t row_end) {
  assert(row_begin >= 0 && row_begin <= row_end);
  if (row_begin >= row_end || args.n_cols <= 0) return;
  const internal::Job job = ToJob(args);
  switch (Runnable(isa)) {
    case Isa::kAvx512Vnni:
      if (internal::MatMulAvx512(job, row_begin, row_end)) return;
      [[fallthrough]];
    case Isa::kAvxVnni:
      if (internal::MatMulAvxVnni(job, row_begin, row_end)) return;
      [[fallthrough]];
    case Isa::kAvx2:
      if (internal::MatMulAvx2(job, row_begin, row_end)) return;
      [[fallthrough]];
    case Isa::kScalar:
      break;
  }
  if (args.layout != WeightLayout::kRows) return MatMulUntiled(args, row_begin, row_end);
  const bool done = internal::MatMulScalar(job, row_begin, row_end);
  assert(done && "MatMul of a type docent cannot compute");
  (void)done;
}

void ToF16(Isa isa, const float* x, uint16_t* out, int64_t n) {
  switch (Runnable(isa)) {
    case Isa::kAvx512Vnni:
      return internal::ToF16Avx512(x, out, n);
    case Isa::kAvxVnni:
      return internal::ToF16AvxVnni(x, out, n);
    case Isa::kAvx2:
      return internal::ToF16Avx2(x, out, n);
    case Isa::kScalar:
      break;
  }
  internal::ToF16Scalar(x, out, n);
}

}  // namespace docent::llm::kernels
