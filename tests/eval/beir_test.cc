#include "docent/eval/beir.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace docent::eval {
namespace {

TEST(BeirTest, LoadsJudgedQueriesWithAnswers) {
  testing::TempDir dir;
  dir.Write("corpus.jsonl",
            "{\"_id\": \"d1\", \"title\": \"T1\", \"text\": \"first\"}\n"
            "{\"_id\": \"d2\", \"text\": \"second\"}\n");
  dir.Write("queries.jsonl",
            "{\"_id\": \"q1\", \"text\": \"what?\", \"answers\": [\"first\"]}\n"
            "{\"_id\": \"q2\", \"text\": \"unjudged\"}\n");
  dir.Write("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
  auto set = LoadBeir(dir.path());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->corpus.size(), 2u);
  EXPECT_EQ(set->corpus[0].title, "T1");
  EXPECT_EQ(set->corpus[1].title, "");
  ASSERT_EQ(set->queries.size(), 1u);  // q2 has no judgements
  EXPECT_EQ(set->queries[0].answers, std::vector<std::string>{"first"});
  EXPECT_EQ(set->qrels["q1"]["d1"], 1);
}

TEST(BeirTest, MalformedLineNamesFileAndLine) {
  testing::TempDir dir;
  dir.Write("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"ok\"}\n{not json\n");
  dir.Write("queries.jsonl", "");
  dir.Write("qrels/test.tsv", "query-id\tcorpus-id\tscore\n");
  auto set = LoadBeir(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(set.status().message().find("corpus.jsonl:2"), std::string::npos) << set.status().message();
}

}  // namespace
}  // namespace docent::eval
