// The AVX-VNNI kernels: the bodies in simd_body.inc compiled for AVX2 plus AVX-VNNI, the
// VEX-encoded 256-bit vpdpbusd of CPUs that lack AVX-512 or run it slowly (Intel's Alder Lake
// and later cores; also Zen 5 and Sapphire Rapids, which have both). vpdpbusd replaces
// vpmaddubsw + vpmaddwd with the same exact sums, so the results are the AVX2 kernels' bits.
// Behind the extern entry points the dispatcher calls only after checking the CPU.
//
// Why this file includes so little: see avx2.cc (it is compiled with -mavxvnni -mavx2 -mfma
// -mf16c, and nothing it instantiates may leak into code that runs on other CPUs).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "docent/llm/kernels/internal.h"

#define DOCENT_KERNELS_VNNI 1
#define DOCENT_KERNELS_512 0
#define DOCENT_DPBUSD256 _mm256_dpbusd_avx_epi32

namespace docent::llm::kernels::internal {
namespace {
#include "docent/llm/kernels/simd_body.inc"
}  // namespace

bool MatMulAvxVnni(const Job& job, int64_t row_begin, int64_t row_end) {
  return MatMulSimd(job, row_begin, row_end);
}
void ToF16AvxVnni(const float* x, uint16_t* out, int64_t n) {
  ToF16Simd(x, out, n);
}

void PrepareQuantisedAvxVnni(ActivationFormat format, const float* x, int64_t n, uint8_t* out) {
  PrepareSimd(format, x, n, out);
}

}  // namespace docent::llm::kernels::internal
