// The extractive answer's acceptance test on the bundled examples/: questions the handbook
// answers get the sentence that answers them, cited to the right document; questions it does
// not cover get the plain "not in the documents" answer. Expectations are hand-derived from
// the example text (tests/data/rag/*.tsv).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "docent/indexer/indexer.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

std::vector<std::vector<std::string>> ReadTsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    rows.push_back(cols);
  }
  return rows;
}

class ExamplesAnswersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto s = store::Store::Open(dir_->path(), {.durable = false});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = s->release();
    std::vector<indexer::FileResult> problems;
    auto files = indexer::CollectFiles({testing::SourceDir() / "examples"}, &problems);
    ASSERT_GE(files.size(), 8u);
    for (const auto& f : files) {
      auto r = indexer::IndexFile(*store_, f);
      ASSERT_TRUE(r.outcome == indexer::Outcome::kAdded) << f << ": " << r.message;
    }
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }

  rag::ExtractiveAnswer Ask(const std::string& q) {
    auto passages = search::SearchBm25(*store_, docent::store::kDefaultWorkspaceId, q,
                                       search::SearchOptions::TopK(8));
    EXPECT_TRUE(passages.ok());
    rag::StoreTermStatistics stats(*store_, docent::store::kDefaultWorkspaceId);
    return rag::AnswerExtractively(q, passages.ok() ? *passages : std::vector<search::Passage>{},
                                   stats);
  }

  static testing::TempDir* dir_;
  static store::Store* store_;
};
testing::TempDir* ExamplesAnswersTest::dir_ = nullptr;
store::Store* ExamplesAnswersTest::store_ = nullptr;

TEST_F(ExamplesAnswersTest, CoveredQuestionsGetTheAnsweringSentence) {
  auto rows = ReadTsv(testing::SourceDir() / "tests/data/rag/answerable.tsv");
  ASSERT_GE(rows.size(), 20u);
  int answered = 0;
  for (const auto& row : rows) {
    ASSERT_GE(row.size(), 3u) << "question<TAB>expected substring<TAB>source file";
    rag::ExtractiveAnswer a = Ask(row[0]);
    bool ok = a.found && a.text.find(row[1]) != std::string::npos;
    bool cited = false;
    for (const auto& c : a.citations) cited |= c.passage.doc_path.find(row[2]) != std::string::npos;
    EXPECT_TRUE(ok && cited) << "Q: " << row[0] << "\nwant: " << row[1] << " from " << row[2]
                             << "\ngot: " << a.text;
    answered += ok && cited;
  }
  EXPECT_GE(answered, 20);
}

TEST_F(ExamplesAnswersTest, UncoveredQuestionsAreRefused) {
  auto rows = ReadTsv(testing::SourceDir() / "tests/data/rag/unanswerable.tsv");
  ASSERT_GE(rows.size(), 20u);
  for (const auto& row : rows) {
    rag::ExtractiveAnswer a = Ask(row[0]);
    EXPECT_FALSE(a.found) << "Q: " << row[0] << "\nguessed: " << a.text;
    if (!a.found) {
      EXPECT_EQ(a.text, rag::NotFoundMessage(row[0]));
    }
  }
}

TEST_F(ExamplesAnswersTest, SameQuestionSameBytes) {
  for (const char* q :
       {"How many days of annual leave do new employees get?", "연차 휴가는 며칠인가요?"}) {
    rag::ExtractiveAnswer a = Ask(q), b = Ask(q);
    EXPECT_EQ(a.text, b.text);
    ASSERT_EQ(a.citations.size(), b.citations.size());
    for (size_t i = 0; i < a.citations.size(); ++i) {
      EXPECT_EQ(a.citations[i].passage.chunk_id, b.citations[i].passage.chunk_id);
    }
  }
}

}  // namespace
}  // namespace docent
