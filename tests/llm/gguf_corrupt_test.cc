// Broken and hostile GGUF files: each must end in Corrupt or Unsupported (or TooLarge for a
// resource limit) with a message naming the file, the key or tensor and the byte offset,
// never a crash, a huge allocation or an escaped exception. Files are assembled byte by byte
// with RawGguf so each fault sits exactly where the test says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

// Little-endian GGUF building blocks, with no validation at all.
class RawGguf {
 public:
  RawGguf& Magic(std::string_view m = "GGUF") { return Bytes(m); }
  RawGguf& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return Magic().U32(version).U64(n_tensors).U64(n_kv);
  }
  RawGguf& U8(uint8_t v) { return Put(&v, 1); }
  RawGguf& U32(uint32_t v) { return Put(&v, 4); }
  RawGguf& U64(uint64_t v) { return Put(&v, 8); }
  RawGguf& Bytes(std::string_view s) { return Put(s.data(), s.size()); }
  RawGguf& Str(std::string_view s) { return U64(s.size()).Bytes(s); }
  RawGguf& KvU32(std::string_view key, uint32_t v) { return Str(key).U32(4).U32(v); }
  RawGguf& Tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type,
                  uint64_t offset) {
    Str(name).U32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) U64(d);
    return U32(type).U64(offset);
  }
  RawGguf& PadTo(size_t alignment) {
    while (b_.size() % alignment != 0) b_.push_back(0);
    return *this;
  }
  RawGguf& Zeros(size_t n) {
    b_.resize(b_.size() + n, 0);
    return *this;
  }
  size_t size() const { return b_.size(); }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  RawGguf& Put(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
    return *this;
  }
  std::vector<uint8_t> b_;
};

Result<GgufFile> Parse(const std::vector<uint8_t>& b) {
  return GgufFile::FromBytes(b, "bad.gguf");
}

void ExpectError(const std::vector<uint8_t>& b, StatusCode code, const std::string& part) {
  auto r = Parse(b);
  ASSERT_FALSE(r.ok()) << "parsed a broken file";
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("bad.gguf: "));
  EXPECT_THAT(r.status().message(), HasSubstr(part));
}

// A small valid file: metadata of several kinds, three tensors, the last with data.
std::vector<uint8_t> SmallValidFile() {
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetU32("llama.block_count", 2);
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray({"a", "bc", ""}));
  const float scores[] = {0.5f, -1.0f, 2.0f};
  w.Set("tokenizer.ggml.scores", GgufWriteValue::F32Array(scores));
  w.Set("nested", GgufWriteValue::Array(
                      GgufValueType::kArray,
                      {GgufWriteValue::Array(GgufValueType::kBool, {GgufWriteValue::Bool(true)})}));
  EXPECT_TRUE(w.AddTensor("a", GgmlType::kF32, {3}, std::vector<uint8_t>(12, 1)).ok());
  EXPECT_TRUE(w.AddTensor("b", GgmlType::kQ8_0, {32}, std::vector<uint8_t>(34, 2)).ok());
  EXPECT_TRUE(w.AddTensor("c", GgmlType::kF16, {2, 2}, std::vector<uint8_t>(8, 3)).ok());
  return w.Serialize();
}

TEST(GgufCorruptTest, EveryTruncationIsAnError) {
  const std::vector<uint8_t> full = SmallValidFile();
  ASSERT_TRUE(Parse(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    const std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
    auto r = Parse(prefix);
    ASSERT_FALSE(r.ok()) << "a " << n << "-byte prefix parsed";
    EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << n << ": " << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr("bad.gguf: ")) << n;
  }
}

TEST(GgufCorruptTest, RandomByteFlipsNeverCrash) {
  const std::vector<uint8_t> full = SmallValidFile();
  std::mt19937 rng(1234);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b = full;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto r = Parse(b);
    if (r.ok()) {
      ++parsed;
      for (const GgufTensorInfo& t : r->tensors()) {
        const auto data = r->TensorData(t);
        ASSERT_LE(t.file_offset + data.size(), b.size());
      }
    } else {
      EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().ToString();
    }
  }
  EXPECT_GT(parsed, 0);  // flips inside tensor data are harmless, so some files still parse
}

TEST(GgufCorruptTest, BadMagic) {
  std::vector<uint8_t> b = SmallValidFile();
  b[0] = 'g';
  ExpectError(b, StatusCode::kCorrupt, "not a GGUF file: the magic is 'gGUF', want 'GGUF'");
  ExpectError(RawGguf()
                  .Bytes("\x7f"
                         "ELF")
                  .U32(3)
                  .bytes(),
              StatusCode::kCorrupt, "the magic is '\\x7fELF'");
}

TEST(GgufCorruptTest, VersionsOtherThanTwoAndThreeAreUnsupported) {
  ExpectError(RawGguf().Header(0, 0, 1).bytes(), StatusCode::kUnsupported,
              "GGUF version 1 is not supported");
  ExpectError(RawGguf().Header(0, 0, 4).bytes(), StatusCode::kUnsupported,
              "GGUF version 4 is not supported; docent reads versions 2 and 3 (at byte 4)");
  ExpectError(RawGguf().Header(0, 0, 0x03000000).bytes(), StatusCode::kUnsupported,
              "big-endian GGUF (version 3) is not supported");
  ExpectError(RawGguf().Header(0, 0, 0x02000000).bytes(), StatusCode::kUnsupported, "big-endian");
  EXPECT_TRUE(Parse(RawGguf().Header(0, 0, 2).bytes()).ok());
}

TEST(GgufCorruptTest, HugeCountsFailFastWithoutAllocating) {
  const auto start = std::chrono::steady_clock::now();
  ExpectError(RawGguf().Header(0, 1ull << 60).bytes(), StatusCode::kCorrupt,
              "the header declares 1152921504606846976 metadata entries");
  ExpectError(RawGguf().Header(1ull << 60, 0).bytes(), StatusCode::kCorrupt,
              "declares 1152921504606846976 tensors");
  ExpectError(RawGguf().Header(~0ull, ~0ull).bytes(), StatusCode::kCorrupt, "declares");
  // 2^60 strings in an array: refused from the count alone.
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(9).U32(8).U64(1ull << 60).bytes(),
              StatusCode::kCorrupt,
              "key 'k': an array of 1152921504606846976 string values cannot fit in the 0 bytes "
              "left (at byte 37)");
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(9).U32(4).U64(~0ull / 2).Zeros(64).bytes(),
              StatusCode::kCorrupt, "uint32 values cannot fit");
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(9).U32(9).U64(1ull << 62).Zeros(64).bytes(),
              StatusCode::kCorrupt, "array values cannot fit");
  // A string claiming 2^60 bytes, as a value, a key and a tensor name.
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(8).U64(1ull << 60).Zeros(16).bytes(),
              StatusCode::kCorrupt, "key 'k': truncated: string value needs 1152921504606846976");
  ExpectError(RawGguf().Header(0, 1).U64(1ull << 60).Zeros(16).bytes(), StatusCode::kCorrupt,
              "metadata entry 0: metadata key is 1152921504606846976 bytes long, over the limit "
              "of 65535 (at byte 24)");
  ExpectError(RawGguf().Header(1, 0).U64(1ull << 60).Zeros(32).bytes(), StatusCode::kCorrupt,
              "tensor 0: tensor name is 1152921504606846976 bytes long, over the limit of 64");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(GgufCorruptTest, UnknownValueTypes) {
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(13).U32(0).bytes(), StatusCode::kCorrupt,
              "key 'k': unknown value type 13 (at byte 33)");
  ExpectError(RawGguf().Header(0, 1).Str("k").U32(9).U32(77).U64(0).bytes(), StatusCode::kCorrupt,
              "key 'k': unknown array element type 77 (at byte 37)");
}

TEST(GgufCorruptTest, BoolsMustBeZeroOrOne) {
  ExpectError(RawGguf().Header(0, 1).Str("flag").U32(7).U8(2).bytes(), StatusCode::kCorrupt,
              "key 'flag': bool value 2 is neither 0 nor 1 (at byte 40)");
  ExpectError(RawGguf().Header(0, 1).Str("f").U32(9).U32(7).U64(3).U8(1).U8(0).U8(5).bytes(),
              StatusCode::kCorrupt, "key 'f': bool element 2 is 5, neither 0 nor 1 (at byte 51)");
}

TEST(GgufCorruptTest, KeysMustBeUniqueAndNonEmpty) {
  ExpectError(RawGguf().Header(0, 2).KvU32("a.b", 1).KvU32("a.b", 2).bytes(), StatusCode::kCorrupt,
              "key 'a.b' appears twice (at byte 43)");
  ExpectError(RawGguf().Header(0, 1).KvU32("", 1).bytes(), StatusCode::kCorrupt,
              "metadata entry 0 has an empty key (at byte 24)");
}

TEST(GgufCorruptTest, ArraysNestedTooDeep) {
  RawGguf r;
  r.Header(0, 1).Str("deep").U32(9);
  for (int i = 0; i < 9; ++i) r.U32(9).U64(1);
  r.U32(0).U64(0);
  ExpectError(r.bytes(), StatusCode::kCorrupt, "key 'deep': arrays are nested more than 8 deep");
  RawGguf ok;
  ok.Header(0, 1).Str("deep").U32(9);
  for (int i = 0; i < 7; ++i) ok.U32(9).U64(1);
  ok.U32(0).U64(0);
  EXPECT_TRUE(Parse(ok.bytes()).ok());
}

TEST(GgufCorruptTest, TooManyNestedArraysAreTooLarge) {
  // One more empty inner array (12 bytes each) than the limit: the count fits in the file, so
  // only the memory limit refuses it, before any inner array is parsed.
  RawGguf r;
  r.Header(0, 1).Str("k").U32(9).U32(9).U64(kGgufMaxNestedArrays + 1);
  for (uint64_t i = 0; i <= kGgufMaxNestedArrays; ++i) r.U32(0).U64(0);
  ExpectError(r.bytes(), StatusCode::kTooLarge,
              "key 'k': more than 1048576 arrays nested inside arrays (at byte 37)");
}

TEST(GgufCorruptTest, AlignmentMustBeAPowerOfTwo) {
  ExpectError(RawGguf().Header(0, 1).KvU32("general.alignment", 24).bytes(), StatusCode::kCorrupt,
              "key 'general.alignment': alignment 24 is not a power of two that fits in 32 bits "
              "(at byte 53)");
  ExpectError(RawGguf().Header(0, 1).KvU32("general.alignment", 0).bytes(), StatusCode::kCorrupt,
              "alignment 0 is not a power of two");
  ExpectError(RawGguf().Header(0, 1).Str("general.alignment").U32(8).Str("32").bytes(),
              StatusCode::kCorrupt, "key 'general.alignment': has type string");
}

// One tensor info after a header with no metadata, then padding and `data_bytes` of data.
std::vector<uint8_t> OneTensor(std::vector<uint64_t> dims, uint32_t type, uint64_t offset,
                               size_t data_bytes, std::string_view name = "w") {
  RawGguf r;
  r.Header(1, 0).Tensor(name, std::move(dims), type, offset).PadTo(32).Zeros(data_bytes);
  return r.bytes();
}

TEST(GgufCorruptTest, TensorShapeChecks) {
  EXPECT_TRUE(Parse(OneTensor({4, 2}, 0, 0, 32)).ok());
  ExpectError(OneTensor({1, 1, 1, 1, 1}, 0, 0, 4), StatusCode::kCorrupt,
              "tensor 'w' has 5 dimensions, at most 4 are allowed (at byte 33)");
  ExpectError(OneTensor({1ull << 32, 1ull << 32}, 0, 0, 4), StatusCode::kCorrupt,
              "tensor 'w': dimension 1 (4294967296) overflows the element count (at byte 45)");
  ExpectError(OneTensor({1ull << 63}, 0, 0, 4), StatusCode::kCorrupt,
              "dimension 0 (9223372036854775808) overflows");
  ExpectError(OneTensor({3, 3, 3, 1ull << 62}, 0, 0, 4), StatusCode::kCorrupt, "overflows");
  // Fits in int64 elements, but not in bytes.
  ExpectError(OneTensor({1ull << 62}, 0, 0, 4), StatusCode::kCorrupt, "byte size overflows");
  ExpectError(OneTensor({31, 2}, 8, 0, 68), StatusCode::kCorrupt,
              "tensor 'w': row length 31 is not a multiple of the Q8_0 block size 32");
  ExpectError(OneTensor({1}, 0, 0, 4, std::string(65, 'x')), StatusCode::kCorrupt,
              "tensor name is 65 bytes long, over the limit of 64");
}

TEST(GgufCorruptTest, UnknownTensorTypesAreUnsupported) {
  ExpectError(OneTensor({4}, 4, 0, 16), StatusCode::kUnsupported,
              "tensor 'w' has unknown ggml type id 4 (at byte 45)");  // Q4_2, removed from ggml
  ExpectError(OneTensor({4}, 99, 0, 16), StatusCode::kUnsupported, "unknown ggml type id 99");
  ExpectError(OneTensor({4}, 0xffffffff, 0, 16), StatusCode::kUnsupported, "4294967295");
}

TEST(GgufCorruptTest, OffsetsMustBeAlignedAndInsideTheFile) {
  ExpectError(OneTensor({4}, 0, 4, 32), StatusCode::kCorrupt,
              "tensor 'w': data offset 4 is not a multiple of the alignment 32 (at byte 49)");
  ExpectError(OneTensor({4}, 0, 32, 32), StatusCode::kCorrupt,
              "tensor 'w': its 16 bytes at data offset 32 run past the end of the file (96 bytes; "
              "data section at byte 64)");
  ExpectError(OneTensor({4}, 0, 0, 15), StatusCode::kCorrupt, "run past the end of the file");
  // An offset so large that data_offset + offset wraps around.
  ExpectError(OneTensor({4}, 0, ~0ull - 31, 16), StatusCode::kCorrupt, "run past the end");
}

TEST(GgufCorruptTest, TensorNamesMustBeUnique) {
  RawGguf r;
  r.Header(2, 0).Tensor("w", {4}, 0, 0).Tensor("w", {4}, 0, 32).PadTo(32).Zeros(64);
  ExpectError(r.bytes(), StatusCode::kCorrupt, "tensor 'w' appears twice (at byte 57)");
}

TEST(GgufCorruptTest, TensorsMustNotOverlap) {
  RawGguf r;
  r.Header(2, 0).Tensor("a", {16}, 0, 0).Tensor("b", {8}, 0, 32).PadTo(32).Zeros(64);
  ExpectError(r.bytes(), StatusCode::kCorrupt,
              "tensor 'b' at data offset 32 overlaps tensor 'a' (data offsets 0 to 64)");
  RawGguf touching;
  touching.Header(2, 0).Tensor("a", {8}, 0, 0).Tensor("b", {8}, 0, 32).PadTo(32).Zeros(64);
  EXPECT_TRUE(Parse(touching.bytes()).ok());
}

TEST(GgufCorruptTest, MessagesQuoteHostileNamesSafely) {
  ExpectError(OneTensor({4}, 0, 4, 32, std::string("w\n\x01'", 4)), StatusCode::kCorrupt,
              "tensor 'w\\x0a\\x01\\x27': data offset 4");
}

}  // namespace
}  // namespace docent::llm
