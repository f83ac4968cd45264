// Grounding of a written answer: each sentence with content must cite a passage that holds
// it. The cases are hand-made; every term weighs the same (the fake's IDF 4.0), so a
// sentence's coverage is the share of its content words the cited passage holds.
#include "docent/rag/grounding.h"

#include <gtest/gtest.h>

#include "rag/fake_term_statistics.h"

namespace docent::rag {
namespace {

using testing::FakeTermStatistics;
using testing::MakePassage;

std::vector<Citation> Sources() {
  return {
      {1, MakePassage(100, "Employees receive 15 days of annual leave per year.", "Leave")},
      {2,
       MakePassage(200, "Laptops must be encrypted with a password of 14 characters.", "Security")},
      {3, MakePassage(300, "연차휴가는 근속 1년 이상이면 15일이다.", "휴가 규정")},
  };
}

TEST(GroundingTest, EachSentenceCitesAPassageThatHoldsIt) {
  FakeTermStatistics stats;
  const auto sources = Sources();
  Grounding g = CheckGrounding(
      "Employees get 15 days of annual leave. [1] Laptops are encrypted with a password. [2]",
      sources, stats);
  EXPECT_TRUE(g.grounded);
  EXPECT_EQ(g.sentences, 2u);
  EXPECT_EQ(g.supported, 2u);
  // Markers before the period, and several at once, count the same.
  EXPECT_TRUE(
      CheckGrounding("Employees get 15 days of annual leave [1].", sources, stats).grounded);
  EXPECT_TRUE(
      CheckGrounding("Employees get 15 days of annual leave. [2][1]", sources, stats).grounded);
  EXPECT_TRUE(
      CheckGrounding("Employees get 15 days of annual leave. [2, 1]", sources, stats).grounded);
  EXPECT_TRUE(CheckGrounding("연차휴가는 15일입니다. [3]", sources, stats).grounded);
}

TEST(GroundingTest, UncitedOrMiscitedSentencesAreNot) {
  FakeTermStatistics stats;
  const auto sources = Sources();
  // No marker at all.
  Grounding none = CheckGrounding("Employees get 15 days of annual leave.", sources, stats);
  EXPECT_FALSE(none.grounded);
  EXPECT_EQ(none.sentences, 1u);
  EXPECT_EQ(none.supported, 0u);
  // The cited passage says something else.
  EXPECT_FALSE(
      CheckGrounding("Employees get 15 days of annual leave. [2]", sources, stats).grounded);
  // A marker naming no source.
  EXPECT_FALSE(
      CheckGrounding("Employees get 15 days of annual leave. [7]", sources, stats).grounded);
  // One grounded sentence does not carry an invented one.
  Grounding mixed = CheckGrounding(
      "Employees get 15 days of annual leave. [1] Managers approve submarine budgets. [1]", sources,
      stats);
  EXPECT_FALSE(mixed.grounded);
  EXPECT_EQ(mixed.sentences, 2u);
  EXPECT_EQ(mixed.supported, 1u);
  // The wrong number: every other word matches, the number of days does not.
  EXPECT_FALSE(
      CheckGrounding("Employees get 30 days of annual leave. [1]", sources, stats).grounded);
  // A long number in brackets names no source (and reading it must not overflow).
  EXPECT_FALSE(
      CheckGrounding("Employees get 15 days of annual leave [12345678901].", sources, stats)
          .grounded);
  // A bracket that is no marker cites nothing.
  EXPECT_FALSE(CheckGrounding("Employees get 15 days of annual leave [see above].", sources, stats)
                   .grounded);
}

TEST(GroundingTest, ASentenceMayJoinTheSourcesItCites) {
  FakeTermStatistics stats;
  const auto sources = Sources();
  // Neither passage holds half of it; the two together hold all of it.
  EXPECT_TRUE(
      CheckGrounding("Employees receive 15 days of annual leave and laptops are encrypted with a "
                     "password of 14 characters [1][2].",
                     sources, stats)
          .grounded);
}

TEST(GroundingTest, AMadeUpNameIsNotReadAsATypoOfAnIndexedOne) {
  // "Jansen" is one letter from "jensen", which the passage names; grounding takes no typos,
  // so a sentence made mostly of names the passage lacks is not held by it.
  FakeTermStatistics stats;
  stats.PresentOnly({"jensen", "approv", "leav", "request"});
  const std::vector<Citation> sources = {
      {1, MakePassage(100, "Jensen approves leave requests.", "Leave")}};
  EXPECT_TRUE(CheckGrounding("Jensen Smith approves. [1]", sources, stats).grounded);
  EXPECT_FALSE(CheckGrounding("Jansen Smith approves. [1]", sources, stats).grounded);
}

TEST(GroundingTest, NothingToJudge) {
  FakeTermStatistics stats;
  EXPECT_TRUE(CheckGrounding("", Sources(), stats).grounded);
  // Text without a content word states nothing that could be checked: not grounded.
  Grounding what = CheckGrounding("What is it?", Sources(), stats);
  EXPECT_FALSE(what.grounded);
  EXPECT_EQ(what.sentences, 0u);
}

}  // namespace
}  // namespace docent::rag
