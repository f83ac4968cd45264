// GgufWriter: serialises metadata and tensors in the layout gguf_parser.h describes.
#include "docent/llm/gguf_writer.h"

#include <bit>
#include <cassert>
#include <cstring>
#include <fstream>
#include <system_error>

#include "docent/llm/checked_math.h"
#include "docent/llm/gguf_parser.h"

namespace docent::llm {
namespace {

static_assert(std::endian::native == std::endian::little, "the GGUF writer needs a LE host");

// resize + memcpy rather than insert: GCC 12 at -O3 reports a false stringop-overflow inside
// vector::insert of a small range.
void PutBytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  if (n == 0) return;
  const size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, p, n);
}

template <typename T>
void Put(std::vector<uint8_t>& out, T v) {
  PutBytes(out, &v, sizeof(v));
}

void PutString(std::vector<uint8_t>& out, const std::string& s) {
  Put<uint64_t>(out, s.size());
  PutBytes(out, s.data(), s.size());
}

// The payload of a value whose type tag has already been written.
void PutValue(std::vector<uint8_t>& out, const GgufWriteValue& v) {
  switch (v.type) {
    case GgufValueType::kString:
      PutString(out, v.text);
      return;
    case GgufValueType::kArray:
      Put<uint32_t>(out, static_cast<uint32_t>(v.element_type));
      Put<uint64_t>(out, v.items.size());
      for (const GgufWriteValue& item : v.items) PutValue(out, item);
      return;
    default:
      PutBytes(out, &v.bits, FixedSizeOf(v.type));
      return;  // LE: low bytes first
  }
}

void PadTo(std::vector<uint8_t>& out, uint64_t alignment) {
  out.resize(*AlignUp(out.size(), alignment), 0);
}

GgufWriteValue ScalarValue(GgufValueType type, uint64_t bits) {
  GgufWriteValue v;
  v.type = type;
  v.bits = bits;
  return v;
}

}  // namespace

GgufWriteValue GgufWriteValue::U8(uint8_t v) {
  return ScalarValue(GgufValueType::kUint8, v);
}
GgufWriteValue GgufWriteValue::I8(int8_t v) {
  return ScalarValue(GgufValueType::kInt8, static_cast<uint8_t>(v));
}
GgufWriteValue GgufWriteValue::U16(uint16_t v) {
  return ScalarValue(GgufValueType::kUint16, v);
}
GgufWriteValue GgufWriteValue::I16(int16_t v) {
  return ScalarValue(GgufValueType::kInt16, static_cast<uint16_t>(v));
}
GgufWriteValue GgufWriteValue::U32(uint32_t v) {
  return ScalarValue(GgufValueType::kUint32, v);
}
GgufWriteValue GgufWriteValue::I32(int32_t v) {
  return ScalarValue(GgufValueType::kInt32, static_cast<uint32_t>(v));
}
GgufWriteValue GgufWriteValue::U64(uint64_t v) {
  return ScalarValue(GgufValueType::kUint64, v);
}
GgufWriteValue GgufWriteValue::I64(int64_t v) {
  return ScalarValue(GgufValueType::kInt64, static_cast<uint64_t>(v));
}
GgufWriteValue GgufWriteValue::F32(float v) {
  return ScalarValue(GgufValueType::kFloat32, std::bit_cast<uint32_t>(v));
}
GgufWriteValue GgufWriteValue::F64(double v) {
  return ScalarValue(GgufValueType::kFloat64, std::bit_cast<uint64_t>(v));
}
GgufWriteValue GgufWriteValue::Bool(bool v) {
  return ScalarValue(GgufValueType::kBool, v ? 1 : 0);
}

GgufWriteValue GgufWriteValue::String(std::string v) {
  GgufWriteValue out;
  out.type = GgufValueType::kString;
  out.text = std::move(v);
  return out;
}

GgufWriteValue GgufWriteValue::Array(GgufValueType element_type,
                                     std::vector<GgufWriteValue> items) {
  for ([[maybe_unused]] const GgufWriteValue& item : items) {
    assert(item.type == element_type && "GGUF array items must all have the element type");
  }
  GgufWriteValue out;
  out.type = GgufValueType::kArray;
  out.element_type = element_type;
  out.items = std::move(items);
  return out;
}

GgufWriteValue GgufWriteValue::StringArray(const std::vector<std::string>& v) {
  std::vector<GgufWriteValue> items;
  items.reserve(v.size());
  for (const std::string& s : v) items.push_back(String(s));
  return Array(GgufValueType::kString, std::move(items));
}

GgufWriteValue GgufWriteValue::F32Array(std::span<const float> v) {
  std::vector<GgufWriteValue> items;
  items.reserve(v.size());
  for (float f : v) items.push_back(F32(f));
  return Array(GgufValueType::kFloat32, std::move(items));
}

GgufWriteValue GgufWriteValue::I32Array(std::span<const int32_t> v) {
  std::vector<GgufWriteValue> items;
  items.reserve(v.size());
  for (int32_t i : v) items.push_back(I32(i));
  return Array(GgufValueType::kInt32, std::move(items));
}

GgufWriter::GgufWriter(uint32_t version) : version_(version) {
  assert((version == 2 || version == 3) && "docent writes GGUF versions 2 and 3");
}

void GgufWriter::Set(std::string key, GgufWriteValue value) {
  for (auto& [k, v] : metadata_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  metadata_.emplace_back(std::move(key), std::move(value));
}

Status GgufWriter::SetAlignment(uint32_t alignment) {
  if (!IsPowerOfTwo(alignment)) {
    return InvalidArgument("GGUF alignment " + std::to_string(alignment) +
                           " is not a power of two");
  }
  alignment_ = alignment;
  Set("general.alignment", GgufWriteValue::U32(alignment));
  return Status::Ok();
}

Status GgufWriter::AddTensor(std::string name, GgmlType type, std::vector<uint64_t> dims,
                             std::vector<uint8_t> data) {
  const std::string quoted = QuoteForMessage(name);
  if (name.size() > kGgufMaxTensorNameBytes) {
    return InvalidArgument("tensor name " + quoted + " is longer than 64 bytes");
  }
  for (const Tensor& t : tensors_) {
    if (t.name == name) return InvalidArgument("tensor " + quoted + " is added twice");
  }
  if (dims.empty() || dims.size() > kGgufMaxDims) {
    return InvalidArgument("tensor " + quoted + " must have 1 to 4 dimensions");
  }
  uint64_t n = 1;
  for (uint64_t d : dims) {
    const auto product = CheckedMul(n, d);
    if (!product) return InvalidArgument("tensor " + quoted + ": element count overflows");
    n = *product;
  }
  if (dims[0] % TraitsOf(type).block_size != 0) {
    return InvalidArgument("tensor " + quoted + ": row length " + std::to_string(dims[0]) +
                           " is not a multiple of the block size of " +
                           std::string(GgmlTypeName(type)));
  }
  auto bytes = RowBytes(type, n);
  if (!bytes.ok()) return InvalidArgument("tensor " + quoted + ": " + bytes.status().message());
  if (*bytes != data.size()) {
    return InvalidArgument("tensor " + quoted + " needs " + std::to_string(*bytes) +
                           " bytes of data, got " + std::to_string(data.size()));
  }
  tensors_.push_back({std::move(name), type, std::move(dims), std::move(data)});
  return Status::Ok();
}

std::vector<uint8_t> GgufWriter::Serialize() const {
  std::vector<uint8_t> out;
  PutBytes(out, "GGUF", 4);
  Put<uint32_t>(out, version_);
  Put<uint64_t>(out, tensors_.size());
  Put<uint64_t>(out, metadata_.size());
  for (const auto& [key, value] : metadata_) {
    PutString(out, key);
    Put<uint32_t>(out, static_cast<uint32_t>(value.type));
    PutValue(out, value);
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    PutString(out, t.name);
    Put<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) Put<uint64_t>(out, d);
    Put<uint32_t>(out, static_cast<uint32_t>(t.type));
    Put<uint64_t>(out, offset);
    offset = *AlignUp(offset + t.data.size(), alignment_);
  }
  if (tensors_.empty()) return out;
  // Padding goes before each tensor, not after the last: the file ends at the last tensor's
  // last byte, so any truncation of it leaves a tensor short.
  for (const Tensor& t : tensors_) {
    PadTo(out, alignment_);
    PutBytes(out, t.data.data(), t.data.size());
  }
  return out;
}

Status GgufWriter::WriteFile(const std::filesystem::path& path) const {
  const std::vector<uint8_t> bytes = Serialize();
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return IOError(tmp.string() + ": cannot create");
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) return IOError(tmp.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IOError(path.string() + ": cannot rename into place: " + ec.message());
  return Status::Ok();
}

}  // namespace docent::llm
