// Reference dot products: decode-then-multiply for f32 activations, integer block sums for
// Q8_0 activations. See matvec.h for the contract and quant_blocks.h for the layouts.
#include "docent/llm/matvec.h"

#include <cstring>
#include <string>

#include "docent/llm/checked_math.h"
#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_k.h"
#include "docent/llm/quant_legacy.h"
#include "docent/llm/quant_util.h"

namespace docent::llm {
namespace {

using internal::LoadBlock;
using DecodeFn = void (*)(const uint8_t*, float*, int64_t);

DecodeFn DecoderFor(GgmlType type) {
  switch (type) {
    case GgmlType::kQ8_0:
      return DequantizeRowQ8_0;
    case GgmlType::kQ4_0:
      return DequantizeRowQ4_0;
    case GgmlType::kQ4_1:
      return DequantizeRowQ4_1;
    case GgmlType::kQ5_0:
      return DequantizeRowQ5_0;
    case GgmlType::kQ5_1:
      return DequantizeRowQ5_1;
    case GgmlType::kQ4_K:
      return DequantizeRowQ4_K;
    case GgmlType::kQ5_K:
      return DequantizeRowQ5_K;
    case GgmlType::kQ6_K:
      return DequantizeRowQ6_K;
    default:
      return nullptr;
  }
}

bool IsQuantised(GgmlType type) {
  return DecoderFor(type) != nullptr;
}

Status CheckRowSize(GgmlType type, std::span<const uint8_t> row, uint64_t n) {
  DOCENT_RETURN_IF_ERROR(CheckComputable(type));
  auto want = RowBytes(type, n);
  if (!want.ok()) return InvalidArgument(want.status().message());
  if (*want != row.size()) {
    return InvalidArgument("a " + std::string(GgmlTypeName(type)) + " row of " + std::to_string(n) +
                           " elements is " + std::to_string(*want) + " bytes, not " +
                           std::to_string(row.size()));
  }
  return Status::Ok();
}

uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

float DotF32Unchecked(GgmlType type, const uint8_t* row, const float* x, int64_t n) {
  float total = 0.0f;
  switch (type) {
    case GgmlType::kF32:
      for (int64_t i = 0; i < n; ++i) {
        float w;
        std::memcpy(&w, row + 4 * i, sizeof(w));
        total += w * x[i];
      }
      return total;
    case GgmlType::kF16:
      for (int64_t i = 0; i < n; ++i) total += HalfToFloat(LoadU16(row + 2 * i)) * x[i];
      return total;
    case GgmlType::kBF16:
      for (int64_t i = 0; i < n; ++i) total += Bf16ToFloat(LoadU16(row + 2 * i)) * x[i];
      return total;
    default:
      break;
  }
  const DecodeFn decode = DecoderFor(type);
  const GgmlTypeTraits& t = TraitsOf(type);
  float w[kQkK];
  for (int64_t b = 0; b < n / t.block_size; ++b) {
    decode(row + b * t.type_size, w, t.block_size);
    float block_sum = 0.0f;
    for (uint32_t i = 0; i < t.block_size; ++i) block_sum += w[i] * x[b * t.block_size + i];
    total += block_sum;
  }
  return total;
}

// The integer levels of element i of a 32-value legacy block, before the scale (and, for the
// _1 types, before the min).
int LegacyNibble(const uint8_t* qs, int i) {
  return i < kQk / 2 ? qs[i] & 0x0f : qs[i - kQk / 2] >> 4;
}

uint32_t LoadQh(const uint8_t (&qh)[4]) {
  uint32_t v;
  std::memcpy(&v, qh, sizeof(v));  // little-endian host, as the parser asserts
  return v;
}

// sum over 32-value activation blocks; `xb` is activation block k (covering elements
// 32k..32k+31 of the row).
float DotQ8_0Unchecked(GgmlType type, const uint8_t* row, const uint8_t* xq, int64_t n) {
  float total = 0.0f;
  const auto xblock = [&](int64_t k) { return LoadBlock<BlockQ8_0>(xq, k); };
  switch (type) {
    case GgmlType::kQ8_0:
      for (int64_t k = 0; k < n / kQk; ++k) {
        const auto w = LoadBlock<BlockQ8_0>(row, k);
        const auto x = xblock(k);
        int32_t isum = 0;
        for (int i = 0; i < kQk; ++i) isum += w.qs[i] * x.qs[i];
        total += HalfToFloat(w.d) * HalfToFloat(x.d) * static_cast<float>(isum);
      }
      return total;
    case GgmlType::kQ4_0:
      for (int64_t k = 0; k < n / kQk; ++k) {
        const auto w = LoadBlock<BlockQ4_0>(row, k);
        const auto x = xblock(k);
        int32_t isum = 0;
        for (int i = 0; i < kQk; ++i) isum += (LegacyNibble(w.qs, i) - 8) * x.qs[i];
        total += HalfToFloat(w.d) * HalfToFloat(x.d) * static_cast<float>(isum);
      }
      return total;
    case GgmlType::kQ4_1:
      for (int64_t k = 0; k < n / kQk; ++k) {
        const auto w = LoadBlock<BlockQ4_1>(row, k);
        const auto x = xblock(k);
        int32_t isum = 0;
        int32_t xsum = 0;
        for (int i = 0; i < kQk; ++i) {
          isum += LegacyNibble(w.qs, i) * x.qs[i];
          xsum += x.qs[i];
        }
        const float dx = HalfToFloat(x.d);
        total += HalfToFloat(w.d) * dx * static_cast<float>(isum) +
                 HalfToFloat(w.m) * dx * static_cast<float>(xsum);
      }
      return total;
    case GgmlType::kQ5_0:
      for (int64_t k = 0; k < n / kQk; ++k) {
        const auto w = LoadBlock<BlockQ5_0>(row, k);
        const auto x = xblock(k);
        const uint32_t qh = LoadQh(w.qh);
        int32_t isum = 0;
        for (int i = 0; i < kQk; ++i) {
          const int q = LegacyNibble(w.qs, i) | static_cast<int>((qh >> i) & 1u) << 4;
          isum += (q - 16) * x.qs[i];
        }
        total += HalfToFloat(w.d) * HalfToFloat(x.d) * static_cast<float>(isum);
      }
      return total;
    case GgmlType::kQ5_1:
      for (int64_t k = 0; k < n / kQk; ++k) {
        const auto w = LoadBlock<BlockQ5_1>(row, k);
        const auto x = xblock(k);
        const uint32_t qh = LoadQh(w.qh);
        int32_t isum = 0;
        int32_t xsum = 0;
        for (int i = 0; i < kQk; ++i) {
          isum += (LegacyNibble(w.qs, i) | static_cast<int>((qh >> i) & 1u) << 4) * x.qs[i];
          xsum += x.qs[i];
        }
        const float dx = HalfToFloat(x.d);
        total += HalfToFloat(w.d) * dx * static_cast<float>(isum) +
                 HalfToFloat(w.m) * dx * static_cast<float>(xsum);
      }
      return total;
    default:
      break;
  }

  // K-quants: super-block b spans activation blocks 8b..8b+7.
  for (int64_t b = 0; b < n / kQkK; ++b) {
    if (type == GgmlType::kQ6_K) {
      const auto w = LoadBlock<BlockQ6_K>(row, b);
      const float d = HalfToFloat(w.d);
      for (int t = 0; t < 8; ++t) {  // elements 32t..32t+31: half t / 4, quarter t % 4
        const auto x = xblock(8 * b + t);
        const int h = t / 4;
        const int quarter = t % 4;
        int32_t isum[2] = {0, 0};  // the two 16-value sub-blocks of this slice
        for (int l = 0; l < 32; ++l) {
          const uint8_t ql = w.ql[64 * h + l + (quarter % 2 == 1 ? 32 : 0)];
          const int low = quarter < 2 ? ql & 0x0f : ql >> 4;
          const int top = (w.qh[32 * h + l] >> (2 * quarter)) & 3;
          isum[l / 16] += ((low | top << 4) - 32) * x.qs[l];
        }
        const int s = 8 * h + 2 * quarter;
        total += d * HalfToFloat(x.d) *
                 (static_cast<float>(w.scales[s]) * static_cast<float>(isum[0]) +
                  static_cast<float>(w.scales[s + 1]) * static_cast<float>(isum[1]));
      }
      continue;
    }
    // Q4_K and Q5_K share everything but the fifth bit.
    const bool five = type == GgmlType::kQ5_K;
    BlockQ5_K w5{};
    uint16_t d_bits = 0;
    uint16_t dmin_bits = 0;
    const uint8_t* scales = nullptr;
    const uint8_t* qs = nullptr;
    BlockQ4_K w4{};
    if (five) {
      w5 = LoadBlock<BlockQ5_K>(row, b);
      d_bits = w5.d;
      dmin_bits = w5.dmin;
      scales = w5.scales;
      qs = w5.qs;
    } else {
      w4 = LoadBlock<BlockQ4_K>(row, b);
      d_bits = w4.d;
      dmin_bits = w4.dmin;
      scales = w4.scales;
      qs = w4.qs;
    }
    const float d = HalfToFloat(d_bits);
    const float dmin = HalfToFloat(dmin_bits);
    uint8_t sc[8];
    uint8_t m[8];
    UnpackKScales(scales, sc, m);
    for (int j = 0; j < 8; ++j) {  // sub-block j is activation block 8b + j
      const auto x = xblock(8 * b + j);
      const int c = j / 2;
      const bool high = j % 2 == 1;
      int32_t isum = 0;
      int32_t xsum = 0;
      for (int l = 0; l < 32; ++l) {
        const uint8_t byte = qs[32 * c + l];
        int q = high ? byte >> 4 : byte & 0x0f;
        if (five) q |= ((w5.qh[l] >> j) & 1) << 4;
        isum += q * x.qs[l];
        xsum += x.qs[l];
      }
      total += HalfToFloat(x.d) * (d * static_cast<float>(sc[j]) * static_cast<float>(isum) -
                                   dmin * static_cast<float>(m[j]) * static_cast<float>(xsum));
    }
  }
  return total;
}

Status CheckQ8Activations(GgmlType type, std::span<const uint8_t> x_q8, int64_t n) {
  if (!IsQuantised(type)) {
    DOCENT_RETURN_IF_ERROR(CheckComputable(type));
    return Unsupported(std::string(GgmlTypeName(type)) +
                       " weights take f32 activations, not Q8_0 ones");
  }
  if (n < 0 || n % kQk != 0 || x_q8.size() != static_cast<uint64_t>(n / kQk) * sizeof(BlockQ8_0)) {
    return InvalidArgument("Q8_0 activations of " + std::to_string(n) + " elements must be " +
                           "a whole number of 34-byte blocks, got " + std::to_string(x_q8.size()) +
                           " bytes");
  }
  return Status::Ok();
}

// Bytes per row of W, after checking that W is exactly y.size() such rows.
Result<uint64_t> MatrixRowBytes(GgmlType type, uint64_t n, std::span<const uint8_t> w,
                                std::span<float> y) {
  DOCENT_RETURN_IF_ERROR(CheckComputable(type));
  auto row_bytes = RowBytes(type, n);
  if (!row_bytes.ok()) return InvalidArgument(row_bytes.status().message());
  const auto total = CheckedMul(*row_bytes, y.size());
  if (!total || *total != w.size()) {
    return InvalidArgument(std::to_string(y.size()) + " rows of " + std::to_string(*row_bytes) +
                           " bytes do not match a matrix of " + std::to_string(w.size()) +
                           " bytes");
  }
  return *row_bytes;
}

}  // namespace

Result<float> DotF32(GgmlType type, std::span<const uint8_t> row, std::span<const float> x) {
  DOCENT_RETURN_IF_ERROR(CheckRowSize(type, row, x.size()));
  return DotF32Unchecked(type, row.data(), x.data(), static_cast<int64_t>(x.size()));
}

Result<float> DotQ8_0(GgmlType type, std::span<const uint8_t> row, std::span<const uint8_t> x_q8,
                      int64_t n) {
  DOCENT_RETURN_IF_ERROR(CheckQ8Activations(type, x_q8, n));
  DOCENT_RETURN_IF_ERROR(CheckRowSize(type, row, static_cast<uint64_t>(n)));
  return DotQ8_0Unchecked(type, row.data(), x_q8.data(), n);
}

Status MatVecF32(GgmlType type, std::span<const uint8_t> w, std::span<const float> x,
                 std::span<float> y) {
  DOCENT_ASSIGN_OR_RETURN(const uint64_t row_bytes, MatrixRowBytes(type, x.size(), w, y));
  for (size_t r = 0; r < y.size(); ++r) {
    y[r] =
        DotF32Unchecked(type, w.data() + r * row_bytes, x.data(), static_cast<int64_t>(x.size()));
  }
  return Status::Ok();
}

Status MatVecQ8_0(GgmlType type, std::span<const uint8_t> w, std::span<const uint8_t> x_q8,
                  int64_t n, std::span<float> y) {
  DOCENT_RETURN_IF_ERROR(CheckQ8Activations(type, x_q8, n));
  DOCENT_ASSIGN_OR_RETURN(const uint64_t row_bytes,
                          MatrixRowBytes(type, static_cast<uint64_t>(n), w, y));
  for (size_t r = 0; r < y.size(); ++r) {
    y[r] = DotQ8_0Unchecked(type, w.data() + r * row_bytes, x_q8.data(), n);
  }
  return Status::Ok();
}

}  // namespace docent::llm
