// The term index's two ways to analyze a chunk agree: terms analyzed apart from the index
// (before a commit, without its lock) and resolved afterwards are exactly the terms, counts
// and length the index's own analysis gives, and adding either finds the same postings.
#include "docent/store/term_index.h"

#include <gtest/gtest.h>

#include <string>

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

// Compacted() drops removed chunks' slots and terms no live chunk uses, keeps every live
// posting (by chunk id, with its counts and length) and the live slots' order, and continues
// the generation.
TEST(TermIndexTest, CompactedKeepsTheLiveIndexAndDropsTheDead) {
  TermIndex index;
  auto body = [](int doc, int round) {
    return "shared words here unique" + std::to_string(doc) + "x" + std::to_string(round) +
           " more" + std::to_string(round);
  };
  for (int doc = 0; doc < 40; ++doc) index.Add(index.AnalyzeChunk(doc, "t", "", body(doc, 0)));
  // Replace every chunk five times with new words (new chunk ids, as the store assigns).
  int64_t next_id = 40;
  std::vector<int64_t> live(40);
  for (int doc = 0; doc < 40; ++doc) live[doc] = doc;
  for (int round = 1; round <= 5; ++round) {
    for (int doc = 0; doc < 40; ++doc) {
      index.Remove(index.AnalyzeChunk(live[doc], "t", "", body(doc, round - 1)));
      live[doc] = next_id++;
      index.Add(index.AnalyzeChunk(live[doc], "t", "", body(doc, round)));
    }
  }
  EXPECT_EQ(index.rows(), 40);
  EXPECT_EQ(index.dead_slots(), 200u);
  EXPECT_GT(index.dead_terms(), 200u);  // unique<doc>x<round> of the old rounds, more<round>
  const TermIndex::Memory before = index.MemoryUse();
  EXPECT_GT(before.dead_bytes, 0u);

  const std::unique_ptr<TermIndex> compact = index.Compacted();
  EXPECT_EQ(compact->rows(), index.rows());
  EXPECT_EQ(compact->total_tokens(), index.total_tokens());
  EXPECT_EQ(compact->slot_count(), 40u);
  EXPECT_EQ(compact->dead_slots(), 0u);
  EXPECT_EQ(compact->dead_terms(), 0u);
  EXPECT_EQ(compact->generation(), index.generation() + 1);
  const TermIndex::Memory after = compact->MemoryUse();
  EXPECT_EQ(after.dead_bytes, 0u);
  EXPECT_LT(after.bytes, before.bytes - before.dead_bytes / 2);
  // Slots keep their order: the live chunk ids ascend in both.
  for (uint32_t s = 1; s < compact->slot_count(); ++s) {
    EXPECT_LT(compact->chunk_id(s - 1), compact->chunk_id(s));
  }
  // Every term's postings, as (chunk id, counts, length), are the same.
  for (const char* term : {"share", "word", "here", "unique0x5", "unique39x5", "more5", "t"}) {
    const auto* a = index.Find(term);
    const auto* b = compact->Find(term);
    ASSERT_NE(a, nullptr) << term;
    ASSERT_NE(b, nullptr) << term;
    ASSERT_EQ(a->size(), b->size()) << term;
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ(index.chunk_id((*a)[i].slot), compact->chunk_id((*b)[i].slot));
      EXPECT_EQ(index.length((*a)[i].slot), compact->length((*b)[i].slot));
      EXPECT_EQ((*a)[i].body, (*b)[i].body);
      EXPECT_EQ((*a)[i].title, (*b)[i].title);
    }
  }
  EXPECT_EQ(index.Find("unique0x0"), nullptr);
  EXPECT_EQ(compact->Find("unique0x0"), nullptr);
  // The compacted index goes on taking changes.
  compact->Remove(compact->AnalyzeChunk(live[0], "t", "", body(0, 5)));
  EXPECT_EQ(compact->rows(), 39);
  EXPECT_EQ(compact->Find("unique0x5"), nullptr);
}

}  // namespace
}  // namespace docent::store
