// The AVX2 (+FMA, F16C) kernels: the bodies in simd_body.inc compiled for AVX2, behind the
// extern entry points the dispatcher calls only after checking the CPU.
//
// Why this file includes so little: it is compiled with -mavx2 -mfma -mf16c (CMakeLists.txt)
// and the rest of the program is not. Any inline function, template or std:: helper this file
// instantiated would be emitted here as a weak (COMDAT) symbol compiled with those flags, and
// the linker may keep this copy for the whole program, so code on the scalar path could then
// execute AVX2 instructions on a CPU without them. So: only <immintrin.h> (whose intrinsics
// are always-inline and never emitted), C headers and internal.h (declarations only), and
// everything but the entry points in an anonymous namespace (internal linkage).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "docent/llm/kernels/internal.h"

#define DOCENT_KERNELS_VNNI 0
#define DOCENT_KERNELS_512 0

namespace docent::llm::kernels::internal {
namespace {
#include "docent/llm/kernels/simd_body.inc"
}  // namespace

bool MatMulAvx2(const Job& job, int64_t row_begin, int64_t row_end) {
  return MatMulSimd(job, row_begin, row_end);
}
void ToF16Avx2(const float* x, uint16_t* out, int64_t n) {
  ToF16Simd(x, out, n);
}

void PrepareQuantisedAvx2(ActivationFormat format, const float* x, int64_t n, uint8_t* out) {
  PrepareSimd(format, x, n, out);
}

}  // namespace docent::llm::kernels::internal
