// The ggml type table against the GGUF spec's list of type ids and block geometry (as
// published in gguf-py's GGML_QUANT_SIZES), and the row-size arithmetic.
#include "docent/llm/ggml_types.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace docent::llm {
namespace {

struct Geometry {
  uint32_t id;
  const char* name;
  uint32_t block_size;
  uint32_t type_size;
};

// Transcribed from the spec, not from ggml_types.cc.
constexpr Geometry kSpec[] = {
    {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},
    {3, "Q4_1", 32, 20},      {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},
    {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},      {10, "Q2_K", 256, 84},
    {11, "Q3_K", 256, 110},   {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66},
    {17, "IQ2_XS", 256, 74},  {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},
    {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},  {22, "IQ2_S", 256, 82},
    {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},         {25, "I16", 1, 2},
    {26, "I32", 1, 4},        {27, "I64", 1, 8},        {28, "F64", 1, 8},
    {29, "IQ1_M", 256, 56},   {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},
    {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},    {40, "NVFP4", 64, 36},
    {41, "Q1_0", 128, 18},
};

TEST(GgmlTypesTest, GeometryMatchesTheSpec) {
  for (const Geometry& g : kSpec) {
    const GgmlTypeTraits* t = FindGgmlType(g.id);
    ASSERT_NE(t, nullptr) << g.name;
    EXPECT_EQ(static_cast<uint32_t>(t->type), g.id);
    EXPECT_EQ(t->name, g.name);
    EXPECT_EQ(t->block_size, g.block_size) << g.name;
    EXPECT_EQ(t->type_size, g.type_size) << g.name;
  }
}

TEST(GgmlTypesTest, RemovedAndUnknownIdsAreNotTypes) {
  std::set<uint32_t> known;
  for (const Geometry& g : kSpec) known.insert(g.id);
  for (uint32_t id = 0; id < 200; ++id) {
    EXPECT_EQ(FindGgmlType(id) != nullptr, known.count(id) == 1) << id;
  }
  EXPECT_EQ(FindGgmlType(4), nullptr);   // Q4_2, removed
  EXPECT_EQ(FindGgmlType(31), nullptr);  // Q4_0_4_4, removed from files
  EXPECT_EQ(FindGgmlType(0xffffffffu), nullptr);
}

TEST(GgmlTypesTest, ComputableTypesAreExactlyTheOnesWithKernels) {
  const std::set<GgmlType> computable = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16,
                                         GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_1,
                                         GgmlType::kQ5_0, GgmlType::kQ5_1, GgmlType::kQ4_K,
                                         GgmlType::kQ5_K, GgmlType::kQ6_K};
  for (const Geometry& g : kSpec) {
    const GgmlType type = FindGgmlType(g.id)->type;
    EXPECT_EQ(IsComputable(type), computable.count(type) == 1) << g.name;
    EXPECT_EQ(CheckComputable(type).ok(), computable.count(type) == 1) << g.name;
  }
  const Status s = CheckComputable(GgmlType::kIQ2_XXS);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_EQ(s.message(), "docent cannot compute with tensors of type IQ2_XXS");
}

TEST(GgmlTypesTest, RowBytes) {
  EXPECT_EQ(*RowBytes(GgmlType::kF32, 7), 28u);
  EXPECT_EQ(*RowBytes(GgmlType::kQ8_0, 4096), 128u * 34u);
  EXPECT_EQ(*RowBytes(GgmlType::kQ4_K, 512), 288u);
  EXPECT_EQ(*RowBytes(GgmlType::kQ6_K, 0), 0u);
  const auto ragged = RowBytes(GgmlType::kQ4_K, 100);
  EXPECT_EQ(ragged.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ragged.status().message(),
            "100 elements of type Q4_K are not a whole number of blocks of 256");
  EXPECT_EQ(RowBytes(GgmlType::kF64, 1ull << 62).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(GgmlTypeName(GgmlType::kBF16), "BF16");
}

}  // namespace
}  // namespace docent::llm
