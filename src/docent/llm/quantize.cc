// Dispatch from a GgmlType to its scalar reference conversion, after checking sizes.
#include "docent/llm/quantize.h"

#include <cstring>
#include <string>

#include "docent/llm/half.h"
#include "docent/llm/quant_k.h"
#include "docent/llm/quant_legacy.h"

namespace docent::llm {
namespace {

Status CheckRow(GgmlType type, uint64_t n, uint64_t bytes) {
  DOCENT_RETURN_IF_ERROR(CheckComputable(type));
  auto want = RowBytes(type, n);
  if (!want.ok()) return InvalidArgument(want.status().message());
  if (*want != bytes) {
    return InvalidArgument("a row of " + std::to_string(n) + " " + std::string(GgmlTypeName(type)) +
                           " elements is " + std::to_string(*want) + " bytes, not " +
                           std::to_string(bytes));
  }
  return Status::Ok();
}

uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

void StoreU16(uint16_t v, uint8_t* p) {
  std::memcpy(p, &v, sizeof(v));
}

}  // namespace

Status DequantizeRow(GgmlType type, std::span<const uint8_t> in, std::span<float> out) {
  DOCENT_RETURN_IF_ERROR(CheckRow(type, out.size(), in.size()));
  const auto n = static_cast<int64_t>(out.size());
  const uint8_t* src = in.data();
  float* dst = out.data();
  switch (type) {
    case GgmlType::kF32:
      if (n > 0) std::memcpy(dst, src, in.size());
      break;
    case GgmlType::kF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = HalfToFloat(LoadU16(src + 2 * i));
      break;
    case GgmlType::kBF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = Bf16ToFloat(LoadU16(src + 2 * i));
      break;
    case GgmlType::kQ8_0:
      DequantizeRowQ8_0(src, dst, n);
      break;
    case GgmlType::kQ4_0:
      DequantizeRowQ4_0(src, dst, n);
      break;
    case GgmlType::kQ4_1:
      DequantizeRowQ4_1(src, dst, n);
      break;
    case GgmlType::kQ5_0:
      DequantizeRowQ5_0(src, dst, n);
      break;
    case GgmlType::kQ5_1:
      DequantizeRowQ5_1(src, dst, n);
      break;
    case GgmlType::kQ4_K:
      DequantizeRowQ4_K(src, dst, n);
      break;
    case GgmlType::kQ5_K:
      DequantizeRowQ5_K(src, dst, n);
      break;
    case GgmlType::kQ6_K:
      DequantizeRowQ6_K(src, dst, n);
      break;
    default:
      return Internal("type " + std::string(GgmlTypeName(type)) +
                      " is marked computable but has no dequantiser");
  }
  return Status::Ok();
}

Status QuantizeRow(GgmlType type, std::span<const float> in, std::span<uint8_t> out) {
  DOCENT_RETURN_IF_ERROR(CheckRow(type, in.size(), out.size()));
  const auto n = static_cast<int64_t>(in.size());
  const float* src = in.data();
  uint8_t* dst = out.data();
  switch (type) {
    case GgmlType::kF32:
      if (n > 0) std::memcpy(dst, src, out.size());
      break;
    case GgmlType::kF16:
      for (int64_t i = 0; i < n; ++i) StoreU16(FloatToHalf(src[i]), dst + 2 * i);
      break;
    case GgmlType::kBF16:
      for (int64_t i = 0; i < n; ++i) StoreU16(FloatToBf16(src[i]), dst + 2 * i);
      break;
    case GgmlType::kQ8_0:
      QuantizeRowQ8_0(src, dst, n);
      break;
    case GgmlType::kQ4_0:
      QuantizeRowQ4_0(src, dst, n);
      break;
    case GgmlType::kQ4_1:
      QuantizeRowQ4_1(src, dst, n);
      break;
    case GgmlType::kQ5_0:
      QuantizeRowQ5_0(src, dst, n);
      break;
    case GgmlType::kQ5_1:
      QuantizeRowQ5_1(src, dst, n);
      break;
    case GgmlType::kQ4_K:
      QuantizeRowQ4_K(src, dst, n);
      break;
    case GgmlType::kQ5_K:
      QuantizeRowQ5_K(src, dst, n);
      break;
    case GgmlType::kQ6_K:
      QuantizeRowQ6_K(src, dst, n);
      break;
    default:
      return Internal("type " + std::string(GgmlTypeName(type)) +
                      " is marked computable but has no quantiser");
  }
  return Status::Ok();
}

}  // namespace docent::llm
