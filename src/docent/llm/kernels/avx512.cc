// The AVX-512 VNNI kernels: the bodies in simd_body.inc compiled with AVX-512 F/BW/VL/DQ/VNNI,
// behind the extern entry points the dispatcher calls only after checking the CPU. vpdpbusd
// replaces vpmaddubsw + vpmaddwd with the same exact sums; weights tiled at load (Q4_0, Q8_0,
// Q4_K, Q6_K) take 16-row tiles in 512-bit vectors, the rest stay 256-bit (AVX512VL), and the
// 32 vector registers hold a tile's weights without spills.
//
// Why this file includes so little: it is compiled with -mavx512f/bw/vl/dq/vnni (and AVX2,
// FMA, F16C; see CMakeLists.txt) and the rest of the program is not. Any inline function,
// template or std:: helper instantiated here would be emitted as a weak (COMDAT) symbol built
// with those flags, and the linker may keep this copy for the whole program, so the scalar
// path could then execute AVX-512 instructions on a CPU without them. So: only <immintrin.h>
// (always-inline intrinsics, never emitted), C headers and internal.h (declarations only),
// and everything but the entry points in an anonymous namespace (internal linkage).
// GCC 12's AVX-512 intrinsics fill their unused pass-through operands with
// _mm512_undefined_*(), a deliberate self-initialisation that -Wmaybe-uninitialized reports
// once the intrinsics are inlined (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "docent/llm/kernels/internal.h"

#define DOCENT_KERNELS_VNNI 1
#define DOCENT_KERNELS_512 1
#define DOCENT_DPBUSD256 _mm256_dpbusd_epi32

namespace docent::llm::kernels::internal {
namespace {
#include "docent/llm/kernels/simd_body.inc"
}  // namespace

bool MatMulAvx512(const Job& job, int64_t row_begin, int64_t row_end) {
  return MatMulSimd(job, row_begin, row_end);
}
void ToF16Avx512(const float* x, uint16_t* out, int64_t n) {
  ToF16Simd(x, out, n);
}

void PrepareQuantisedAvx512(ActivationFormat format, const float* x, int64_t n, uint8_t* out) {
  PrepareSimd(format, x, n, out);
}

}  // namespace docent::llm::kernels::internal
