// GGUF metadata values as read from a file: typed views into the file's bytes.
//
// A GgufValue never owns text or array payloads; its string_views and spans point into the
// buffer of the GgufFile that parsed it and live exactly as long as that file. Values are
// immutable after parsing, so concurrent reads are safe.
//
// Conversions widen but never silently change a number: ToI64 accepts every integer type
// whose value fits, ToU64 every non-negative one, ToF64 both float types. A mismatch is an
// InvalidArgument naming the stored type; GgufFile adds the key and the file name.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace docent::llm {

// The type tags GGUF stores; values are the on-disk numbers.
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};
inline constexpr uint32_t kGgufValueTypeCount = 13;

// "uint8" .. "float64"; "type 57" for a number outside the enum.
std::string_view GgufValueTypeName(GgufValueType type);
bool IsIntegerType(GgufValueType type);
// Bytes of one value of a fixed-size type (every type but string and array); 0 otherwise.
uint32_t FixedSizeOf(GgufValueType type);

class GgufValue;

// An array value. Fixed-size elements stay packed in the file (`raw`, little-endian);
// strings and nested arrays are indexed at parse time.
struct GgufArray {
  GgufValueType element_type = GgufValueType::kUint8;
  uint64_t size = 0;
  std::span<const uint8_t> raw;           // size * FixedSizeOf(element_type) bytes
  std::vector<std::string_view> strings;  // element_type == kString
  std::vector<GgufValue> arrays;          // element_type == kArray

  // Element i of a fixed-size array read as T (which must have that element's size).
  template <typename T>
  T Fixed(uint64_t i) const {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    return v;
  }
};

class GgufValue {
 public:
  GgufValue() = default;
  static GgufValue Scalar(GgufValueType type, uint64_t bits);  // any fixed-size type
  static GgufValue String(std::string_view s);
  static GgufValue Array(std::unique_ptr<GgufArray> array);

  GgufValue(GgufValue&&) noexcept = default;
  GgufValue& operator=(GgufValue&&) noexcept = default;
  GgufValue(const GgufValue&) = delete;
  GgufValue& operator=(const GgufValue&) = delete;

  GgufValueType type() const { return type_; }
  // The raw little-endian bits of a fixed-size value, zero-extended.
  uint64_t bits() const { return bits_; }

  Result<int64_t> ToI64() const;
  Result<uint64_t> ToU64() const;
  Result<double> ToF64() const;
  Result<bool> ToBool() const;
  Result<std::string_view> ToStringView() const;
  // Null unless type() is kArray.
  const GgufArray* array() const { return array_.get(); }

 private:
  GgufValueType type_ = GgufValueType::kUint8;
  uint64_t bits_ = 0;
  std::string_view string_;
  std::unique_ptr<GgufArray> array_;
};

struct GgufKeyValue {
  std::string_view key;
  GgufValue value;
};

}  // namespace docent::llm
