// The GGUF parser: a bounds-checked cursor over the file image and one function per part of
// the layout described in gguf_parser.h.
#include "docent/llm/gguf_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <unordered_set>

#include "docent/llm/checked_math.h"

namespace docent::llm {
namespace {

// Fields are read with memcpy straight into host integers.
static_assert(std::endian::native == std::endian::little, "the GGUF parser needs a LE host");

constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;          // key length, 1-byte key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;  // name length, n_dims, type, offset
constexpr uint64_t kMinArrayBytes = 4 + 8;               // element type, count
// Containers grow as entries actually parse rather than being reserved for a declared count:
// a hostile count that passes the bytes-left check could still ask for several times the
// file's size in memory up front.
constexpr uint64_t kMaxReserve = 1 << 14;
constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::string At(uint64_t pos) {
  return " (at byte " + std::to_string(pos) + ")";
}

class Cursor {
 public:
  explicit Cursor(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint64_t pos() const { return pos_; }
  uint64_t size() const { return bytes_.size(); }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  Status Need(uint64_t n, std::string_view what) const {
    if (n <= remaining()) return Status::Ok();
    return Corrupt("truncated: " + std::string(what) + " needs " + std::to_string(n) +
                   " bytes at byte " + std::to_string(pos_) + " but the file ends at byte " +
                   std::to_string(size()));
  }

  template <typename T>
  Result<T> Read(std::string_view what) {
    DOCENT_RETURN_IF_ERROR(Need(sizeof(T), what));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  Result<std::span<const uint8_t>> Bytes(uint64_t n, std::string_view what) {
    DOCENT_RETURN_IF_ERROR(Need(n, what));
    const auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  Result<std::string_view> String(std::string_view what, uint64_t max_len) {
    const uint64_t at = pos_;
    DOCENT_ASSIGN_OR_RETURN(const uint64_t len, Read<uint64_t>(what));
    if (len > max_len) {
      return Corrupt(std::string(what) + " is " + std::to_string(len) +
                     " bytes long, over the limit of " + std::to_string(max_len) + At(at));
    }
    DOCENT_ASSIGN_OR_RETURN(const auto b, Bytes(len, what));
    return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
  }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::span<const uint8_t> bytes) : c_(bytes) {}
  Result<GgufContents> Parse();

 private:
  Status Header();
  Status Metadata(uint64_t count);
  Status TensorInfos(uint64_t count);
  Status TensorInfo(uint64_t index, std::unordered_set<std::string_view>& names);
  Status DataSection();

  Result<GgufValueType> ValueType(std::string_view what);
  Result<GgufValue> Value(GgufValueType type);
  Result<std::unique_ptr<GgufArray>> ArrayBody(int depth);

  Cursor c_;
  GgufContents out_;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
  uint64_t nested_arrays_ = 0;
};

Result<GgufContents> Parser::Parse() {
  DOCENT_RETURN_IF_ERROR(Header());
  DOCENT_RETURN_IF_ERROR(Metadata(n_kv_));
  DOCENT_RETURN_IF_ERROR(TensorInfos(n_tensors_));
  DOCENT_RETURN_IF_ERROR(DataSection());
  return std::move(out_);
}

Status Parser::Header() {
  DOCENT_ASSIGN_OR_RETURN(const auto magic, c_.Bytes(4, "magic"));
  if (std::memcmp(magic.data(), "GGUF", 4) != 0) {
    const std::string_view seen(reinterpret_cast<const char*>(magic.data()), 4);
    return Corrupt("not a GGUF file: the magic is " + QuoteForMessage(seen) +
                   ", want 'GGUF' (at byte 0)");
  }
  DOCENT_ASSIGN_OR_RETURN(const uint32_t version, c_.Read<uint32_t>("version"));
  if (version != 2 && version != 3) {
    const uint32_t swapped = __builtin_bswap32(version);
    if (swapped == 2 || swapped == 3) {
      return Unsupported("big-endian GGUF (version " + std::to_string(swapped) +
                         ") is not supported; docent reads little-endian files (at byte 4)");
    }
    return Unsupported("GGUF version " + std::to_string(version) +
                       " is not supported; docent reads versions 2 and 3 (at byte 4)");
  }
  out_.version = version;
  DOCENT_ASSIGN_OR_RETURN(const uint64_t n_tensors, c_.Read<uint64_t>("tensor count"));
  DOCENT_ASSIGN_OR_RETURN(const uint64_t n_kv, c_.Read<uint64_t>("metadata count"));
  // Fail fast on hostile counts, before reserving anything for them.
  if (n_kv > c_.remaining() / kMinKvBytes) {
    return Corrupt("the header declares " + std::to_string(n_kv) +
                   " metadata entries, more than the " + std::to_string(c_.remaining()) +
                   " bytes after it can hold (at byte 16)");
  }
  if (n_tensors > c_.remaining() / kMinTensorInfoBytes) {
    return Corrupt("the header declares " + std::to_string(n_tensors) + " tensors, more than the " +
                   std::to_string(c_.remaining()) + " bytes after it can hold (at byte 8)");
  }
  n_tensors_ = n_tensors;
  n_kv_ = n_kv;
  return Status::Ok();
}

Status Parser::Metadata(uint64_t count) {
  out_.metadata.reserve(std::min(count, kMaxReserve));
  std::unordered_set<std::string_view> keys;
  keys.reserve(std::min(count, kMaxReserve));
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t at = c_.pos();
    auto key = c_.String("metadata key", kGgufMaxKeyBytes);
    if (!key.ok()) return key.status().WithContext("metadata entry " + std::to_string(i));
    // Built only on failure: the success path should not format every key.
    const auto context = [&] { return "key " + QuoteForMessage(*key); };
    if (key->empty()) {
      return Corrupt("metadata entry " + std::to_string(i) + " has an empty key" + At(at));
    }
    if (!keys.insert(*key).second) return Corrupt(context() + " appears twice" + At(at));
    auto type = ValueType("value type");
    if (!type.ok()) return type.status().WithContext(context());
    const uint64_t value_at = c_.pos();
    auto value = Value(*type);
    if (!value.ok()) return value.status().WithContext(context());
    if (*key == "general.alignment") {
      // Tensor offsets and the data section depend on it, so check it here where the byte
      // offset is known.
      auto a = value->ToU64();
      if (!a.ok()) return Corrupt(context() + ": " + a.status().message() + At(value_at));
      if (*a > std::numeric_limits<uint32_t>::max() || !IsPowerOfTwo(*a)) {
        return Corrupt(context() + ": alignment " + std::to_string(*a) +
                       " is not a power of two that fits in 32 bits" + At(value_at));
      }
      out_.alignment = static_cast<uint32_t>(*a);
    }
    out_.metadata.push_back({*key, std::move(value).value()});
  }
  return Status::Ok();
}

Result<GgufValueType> Parser::ValueType(std::string_view what) {
  const uint64_t at = c_.pos();
  DOCENT_ASSIGN_OR_RETURN(const uint32_t raw, c_.Read<uint32_t>(what));
  if (raw >= kGgufValueTypeCount) {
    return Corrupt("unknown " + std::string(what) + " " + std::to_string(raw) + At(at));
  }
  return static_cast<GgufValueType>(raw);
}

Result<GgufValue> Parser::Value(GgufValueType type) {
  const uint64_t at = c_.pos();
  if (type == GgufValueType::kString) {
    DOCENT_ASSIGN_OR_RETURN(const std::string_view s,
                            c_.String("string value", std::numeric_limits<uint64_t>::max()));
    return GgufValue::String(s);
  }
  if (type == GgufValueType::kArray) {
    DOCENT_ASSIGN_OR_RETURN(auto array, ArrayBody(1));
    return GgufValue::Array(std::move(array));
  }
  const uint32_t size = FixedSizeOf(type);
  DOCENT_ASSIGN_OR_RETURN(const auto b, c_.Bytes(size, GgufValueTypeName(type)));
  uint64_t bits = 0;
  std::memcpy(&bits, b.data(), size);  // little-endian host: zero-extends
  if (type == GgufValueType::kBool && bits > 1) {
    return Corrupt("bool value " + std::to_string(bits) + " is neither 0 nor 1" + At(at));
  }
  return GgufValue::Scalar(type, bits);
}

Result<std::unique_ptr<GgufArray>> Parser::ArrayBody(int depth) {
  const uint64_t at = c_.pos();
  if (depth > kGgufMaxArrayDepth) {
    return Corrupt("arrays are nested more than " + std::to_string(kGgufMaxArrayDepth) + " deep" +
                   At(at));
  }
  DOCENT_ASSIGN_OR_RETURN(const GgufValueType element, ValueType("array element type"));
  DOCENT_ASSIGN_OR_RETURN(const uint64_t count, c_.Read<uint64_t>("array length"));
  const uint32_t fixed = FixedSizeOf(element);
  const uint64_t min_size =
      fixed != 0 ? fixed : (element == GgufValueType::kString ? 8 : kMinArrayBytes);
  if (count > c_.remaining() / min_size) {
    return Corrupt("an array of " + std::to_string(count) + " " +
                   std::string(GgufValueTypeName(element)) + " values cannot fit in the " +
                   std::to_string(c_.remaining()) + " bytes left" + At(at));
  }
  auto array = std::make_unique<GgufArray>();
  array->element_type = element;
  array->size = count;
  if (fixed != 0) {
    DOCENT_ASSIGN_OR_RETURN(array->raw, c_.Bytes(count * fixed, "array data"));
    if (element == GgufValueType::kBool) {
      for (uint64_t i = 0; i < count; ++i) {
        if (array->raw[i] > 1) {
          return Corrupt("bool element " + std::to_string(i) + " is " +
                         std::to_string(array->raw[i]) + ", neither 0 nor 1" +
                         At(c_.pos() - count + i));
        }
      }
    }
  } else if (element == GgufValueType::kString) {
    array->strings.reserve(std::min(count, kMaxReserve));
    for (uint64_t i = 0; i < count; ++i) {
      DOCENT_ASSIGN_OR_RETURN(const std::string_view s,
                              c_.String("array string", std::numeric_limits<uint64_t>::max()));
      array->strings.push_back(s);
    }
  } else {
    // Each nested array costs far more memory than its 12 bytes on disk; cap the total.
    nested_arrays_ += count;
    if (nested_arrays_ > kGgufMaxNestedArrays) {
      return TooLarge("more than " + std::to_string(kGgufMaxNestedArrays) +
                      " arrays nested inside arrays" + At(at));
    }
    array->arrays.reserve(std::min(count, kMaxReserve));
    for (uint64_t i = 0; i < count; ++i) {
      DOCENT_ASSIGN_OR_RETURN(auto inner, ArrayBody(depth + 1));
      array->arrays.push_back(GgufValue::Array(std::move(inner)));
    }
  }
  return array;
}

Status Parser::TensorInfos(uint64_t count) {
  out_.tensors.reserve(std::min(count, kMaxReserve));
  std::unordered_set<std::string_view> names;
  names.reserve(std::min(count, kMaxReserve));
  for (uint64_t i = 0; i < count; ++i) DOCENT_RETURN_IF_ERROR(TensorInfo(i, names));
  return Status::Ok();
}

Status Parser::TensorInfo(uint64_t index, std::unordered_set<std::string_view>& names) {
  const uint64_t at = c_.pos();
  auto name = c_.String("tensor name", kGgufMaxTensorNameBytes);
  if (!name.ok()) return name.status().WithContext("tensor " + std::to_string(index));
  const auto context = [&] { return "tensor " + QuoteForMessage(*name); };
  if (!names.insert(*name).second) return Corrupt(context() + " appears twice" + At(at));

  GgufTensorInfo t;
  t.name = *name;
  const uint64_t dims_at = c_.pos();
  auto n_dims = c_.Read<uint32_t>("dimension count");
  if (!n_dims.ok()) return n_dims.status().WithContext(context());
  if (*n_dims > kGgufMaxDims) {
    return Corrupt(context() + " has " + std::to_string(*n_dims) + " dimensions, at most " +
                   std::to_string(kGgufMaxDims) + " are allowed" + At(dims_at));
  }
  t.n_dims = *n_dims;
  uint64_t n_elements = 1;
  for (uint32_t d = 0; d < t.n_dims; ++d) {
    const uint64_t dim_at = c_.pos();
    auto dim = c_.Read<uint64_t>("dimension");
    if (!dim.ok()) return dim.status().WithContext(context());
    const auto product = CheckedMul(n_elements, *dim);
    if (*dim > kMaxInt64 || !product || *product > kMaxInt64) {
      return Corrupt(context() + ": dimension " + std::to_string(d) + " (" + std::to_string(*dim) +
                     ") overflows the element count" + At(dim_at));
    }
    t.dims[d] = *dim;
    n_elements = *product;
  }
  t.n_elements = n_elements;

  const uint64_t type_at = c_.pos();
  auto type_id = c_.Read<uint32_t>("tensor type");
  if (!type_id.ok()) return type_id.status().WithContext(context());
  const GgmlTypeTraits* traits = FindGgmlType(*type_id);
  if (traits == nullptr) {
    return Unsupported(context() + " has unknown ggml type id " + std::to_string(*type_id) +
                       At(type_at));
  }
  t.type = traits->type;
  const uint64_t offset_at = c_.pos();
  auto offset = c_.Read<uint64_t>("tensor data offset");
  if (!offset.ok()) return offset.status().WithContext(context());
  t.offset = *offset;

  if (t.dims[0] % traits->block_size != 0) {
    return Corrupt(context() + ": row length " + std::to_string(t.dims[0]) +
                   " is not a multiple of the " + std::string(traits->name) + " block size " +
                   std::to_string(traits->block_size) + At(dims_at));
  }
  // dims[0] is a whole number of blocks, so n_elements is too.
  const auto n_bytes = CheckedMul(n_elements / traits->block_size, traits->type_size);
  if (!n_bytes) return Corrupt(context() + ": byte size overflows 64 bits" + At(dims_at));
  t.n_bytes = *n_bytes;
  if (t.offset % out_.alignment != 0) {
    return Corrupt(context() + ": data offset " + std::to_string(t.offset) +
                   " is not a multiple of the alignment " + std::to_string(out_.alignment) +
                   At(offset_at));
  }
  out_.tensors.push_back(t);
  return Status::Ok();
}

Status Parser::DataSection() {
  const auto data_offset = AlignUp(c_.pos(), out_.alignment);
  if (!data_offset) return Corrupt("the data section offset overflows 64 bits");
  out_.data_offset = *data_offset;
  for (GgufTensorInfo& t : out_.tensors) {
    const auto begin = CheckedAdd(out_.data_offset, t.offset);
    const auto end = begin ? CheckedAdd(*begin, t.n_bytes) : std::nullopt;
    if (!end || *end > c_.size()) {
      return Corrupt("tensor " + QuoteForMessage(t.name) + ": its " + std::to_string(t.n_bytes) +
                     " bytes at data offset " + std::to_string(t.offset) +
                     " run past the end of the file (" + std::to_string(c_.size()) +
                     " bytes; data section at byte " + std::to_string(out_.data_offset) + ")");
    }
    t.file_offset = *begin;
  }
  // Tensors must not share bytes: a writer never produces that, and a reader that trusted it
  // could see one tensor's writes through another.
  std::vector<size_t> order(out_.tensors.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out_.tensors[a].offset < out_.tensors[b].offset; });
  const GgufTensorInfo* prev = nullptr;
  for (size_t i : order) {
    const GgufTensorInfo& t = out_.tensors[i];
    if (t.n_bytes == 0) continue;
    if (prev != nullptr && prev->offset + prev->n_bytes > t.offset) {
      return Corrupt("tensor " + QuoteForMessage(t.name) + " at data offset " +
                     std::to_string(t.offset) + " overlaps tensor " + QuoteForMessage(prev->name) +
                     " (data offsets " + std::to_string(prev->offset) + " to " +
                     std::to_string(prev->offset + prev->n_bytes) + ")");
    }
    prev = &t;
  }
  return Status::Ok();
}

}  // namespace

Result<GgufContents> ParseGguf(std::span<const uint8_t> bytes, std::string_view name) {
  Parser parser(bytes);
  auto contents = parser.Parse();
  if (!contents.ok()) return contents.status().WithContext(name);
  return contents;
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMaxShown = 80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\') {
      out += static_cast<char>(ch);
    } else {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  if (s.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

}  // namespace docent::llm
