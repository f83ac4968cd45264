// GgufWriter -> GgufFile round trips: every metadata type (scalars, strings, arrays, nested
// arrays) in v2 and v3 files, typed getters with widening and their errors, tensors of
// several types with custom alignment, and reading through a path (mmap) as well as bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/quantize.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using V = GgufWriteValue;

GgufFile MustParse(const std::vector<uint8_t>& bytes, const std::string& name = "t.gguf") {
  auto f = GgufFile::FromBytes(bytes, name);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  if (!f.ok()) std::abort();  // the rest of the test would dereference it
  return std::move(f).value();
}

template <typename T>
void ExpectCorrupt(const Result<T>& r, const std::string& part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(part));
}

std::vector<uint8_t> Floats(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(float));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

GgufWriter EveryType(uint32_t version) {
  GgufWriter w(version);
  w.Set("t.u8", V::U8(200));
  w.Set("t.i8", V::I8(-100));
  w.Set("t.u16", V::U16(60000));
  w.Set("t.i16", V::I16(-30000));
  w.Set("t.u32", V::U32(4000000000u));
  w.Set("t.i32", V::I32(-2000000000));
  w.Set("t.f32", V::F32(1.5f));
  w.Set("t.bool", V::Bool(true));
  w.Set("t.string", V::String("h\xc3\xa9llo"));
  w.Set("t.u64", V::U64((1ull << 63) + 5));
  w.Set("t.i64", V::I64(-(1ll << 62)));
  w.Set("t.f64", V::F64(0.1));
  w.Set("t.empty_string", V::String(""));
  w.Set("a.u8", V::Array(GgufValueType::kUint8, {V::U8(1), V::U8(255)}));
  w.Set("a.i16", V::Array(GgufValueType::kInt16, {V::I16(-2), V::I16(300)}));
  w.Set("a.u32", V::Array(GgufValueType::kUint32, {V::U32(7), V::U32(3000000000u)}));
  const float scores[] = {0.0f, -1.25f, 3e38f};
  w.Set("a.f32", V::F32Array(scores));
  w.Set("a.f64", V::Array(GgufValueType::kFloat64, {V::F64(2.5), V::F64(-0.5)}));
  w.Set("a.bool", V::Array(GgufValueType::kBool, {V::Bool(false), V::Bool(true)}));
  w.Set("a.string", V::StringArray({"<s>", "", "\xe2\x96\x81the"}));
  w.Set("a.empty", V::Array(GgufValueType::kInt32, {}));
  w.Set("a.nested",
        V::Array(GgufValueType::kArray,
                 {V::Array(GgufValueType::kInt32, {V::I32(1), V::I32(-2)}),
                  V::Array(GgufValueType::kString, {V::String("x")}),
                  V::Array(GgufValueType::kArray, {V::Array(GgufValueType::kUint8, {V::U8(9)})})}));
  return w;
}

class EveryTypeTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(EveryTypeTest, ScalarsReadBackExactly) {
  const GgufFile f = MustParse(EveryType(GetParam()).Serialize());
  EXPECT_EQ(f.version(), GetParam());
  EXPECT_EQ(f.metadata().size(), 22u);
  EXPECT_EQ(f.metadata()[0].key, "t.u8");  // file order is kept
  EXPECT_EQ(f.Find("t.u8")->type(), GgufValueType::kUint8);
  EXPECT_EQ(*f.GetU32("t.u8"), 200u);
  EXPECT_EQ(*f.GetI64("t.i8"), -100);
  EXPECT_EQ(*f.GetU32("t.u16"), 60000u);
  EXPECT_EQ(*f.GetI64("t.i16"), -30000);
  EXPECT_EQ(*f.GetU32("t.u32"), 4000000000u);
  EXPECT_EQ(*f.GetI64("t.i32"), -2000000000);
  EXPECT_EQ(*f.GetF32("t.f32"), 1.5f);
  EXPECT_EQ(*f.GetBool("t.bool"), true);
  EXPECT_EQ(*f.GetString("t.string"), "h\xc3\xa9llo");
  EXPECT_EQ(*f.GetU64("t.u64"), (1ull << 63) + 5);
  EXPECT_EQ(*f.GetI64("t.i64"), -(1ll << 62));
  EXPECT_EQ(f.Find("t.f64")->ToF64().value(), 0.1);
  EXPECT_EQ(*f.GetF32("t.f64"), 0.1f);  // narrowed
  EXPECT_EQ(*f.GetString("t.empty_string"), "");
  EXPECT_EQ(*f.GetI64("t.u32"), 4000000000);  // widened
}

TEST_P(EveryTypeTest, ArraysReadBackExactly) {
  const GgufFile f = MustParse(EveryType(GetParam()).Serialize());
  EXPECT_THAT(*f.GetI32Array("a.u8"), ElementsAre(1, 255));
  EXPECT_THAT(*f.GetI32Array("a.i16"), ElementsAre(-2, 300));
  EXPECT_THAT(*f.GetF32Array("a.f32"), ElementsAre(0.0f, -1.25f, 3e38f));
  EXPECT_THAT(*f.GetF32Array("a.f64"), ElementsAre(2.5f, -0.5f));
  EXPECT_THAT(*f.GetStringArray("a.string"), ElementsAre("<s>", "", "\xe2\x96\x81the"));
  EXPECT_TRUE(f.GetI32Array("a.empty")->empty());
  const GgufArray* bools = *f.GetArray("a.bool");
  ASSERT_EQ(bools->size, 2u);
  EXPECT_EQ(bools->Fixed<uint8_t>(0), 0);
  EXPECT_EQ(bools->Fixed<uint8_t>(1), 1);
  const GgufArray* u32 = *f.GetArray("a.u32");
  EXPECT_EQ(u32->element_type, GgufValueType::kUint32);
  EXPECT_EQ(u32->Fixed<uint32_t>(1), 3000000000u);

  const GgufArray* nested = *f.GetArray("a.nested");
  ASSERT_EQ(nested->element_type, GgufValueType::kArray);
  ASSERT_EQ(nested->arrays.size(), 3u);
  const GgufArray* first = nested->arrays[0].array();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->element_type, GgufValueType::kInt32);
  EXPECT_EQ(first->Fixed<int32_t>(1), -2);
  EXPECT_THAT(nested->arrays[1].array()->strings, ElementsAre("x"));
  const GgufArray* deep = nested->arrays[2].array()->arrays[0].array();
  EXPECT_EQ(deep->Fixed<uint8_t>(0), 9);
}

INSTANTIATE_TEST_SUITE_P(Versions, EveryTypeTest, ::testing::Values(2u, 3u));

TEST(GgufGettersTest, WrongTypesNameTheKeyAndBothTypes) {
  const GgufFile f = MustParse(EveryType(3).Serialize(), "model.gguf");
  ExpectCorrupt(f.GetString("t.u32"), "model.gguf: key 't.u32': has type uint32, want string");
  ExpectCorrupt(f.GetU32("t.string"), "key 't.string': has type string, want an unsigned integer");
  ExpectCorrupt(f.GetU32("t.i8"), "key 't.i8': value -100 is negative");
  ExpectCorrupt(f.GetU32("t.u64"), "key 't.u64': value 9223372036854775813 does not fit in uint32");
  ExpectCorrupt(f.GetI64("t.u64"), "does not fit in int64");
  ExpectCorrupt(f.GetF32("t.u8"), "has type uint8, want a float");
  ExpectCorrupt(f.GetBool("t.u8"), "want bool");
  ExpectCorrupt(f.GetStringArray("a.u8"),
                "key 'a.u8': is an array of uint8, want an array of string");
  ExpectCorrupt(f.GetF32Array("a.string"), "want an array of float");
  ExpectCorrupt(f.GetI32Array("a.f32"), "want an array of integers");
  ExpectCorrupt(f.GetI32Array("a.u32"), "key 'a.u32': element 1 does not fit in int32");
  ExpectCorrupt(f.GetArray("t.u8"), "has type uint8, want array");
  ExpectCorrupt(f.GetU32("no.such.key"), "model.gguf: required key 'no.such.key' is missing");
  EXPECT_FALSE(f.Has("no.such.key"));
  EXPECT_EQ(f.Find("no.such.key"), nullptr);
}

TEST(GgufGettersTest, FallbacksApplyOnlyWhenTheKeyIsAbsent) {
  const GgufFile f = MustParse(EveryType(3).Serialize());
  EXPECT_EQ(*f.GetU32Or("missing", 7), 7u);
  EXPECT_EQ(*f.GetU32Or("t.u16", 7), 60000u);
  EXPECT_EQ(*f.GetF32Or("missing", 0.5f), 0.5f);
  EXPECT_EQ(*f.GetBoolOr("missing", true), true);
  EXPECT_FALSE(f.GetU32Or("t.string", 7).ok());  // present with the wrong type: an error
  EXPECT_FALSE(f.GetBoolOr("t.u8", false).ok());
}

TEST(GgufWriterTest, SettingAKeyAgainReplacesIt) {
  GgufWriter w;
  w.SetU32("k", 1);
  w.SetString("other", "x");
  w.SetU32("k", 2);
  const GgufFile f = MustParse(w.Serialize());
  ASSERT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata()[0].key, "k");
  EXPECT_EQ(*f.GetU32("k"), 2u);
}

TEST(GgufWriterTest, RefusesInconsistentTensors) {
  GgufWriter w;
  EXPECT_EQ(w.AddTensor("a", GgmlType::kF32, {4}, std::vector<uint8_t>(15)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddTensor("a", GgmlType::kQ8_0, {16}, std::vector<uint8_t>(17)).code(),
            StatusCode::kInvalidArgument);  // half a block
  EXPECT_EQ(w.AddTensor("a", GgmlType::kF32, {}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddTensor("a", GgmlType::kF32, {1, 1, 1, 1, 1}, std::vector<uint8_t>(4)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.AddTensor(std::string(65, 'n'), GgmlType::kF32, {1}, std::vector<uint8_t>(4)).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(w.AddTensor("a", GgmlType::kF32, {1}, std::vector<uint8_t>(4)).ok());
  EXPECT_EQ(w.AddTensor("a", GgmlType::kF32, {1}, std::vector<uint8_t>(4)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.SetAlignment(24).code(), StatusCode::kInvalidArgument);
}

struct WrittenTensors {
  std::vector<float> f32 = {1, -2, 3.5f, 0, 1e-30f, -7};
  std::vector<uint8_t> q8;
  std::vector<uint8_t> q4k;
  std::vector<uint8_t> iq2 = std::vector<uint8_t>(66, 0x5a);
};

GgufWriter WithTensors(uint32_t version, uint32_t alignment, WrittenTensors& t) {
  GgufWriter w(version);
  w.SetString("general.architecture", "llama");
  if (alignment != 32) {
    EXPECT_TRUE(w.SetAlignment(alignment).ok());
  }
  std::vector<float> row(64);
  for (int i = 0; i < 64; ++i) row[i] = static_cast<float>(i % 9) - 4.0f;
  t.q8.resize(2 * 34);
  EXPECT_TRUE(QuantizeRow(GgmlType::kQ8_0, row, t.q8).ok());
  std::vector<float> krow(256);
  for (int i = 0; i < 256; ++i) krow[i] = static_cast<float>(i % 13) * 0.25f - 1.0f;
  t.q4k.resize(144);
  EXPECT_TRUE(QuantizeRow(GgmlType::kQ4_K, krow, t.q4k).ok());
  EXPECT_TRUE(w.AddTensor("f32.weight", GgmlType::kF32, {3, 2}, Floats(t.f32)).ok());
  EXPECT_TRUE(w.AddTensor("q8.weight", GgmlType::kQ8_0, {32, 2}, t.q8).ok());
  EXPECT_TRUE(w.AddTensor("q4k.weight", GgmlType::kQ4_K, {256, 1, 1, 1}, t.q4k).ok());
  EXPECT_TRUE(w.AddTensor("iq2.weight", GgmlType::kIQ2_XXS, {256}, t.iq2).ok());
  return w;
}

class TensorLayoutTest : public ::testing::TestWithParam<std::tuple<uint32_t, uint32_t>> {};

TEST_P(TensorLayoutTest, TensorsReadBackInPlaceAndAligned) {
  const auto [version, alignment] = GetParam();
  WrittenTensors t;
  const std::vector<uint8_t> bytes = WithTensors(version, alignment, t).Serialize();
  const GgufFile f = MustParse(bytes);
  EXPECT_EQ(f.alignment(), alignment);
  EXPECT_EQ(f.data_offset() % alignment, 0u);
  ASSERT_EQ(f.tensors().size(), 4u);

  const GgufTensorInfo& a = f.tensors()[0];
  EXPECT_EQ(a.name, "f32.weight");
  EXPECT_EQ(a.type, GgmlType::kF32);
  EXPECT_EQ(a.n_dims, 2u);
  EXPECT_THAT(a.dims, ElementsAre(3u, 2u, 1u, 1u));
  EXPECT_EQ(a.n_elements, 6u);
  EXPECT_EQ(a.n_bytes, 24u);
  EXPECT_EQ(a.offset, 0u);
  EXPECT_EQ(a.file_offset, f.data_offset());
  const auto data = f.TensorData(a);
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), Floats(t.f32));

  const GgufTensorInfo* q8 = f.FindTensor("q8.weight");
  ASSERT_NE(q8, nullptr);
  EXPECT_EQ(q8->n_bytes, 68u);
  EXPECT_EQ(q8->offset % alignment, 0u);
  EXPECT_GE(q8->offset, 24u);
  const auto q8_data = *f.TensorDataByName("q8.weight");
  EXPECT_EQ(std::vector<uint8_t>(q8_data.begin(), q8_data.end()), t.q8);
  std::vector<float> row(32);
  ASSERT_TRUE(DequantizeRow(GgmlType::kQ8_0, q8_data.subspan(34, 34), row).ok());
  EXPECT_NEAR(row[0], 1.0f, 0.02f);  // element 32 of the original row: 32 % 9 - 4

  const GgufTensorInfo* q4k = f.FindTensor("q4k.weight");
  EXPECT_EQ(q4k->n_dims, 4u);
  EXPECT_EQ(q4k->n_bytes, 144u);
  // A type docent cannot compute with is still sized and readable; using it is refused.
  const GgufTensorInfo* iq2 = f.FindTensor("iq2.weight");
  EXPECT_EQ(iq2->n_bytes, 66u);
  EXPECT_EQ(f.TensorData(*iq2)[65], 0x5a);
  EXPECT_EQ(iq2->file_offset + iq2->n_bytes, bytes.size());  // the file ends at the last tensor
  std::vector<float> out(256);
  EXPECT_EQ(DequantizeRow(GgmlType::kIQ2_XXS, f.TensorData(*iq2), out).code(),
            StatusCode::kUnsupported);

  EXPECT_EQ(f.FindTensor("absent"), nullptr);
  ExpectCorrupt(f.TensorDataByName("absent"), "no tensor named 'absent'");
  for (const GgufTensorInfo& ti : f.tensors()) {
    EXPECT_EQ(ti.file_offset % alignment, 0u) << ti.name;
    // FromBytes copies onto a 64-byte boundary, so aligned offsets give aligned pointers.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(f.TensorData(ti).data()) % std::min(alignment, 64u), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(VersionsAndAlignments, TensorLayoutTest,
                         ::testing::Combine(::testing::Values(2u, 3u),
                                            ::testing::Values(32u, 1u, 8u, 64u, 4096u)));

TEST(GgufFileTest, OpenMapsTheSameFileFromAPath) {
  testing::TempDir dir;
  WrittenTensors t;
  const GgufWriter w = WithTensors(3, 32, t);
  const auto path = dir / "m.gguf";
  ASSERT_TRUE(w.WriteFile(path).ok());
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->name(), path.string());
  EXPECT_EQ(*f->GetString("general.architecture"), "llama");
  const std::vector<uint8_t> bytes = w.Serialize();
  EXPECT_EQ(f->bytes().size(), bytes.size());
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), f->bytes().begin()));
  // Moving keeps every view valid: the bytes do not move.
  GgufFile moved = std::move(f).value();
  EXPECT_EQ(moved.tensors()[0].name, "f32.weight");
  EXPECT_EQ(*moved.GetString("general.architecture"), "llama");
}

TEST(GgufFileTest, OpenReportsFileSystemErrors) {
  testing::TempDir dir;
  auto missing = GgufFile::Open(dir / "nope.gguf");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.gguf"));
  EXPECT_EQ(GgufFile::Open(dir.path()).status().code(), StatusCode::kInvalidArgument);
  const auto empty = dir.Write("empty.gguf", "");
  auto e = GgufFile::Open(empty);
  ExpectCorrupt(e, "empty.gguf: truncated: magic needs 4 bytes at byte 0");
}

TEST(GgufFileTest, FileWithoutTensorsMayEndBeforeTheDataSection) {
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  const std::vector<uint8_t> bytes = w.Serialize();
  const GgufFile f = MustParse(bytes);
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_EQ(bytes.size(), 24u + 8 + 20 + 4 + 8 + 5);  // header, one key/value, no padding
  EXPECT_GE(f.data_offset(), bytes.size());
}

}  // namespace
}  // namespace docent::llm
