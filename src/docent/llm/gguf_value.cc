// Type names and the checked widening conversions of GGUF metadata values.
#include "docent/llm/gguf_value.h"

#include <bit>
#include <limits>
#include <string>

namespace docent::llm {
namespace {

Status WrongType(GgufValueType have, std::string_view want) {
  return InvalidArgument("has type " + std::string(GgufValueTypeName(have)) + ", want " +
                         std::string(want));
}

// The signed value of an integer type's bits, for the signed types only.
int64_t SignExtend(GgufValueType type, uint64_t bits) {
  switch (type) {
    case GgufValueType::kInt8:
      return static_cast<int8_t>(static_cast<uint8_t>(bits));
    case GgufValueType::kInt16:
      return static_cast<int16_t>(static_cast<uint16_t>(bits));
    case GgufValueType::kInt32:
      return static_cast<int32_t>(static_cast<uint32_t>(bits));
    default:
      return static_cast<int64_t>(bits);
  }
}

bool IsSigned(GgufValueType type) {
  return type == GgufValueType::kInt8 || type == GgufValueType::kInt16 ||
         type == GgufValueType::kInt32 || type == GgufValueType::kInt64;
}

}  // namespace

std::string_view GgufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
      return "uint8";
    case GgufValueType::kInt8:
      return "int8";
    case GgufValueType::kUint16:
      return "uint16";
    case GgufValueType::kInt16:
      return "int16";
    case GgufValueType::kUint32:
      return "uint32";
    case GgufValueType::kInt32:
      return "int32";
    case GgufValueType::kFloat32:
      return "float32";
    case GgufValueType::kBool:
      return "bool";
    case GgufValueType::kString:
      return "string";
    case GgufValueType::kArray:
      return "array";
    case GgufValueType::kUint64:
      return "uint64";
    case GgufValueType::kInt64:
      return "int64";
    case GgufValueType::kFloat64:
      return "float64";
  }
  return "unknown type";
}

bool IsIntegerType(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
      return true;
    default:
      return false;
  }
}

uint32_t FixedSizeOf(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kBool:
      return 1;
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
      return 2;
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kFloat32:
      return 4;
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
    case GgufValueType::kFloat64:
      return 8;
    case GgufValueType::kString:
    case GgufValueType::kArray:
      return 0;
  }
  return 0;
}

GgufValue GgufValue::Scalar(GgufValueType type, uint64_t bits) {
  GgufValue v;
  v.type_ = type;
  v.bits_ = bits;
  return v;
}

GgufValue GgufValue::String(std::string_view s) {
  GgufValue v;
  v.type_ = GgufValueType::kString;
  v.string_ = s;
  return v;
}

GgufValue GgufValue::Array(std::unique_ptr<GgufArray> array) {
  GgufValue v;
  v.type_ = GgufValueType::kArray;
  v.array_ = std::move(array);
  return v;
}

Result<int64_t> GgufValue::ToI64() const {
  if (!IsIntegerType(type_)) return WrongType(type_, "an integer");
  if (type_ == GgufValueType::kUint64 &&
      bits_ > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return InvalidArgument("uint64 value " + std::to_string(bits_) + " does not fit in int64");
  }
  return SignExtend(type_, bits_);
}

Result<uint64_t> GgufValue::ToU64() const {
  if (!IsIntegerType(type_)) return WrongType(type_, "an unsigned integer");
  if (IsSigned(type_)) {
    const int64_t v = SignExtend(type_, bits_);
    if (v < 0) return InvalidArgument("value " + std::to_string(v) + " is negative");
    return static_cast<uint64_t>(v);
  }
  return bits_;
}

Result<double> GgufValue::ToF64() const {
  if (type_ == GgufValueType::kFloat32) {
    return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(bits_)));
  }
  if (type_ == GgufValueType::kFloat64) return std::bit_cast<double>(bits_);
  return WrongType(type_, "a float");
}

Result<bool> GgufValue::ToBool() const {
  if (type_ != GgufValueType::kBool) return WrongType(type_, "bool");
  return bits_ != 0;
}

Result<std::string_view> GgufValue::ToStringView() const {
  if (type_ != GgufValueType::kString) return WrongType(type_, "string");
  return string_;
}

}  // namespace docent::llm
