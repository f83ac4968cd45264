// docent eval end to end on a hand-made BEIR set: two questions, one the corpus answers and
// one it never mentions, so every figure is known by hand.
#include "docent/eval/runner.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace docent::eval {
namespace {

void WriteSet(const testing::TempDir& dir) {
  dir.Write("set/corpus.jsonl",
            "{\"_id\": \"d1\", \"title\": \"Leave\", \"text\": \"Every employee receives 15 days "
            "of annual leave per year.\"}\n"
            "{\"_id\": \"d2\", \"title\": \"Parking\", \"text\": \"Parking in the garage is free "
            "for visitors.\"}\n");
  dir.Write("set/queries.jsonl",
            "{\"_id\": \"q1\", \"text\": \"How many days of annual leave does an employee "
            "receive?\", \"answers\": [\"15 days\"]}\n"
            "{\"_id\": \"q2\", \"text\": \"What is the submarine budget?\", \"answers\": "
            "[\"40000\"]}\n");
  dir.Write("set/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
}

TEST(EvalRunnerTest, ReportsGoldRefusalsAndAnswerLength) {
  testing::TempDir dir;
  WriteSet(dir);
  EvalOptions options;
  options.work_dir = dir.path();
  auto r = RunEval(dir / "set", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->queries, 2u);
  // q1 is answered from d1, ranked first (nDCG 1); q2 matches nothing (nDCG 0).
  EXPECT_DOUBLE_EQ(r->ndcg10, 0.5);
  ASSERT_TRUE(r->answer_contains_gold && r->refused && r->answer_chars_mean);
  EXPECT_DOUBLE_EQ(*r->answer_contains_gold, 0.5);
  EXPECT_DOUBLE_EQ(*r->refused, 0.5) << "the submarine question is refused";
  // The one answer is d1's sentence and its citation marker.
  EXPECT_GE(*r->answer_chars_mean, 57.0);
  ASSERT_TRUE(r->first_sentence_contains_gold);
  EXPECT_DOUBLE_EQ(*r->first_sentence_contains_gold, 0.5);
  // Both questions with answers are asked again without their documents (the sample is all
  // of them here): nothing is left to answer from, so both are refused.
  EXPECT_EQ(r->unanswerable, 2u);
  ASSERT_TRUE(r->unanswerable_refused);
  EXPECT_DOUBLE_EQ(*r->unanswerable_refused, 1.0);
  EXPECT_EQ(r->unanswerable_answered_gold, 0u);

  // In a named workspace of the throwaway store the figures are the same.
  options.workspace = "hr";
  auto named = RunEval(dir / "set", options);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->ndcg10, r->ndcg10);
  EXPECT_EQ(named->answer_contains_gold, r->answer_contains_gold);
  EXPECT_EQ(named->refused, r->refused);
  EXPECT_EQ(named->answer_chars_mean, r->answer_chars_mean);
  EXPECT_EQ(named->unanswerable_refused, r->unanswerable_refused);
}

// The held-out pass leaves out only the sampled questions' documents: with three documents,
// asking about leave without d1 still finds d3, which says something else about leave.
TEST(EvalRunnerTest, UnanswerableQuestionsAreAskedWithoutTheirDocuments) {
  testing::TempDir dir;
  dir.Write("set/corpus.jsonl",
            "{\"_id\": \"d1\", \"title\": \"Leave\", \"text\": \"Every employee receives 15 days "
            "of annual leave per year.\"}\n"
            "{\"_id\": \"d3\", \"title\": \"Leave requests\", \"text\": \"Annual leave requests "
            "go to the team lead.\"}\n");
  dir.Write("set/queries.jsonl",
            "{\"_id\": \"q1\", \"text\": \"How many days of annual leave does an employee "
            "receive?\", \"answers\": [\"15 days\"]}\n");
  dir.Write("set/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
  EvalOptions options;
  options.work_dir = dir.path();
  auto r = RunEval(dir / "set", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(*r->answer_contains_gold, 1.0);
  EXPECT_EQ(r->unanswerable, 1u);
  ASSERT_TRUE(r->unanswerable_refused);
  // d3 shares "annual leave" but not the days an employee receives: refused.
  EXPECT_DOUBLE_EQ(*r->unanswerable_refused, 1.0);
  options.unanswerable = 0;
  auto skipped = RunEval(dir / "set", options);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->unanswerable, 0u);
  EXPECT_FALSE(skipped->unanswerable_refused);
}

}  // namespace
}  // namespace docent::eval
