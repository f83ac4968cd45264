// The term index's two ways to analyze a chunk agree: terms analyzed apart from the index
// (before a commit, without its lock) and resolved afterwards are exactly the terms, counts
// and length the index's own analysis gives, and adding either finds the same postings.
#include "docent/store/term_index.h"

#include <gtest/gtest.h>

namespace docent::store {
namespace {

constexpr const char* kTitle = "연차 휴가 규정 Leave Policy";
constexpr const char* kHeading = "Annual leave > 연차휴가";
constexpr const char* kBody =
    "Every employee receives 15 days of annual leave. 연차 휴가는 입사 1년 후 15일이 주어진다. "
    "Leave leave LEAVE: ISO27001 v2.3, 2024년.";

TEST(TermIndexTest, TermsAnalyzedApartResolveToTheIndexsOwnAnalysis) {
  TermIndex index;
  const ChunkTerms own = index.AnalyzeChunk(7, kTitle, kHeading, kBody);
  const ChunkTerms resolved = index.Resolve(AnalyzeChunkText(7, kTitle, kHeading, kBody));
  EXPECT_EQ(resolved.chunk_id, 7);
  EXPECT_EQ(resolved.length, own.length);
  ASSERT_EQ(resolved.terms.size(), own.terms.size());
  ASSERT_GT(own.terms.size(), 10u);
  for (size_t i = 0; i < own.terms.size(); ++i) {
    EXPECT_EQ(resolved.terms[i].term, own.terms[i].term) << i;
    for (int c = 0; c < 3; ++c) EXPECT_EQ(resolved.terms[i].counts[c], own.terms[i].counts[c]);
  }
  index.Add(resolved);
  const auto* leave = index.Find("leav");  // stemmed
  ASSERT_NE(leave, nullptr);
  ASSERT_EQ(leave->size(), 1u);
  EXPECT_EQ((*leave)[0].body, 4u);  // "leave" x3 and "LEAVE"
  EXPECT_EQ((*leave)[0].title, 1u);
  index.Remove(index.Resolve(AnalyzeChunkText(7, kTitle, kHeading, kBody)));
  EXPECT_EQ(index.Find("leav"), nullptr);
  EXPECT_EQ(index.rows(), 0);
}

}  // namespace
}  // namespace docent::store
