// Fuzzes the GGUF reader on arbitrary bytes: parsing must never crash, and whatever it
// accepts must be safe to use: every metadata value is read through its getter (arrays
// walked to the bottom), every tensor's bytes are touched, and the first row of each
// computable tensor is dequantised. Seeds: tests/fuzz/seeds/gguf.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/quantize.h"

namespace {

using docent::llm::GgufArray;
using docent::llm::GgufValue;
using docent::llm::GgufValueType;

volatile uint64_t g_sink;  // keeps the reads from being optimised away

void Touch(const GgufValue& v) {
  uint64_t h = static_cast<uint64_t>(v.type()) + v.bits();
  if (auto s = v.ToStringView(); s.ok()) {
    for (char c : *s) h += static_cast<unsigned char>(c);
  }
  (void)v.ToI64();
  (void)v.ToU64();
  (void)v.ToF64();
  (void)v.ToBool();
  if (const GgufArray* a = v.array()) {
    const uint32_t size = docent::llm::FixedSizeOf(a->element_type);
    if (size != 0 && a->raw.size() != a->size * size) std::abort();
    for (uint8_t b : a->raw) h += b;
    if (a->element_type == GgufValueType::kString && a->strings.size() != a->size) std::abort();
    for (std::string_view s : a->strings) h += s.size() + (s.empty() ? 0 : s.back());
    if (a->element_type == GgufValueType::kArray && a->arrays.size() != a->size) std::abort();
    for (const GgufValue& inner : a->arrays) Touch(inner);
  }
  g_sink = g_sink + h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = docent::llm::GgufFile::FromBytes(std::span<const uint8_t>(data, size), "fuzz.gguf");
  if (!file.ok()) return 0;
  for (const docent::llm::GgufKeyValue& kv : file->metadata()) {
    if (file->Find(kv.key) != &kv.value) std::abort();  // keys are unique and indexed
    Touch(kv.value);
    (void)file->GetString(kv.key);
    (void)file->GetU32(kv.key);
    (void)file->GetF32(kv.key);
    (void)file->GetStringArray(kv.key);
    (void)file->GetF32Array(kv.key);
    (void)file->GetI32Array(kv.key);
  }
  std::vector<float> row;
  for (const docent::llm::GgufTensorInfo& t : file->tensors()) {
    if (file->FindTensor(t.name) != &t) std::abort();
    const auto bytes = file->TensorData(t);
    if (bytes.size() != t.n_bytes || t.file_offset + t.n_bytes > size) std::abort();
    uint64_t h = 0;
    for (uint8_t b : bytes) h += b;
    g_sink = g_sink + h;
    if (!docent::llm::IsComputable(t.type) || t.dims[0] == 0 || t.dims[0] > (1u << 16)) continue;
    auto row_bytes = docent::llm::RowBytes(t.type, t.dims[0]);
    if (!row_bytes.ok() || *row_bytes > bytes.size()) continue;
    row.resize(t.dims[0]);
    if (!docent::llm::DequantizeRow(t.type, bytes.first(*row_bytes), row).ok()) std::abort();
  }
  return 0;
}
