// The scalar kernels: every computable type, one output at a time, with the arithmetic of the
// reference dot products in matvec.cc (the same integer block sums and the same float
// order), read from the prepared activation layout. They are the fallback on CPUs without
// AVX2 and the baseline the benchmark compares against.
#include <cstring>

#include "docent/llm/half.h"
#include "docent/llm/kernels/internal.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_k.h"

namespace docent::llm::kernels::internal {
namespace {

uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

float LoadF32(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

int32_t LoadI32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// A view of one prepared column (layout in internal.h).
struct Column {
  const int8_t* qs;
  const uint8_t* d;
  const uint8_t* sum;
  const uint8_t* dsum;
  const uint8_t* hsum;

  Column(const uint8_t* x, int64_t n) {
    const int64_t nb = n / kQk8;
    qs = reinterpret_cast<const int8_t*>(x);
    d = x + 32 * nb;
    sum = x + 36 * nb;
    dsum = x + 40 * nb;
    hsum = x + 44 * nb;
  }
  float D(int64_t k) const { return LoadF32(d + 4 * k); }
  int32_t Sum(int64_t k) const { return LoadI32(sum + 4 * k); }
  float DSum(int64_t k) const { return LoadF32(dsum + 4 * k); }
  const int8_t* Q(int64_t k) const { return qs + kQk8 * k; }
};

int LegacyNibble(const uint8_t* qs, int i) {
  return i < 16 ? qs[i] & 0x0f : qs[i - 16] >> 4;
}

// x is the prepared column: f32 values, read through memcpy since the column carries no
// alignment promise.
float DotFloat(uint32_t type, const uint8_t* row, const uint8_t* x, int64_t n) {
  float total = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    float w;
    if (type == kTypeF32) {
      w = LoadF32(row + 4 * i);
    } else if (type == kTypeF16) {
      w = HalfToFloat(LoadU16(row + 2 * i));
    } else {
      w = Bf16ToFloat(LoadU16(row + 2 * i));
    }
    total += w * LoadF32(x + 4 * i);
  }
  return total;
}

// The legacy types: one weight block per activation block.
float DotLegacy(uint32_t type, const uint8_t* row, const Column& x, int64_t n) {
  float total = 0.0f;
  for (int64_t k = 0; k < n / kQk8; ++k) {
    const int8_t* xq = x.Q(k);
    const float dx = x.D(k);
    int32_t isum = 0;
    switch (type) {
      case kTypeQ8_0: {
        const uint8_t* b = row + k * sizeof(BlockQ8_0);
        for (int i = 0; i < 32; ++i) isum += static_cast<int8_t>(b[2 + i]) * xq[i];
        total += HalfToFloat(LoadU16(b)) * dx * static_cast<float>(isum);
        break;
      }
      case kTypeQ4_0: {
        const uint8_t* b = row + k * sizeof(BlockQ4_0);
        for (int i = 0; i < 32; ++i) isum += (LegacyNibble(b + 2, i) - 8) * xq[i];
        total += HalfToFloat(LoadU16(b)) * dx * static_cast<float>(isum);
        break;
      }
      case kTypeQ4_1: {
        const uint8_t* b = row + k * sizeof(BlockQ4_1);
        for (int i = 0; i < 32; ++i) isum += LegacyNibble(b + 4, i) * xq[i];
        total += HalfToFloat(LoadU16(b)) * dx * static_cast<float>(isum) +
                 HalfToFloat(LoadU16(b + 2)) * x.DSum(k);
        break;
      }
      case kTypeQ5_0: {
        const uint8_t* b = row + k * sizeof(BlockQ5_0);
        const uint32_t qh = static_cast<uint32_t>(LoadI32(b + 2));
        for (int i = 0; i < 32; ++i) {
          isum += ((LegacyNibble(b + 6, i) | static_cast<int>((qh >> i) & 1u) << 4) - 16) * xq[i];
        }
        total += HalfToFloat(LoadU16(b)) * dx * static_cast<float>(isum);
        break;
      }
      case kTypeQ5_1: {
        const uint8_t* b = row + k * sizeof(BlockQ5_1);
        const uint32_t qh = static_cast<uint32_t>(LoadI32(b + 4));
        for (int i = 0; i < 32; ++i) {
          isum += (LegacyNibble(b + 8, i) | static_cast<int>((qh >> i) & 1u) << 4) * xq[i];
        }
        total += HalfToFloat(LoadU16(b)) * dx * static_cast<float>(isum) +
                 HalfToFloat(LoadU16(b + 2)) * x.DSum(k);
        break;
      }
      default:
        break;
    }
  }
  return total;
}

float DotQ6K(const uint8_t* row, const Column& x, int64_t n) {
  float total = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const uint8_t* blk = row + b * sizeof(BlockQ6_K);
    const uint8_t* ql = blk;
    const uint8_t* qh = blk + 128;
    const int8_t* scales = reinterpret_cast<const int8_t*>(blk + 192);
    const float d = HalfToFloat(LoadU16(blk + 208));
    for (int t = 0; t < 8; ++t) {
      const int8_t* xq = x.Q(8 * b + t);
      const int h = t / 4;
      const int quarter = t % 4;
      int32_t isum[2] = {0, 0};
      for (int l = 0; l < 32; ++l) {
        const uint8_t low_byte = ql[64 * h + l + (quarter % 2 == 1 ? 32 : 0)];
        const int low = quarter < 2 ? low_byte & 0x0f : low_byte >> 4;
        const int top = (qh[32 * h + l] >> (2 * quarter)) & 3;
        isum[l / 16] += ((low | top << 4) - 32) * xq[l];
      }
      const int s = 8 * h + 2 * quarter;
      total += d * x.D(8 * b + t) *
               (static_cast<float>(scales[s]) * static_cast<float>(isum[0]) +
                static_cast<float>(scales[s + 1]) * static_cast<float>(isum[1]));
    }
  }
  return total;
}

// Q4_K and Q5_K: the same but for the fifth bit.
float DotQ45K(bool five, const uint8_t* row, const Column& x, int64_t n) {
  const size_t block_bytes = five ? sizeof(BlockQ5_K) : sizeof(BlockQ4_K);
  float total = 0.0f;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const uint8_t* blk = row + b * block_bytes;
    const float d = HalfToFloat(LoadU16(blk));
    const float dmin = HalfToFloat(LoadU16(blk + 2));
    uint8_t sc[8];
    uint8_t m[8];
    UnpackKScales(blk + 4, sc, m);
    const uint8_t* qh = blk + 16;
    const uint8_t* qs = five ? blk + 48 : blk + 16;
    for (int j = 0; j < 8; ++j) {
      const int8_t* xq = x.Q(8 * b + j);
      const uint8_t* bytes = qs + 32 * (j / 2);
      int32_t isum = 0;
      for (int l = 0; l < 32; ++l) {
        int q = j % 2 == 1 ? bytes[l] >> 4 : bytes[l] & 0x0f;
        if (five) q |= ((qh[l] >> j) & 1) << 4;
        isum += q * xq[l];
      }
      total +=
          x.D(8 * b + j) * (d * static_cast<float>(sc[j]) * static_cast<float>(isum) -
                            dmin * static_cast<float>(m[j]) * static_cast<float>(x.Sum(8 * b + j)));
    }
  }
  return total;
}

float DotOne(uint32_t type, const uint8_t* row, const uint8_t* x, int64_t n) {
  switch (type) {
    case kTypeF32:
    case kTypeF16:
    case kTypeBF16:
      return DotFloat(type, row, x, n);
    case kTypeQ6_K:
      return DotQ6K(row, Column(x, n), n);
    case kTypeQ4_K:
      return DotQ45K(false, row, Column(x, n), n);
    case kTypeQ5_K:
      return DotQ45K(true, row, Column(x, n), n);
    default:
      return DotLegacy(type, row, Column(x, n), n);
  }
}

bool Known(uint32_t type) {
  switch (type) {
    case kTypeF32:
    case kTypeF16:
    case kTypeBF16:
    case kTypeQ8_0:
    case kTypeQ4_0:
    case kTypeQ4_1:
    case kTypeQ5_0:
    case kTypeQ5_1:
    case kTypeQ4_K:
    case kTypeQ5_K:
    case kTypeQ6_K:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool MatMulScalar(const Job& job, int64_t row_begin, int64_t row_end) {
  if (!Known(job.type)) return false;
  for (int64_t c = 0; c < job.n_cols; ++c) {
    const uint8_t* x = job.x + c * job.x_stride;
    for (int64_t r = row_begin; r < row_end; ++r) {
      job.y[c * job.y_stride + r] = DotOne(job.type, job.w + r * job.w_row_bytes, x, job.n);
    }
  }
  return true;
}

void ToF16Scalar(const float* x, uint16_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = FloatToHalf(x[i]);
}

}  // namespace docent::llm::kernels::internal
