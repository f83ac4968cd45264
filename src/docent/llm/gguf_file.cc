// GgufFile: owning the file's bytes, indexing keys and tensor names, and the typed getters.
#include "docent/llm/gguf_file.h"

#include <cassert>
#include <cstring>
#include <limits>
#include <new>

namespace docent::llm {
namespace {

// FromBytes copies land on a 64-byte boundary, so tensor data is as aligned as kernels may
// want (for the default alignment of 32 and any smaller one); mmap gives page alignment.
constexpr std::align_val_t kCopyAlignment{64};

uint64_t ElementBits(const GgufArray& array, uint64_t i) {
  const uint32_t size = FixedSizeOf(array.element_type);
  uint64_t bits = 0;
  std::memcpy(&bits, array.raw.data() + i * size, size);  // little-endian host
  return bits;
}

}  // namespace

void GgufFile::AlignedFree::operator()(uint8_t* p) const {
  ::operator delete[](p, kCopyAlignment);
}

Result<GgufFile> GgufFile::Open(const std::filesystem::path& path) {
  GgufFile file;
  file.name_ = path.string();
  DOCENT_ASSIGN_OR_RETURN(file.mapped_, MappedFile::Open(path));
  file.bytes_ = file.mapped_.bytes();
  return Build(std::move(file));
}

Result<GgufFile> GgufFile::FromBytes(std::span<const uint8_t> bytes, std::string name) {
  GgufFile file;
  file.name_ = std::move(name);
  // At least one byte, so even an empty buffer has a distinct allocation.
  file.copy_.reset(static_cast<uint8_t*>(::operator new[](bytes.size() + 1, kCopyAlignment)));
  if (!bytes.empty()) std::memcpy(file.copy_.get(), bytes.data(), bytes.size());
  file.bytes_ = std::span<const uint8_t>(file.copy_.get(), bytes.size());
  return Build(std::move(file));
}

Result<GgufFile> GgufFile::Build(GgufFile file) {
  DOCENT_ASSIGN_OR_RETURN(file.contents_, ParseGguf(file.bytes_, file.name_));
  file.key_index_.reserve(file.contents_.metadata.size());
  for (size_t i = 0; i < file.contents_.metadata.size(); ++i) {
    file.key_index_.emplace(file.contents_.metadata[i].key, i);
  }
  file.tensor_index_.reserve(file.contents_.tensors.size());
  for (size_t i = 0; i < file.contents_.tensors.size(); ++i) {
    file.tensor_index_.emplace(file.contents_.tensors[i].name, i);
  }
  return file;
}

const GgufValue* GgufFile::Find(std::string_view key) const {
  const auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &contents_.metadata[it->second].value;
}

Status GgufFile::KeyError(std::string_view key, const Status& cause) const {
  return Corrupt(name_ + ": key " + QuoteForMessage(key) + ": " + cause.message());
}

Result<const GgufValue*> GgufFile::Require(std::string_view key) const {
  const GgufValue* v = Find(key);
  if (v == nullptr)
    return Corrupt(name_ + ": required key " + QuoteForMessage(key) + " is missing");
  return v;
}

Result<std::string_view> GgufFile::GetString(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  auto s = v->ToStringView();
  if (!s.ok()) return KeyError(key, s.status());
  return *s;
}

Result<bool> GgufFile::GetBool(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  auto b = v->ToBool();
  if (!b.ok()) return KeyError(key, b.status());
  return *b;
}

Result<uint64_t> GgufFile::GetU64(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  auto u = v->ToU64();
  if (!u.ok()) return KeyError(key, u.status());
  return *u;
}

Result<uint32_t> GgufFile::GetU32(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const uint64_t u, GetU64(key));
  if (u > std::numeric_limits<uint32_t>::max()) {
    return KeyError(key, InvalidArgument("value " + std::to_string(u) + " does not fit in uint32"));
  }
  return static_cast<uint32_t>(u);
}

Result<int64_t> GgufFile::GetI64(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  auto i = v->ToI64();
  if (!i.ok()) return KeyError(key, i.status());
  return *i;
}

Result<float> GgufFile::GetF32(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  auto f = v->ToF64();
  if (!f.ok()) return KeyError(key, f.status());
  return static_cast<float>(*f);
}

Result<uint32_t> GgufFile::GetU32Or(std::string_view key, uint32_t fallback) const {
  if (!Has(key)) return fallback;
  return GetU32(key);
}

Result<float> GgufFile::GetF32Or(std::string_view key, float fallback) const {
  if (!Has(key)) return fallback;
  return GetF32(key);
}

Result<bool> GgufFile::GetBoolOr(std::string_view key, bool fallback) const {
  if (!Has(key)) return fallback;
  return GetBool(key);
}

Result<const GgufArray*> GgufFile::GetArray(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufValue* v, Require(key));
  if (v->array() == nullptr) {
    return KeyError(key, InvalidArgument("has type " + std::string(GgufValueTypeName(v->type())) +
                                         ", want array"));
  }
  return v->array();
}

Result<std::span<const std::string_view>> GgufFile::GetStringArray(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufArray* a, GetArray(key));
  if (a->element_type != GgufValueType::kString) {
    return KeyError(
        key, InvalidArgument("is an array of " + std::string(GgufValueTypeName(a->element_type)) +
                             ", want an array of string"));
  }
  return std::span<const std::string_view>(a->strings);
}

Result<std::vector<float>> GgufFile::GetF32Array(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufArray* a, GetArray(key));
  std::vector<float> out;
  if (a->element_type == GgufValueType::kFloat32) {
    out.resize(a->size);
    if (a->size > 0) std::memcpy(out.data(), a->raw.data(), a->size * sizeof(float));
  } else if (a->element_type == GgufValueType::kFloat64) {
    out.reserve(a->size);
    for (uint64_t i = 0; i < a->size; ++i) out.push_back(static_cast<float>(a->Fixed<double>(i)));
  } else {
    return KeyError(
        key, InvalidArgument("is an array of " + std::string(GgufValueTypeName(a->element_type)) +
                             ", want an array of float"));
  }
  return out;
}

Result<std::vector<int32_t>> GgufFile::GetI32Array(std::string_view key) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufArray* a, GetArray(key));
  if (!IsIntegerType(a->element_type)) {
    return KeyError(
        key, InvalidArgument("is an array of " + std::string(GgufValueTypeName(a->element_type)) +
                             ", want an array of integers"));
  }
  std::vector<int32_t> out;
  out.reserve(a->size);
  for (uint64_t i = 0; i < a->size; ++i) {
    auto v = GgufValue::Scalar(a->element_type, ElementBits(*a, i)).ToI64();
    if (!v.ok() || *v < std::numeric_limits<int32_t>::min() ||
        *v > std::numeric_limits<int32_t>::max()) {
      return KeyError(key,
                      InvalidArgument("element " + std::to_string(i) + " does not fit in int32"));
    }
    out.push_back(static_cast<int32_t>(*v));
  }
  return out;
}

const GgufTensorInfo* GgufFile::FindTensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &contents_.tensors[it->second];
}

std::span<const uint8_t> GgufFile::TensorData(const GgufTensorInfo& tensor) const {
  assert(tensor.file_offset + tensor.n_bytes <= bytes_.size() &&
         "TensorData called with a tensor of another file");
  return bytes_.subspan(tensor.file_offset, tensor.n_bytes);
}

Result<std::span<const uint8_t>> GgufFile::TensorDataByName(std::string_view name) const {
  const GgufTensorInfo* t = FindTensor(name);
  if (t == nullptr) return Corrupt(name_ + ": no tensor named " + QuoteForMessage(name));
  return TensorData(*t);
}

}  // namespace docent::llm
