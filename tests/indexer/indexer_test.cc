#include "docent/indexer/indexer.h"

#include <gtest/gtest.h>

#include "docent/search/bm25_search.h"
#include "support/temp_dir.h"

namespace docent::indexer {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> Names(const std::vector<fs::path>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.filename().string());
  return out;
}

TEST(CollectFilesTest, WalksSortedSkipsHiddenAndStopsLoops) {
  testing::TempDir dir;
  dir.Write("docs/b.md", "# B");
  dir.Write("docs/a.txt", "a");
  dir.Write("docs/sub/c.html", "<p>c</p>");
  dir.Write("docs/.git/config", "x");
  dir.Write("docs/.hidden.md", "x");
  fs::create_directory_symlink(dir.path() / "docs", dir.path() / "docs" / "sub" / "loop");
  std::vector<FileResult> problems;
  auto files = CollectFiles({dir.path() / "docs", dir.path() / "missing"}, &problems);
  EXPECT_EQ(Names(files), (std::vector<std::string>{"a.txt", "b.md", "c.html"}));
  ASSERT_EQ(problems.size(), 2u);
  bool saw_loop = false, saw_missing = false;
  for (const auto& p : problems) {
    saw_loop |= p.message.find("directory loop") != std::string::npos;
    saw_missing |= p.message.find("no such file") != std::string::npos;
  }
  EXPECT_TRUE(saw_loop);
  EXPECT_TRUE(saw_missing);
}

class IndexFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_.path() / "data");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(IndexFileTest, AddUnchangedChangedAndBadFiles) {
  fs::path md = dir_.Write("in/leave.md", "# Leave\n\nAnnual leave is fifteen days.\n");
  FileResult r = IndexFile(*store_, md);
  EXPECT_EQ(r.outcome, Outcome::kAdded) << r.message;
  EXPECT_EQ(r.chunks, 1u);
  EXPECT_EQ(IndexFile(*store_, md).outcome, Outcome::kUnchanged);

  dir_.Write("in/leave.md", "# Leave\n\nAnnual leave is twenty days.\n");
  EXPECT_EQ(IndexFile(*store_, md).outcome, Outcome::kReplaced);
  auto hits = search::SearchBm25(*store_, "fifteen");
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  hits = search::SearchBm25(*store_, "twenty");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].doc_title, "Leave");

  FileResult unknown = IndexFile(*store_, dir_.Write("in/photo.xyz", "bytes"));
  EXPECT_EQ(unknown.outcome, Outcome::kSkipped);
  FileResult empty = IndexFile(*store_, dir_.Write("in/empty.txt", ""));
  EXPECT_EQ(empty.outcome, Outcome::kFailed);
  EXPECT_FALSE(empty.message.empty());

  IndexOptions small;
  small.limits.max_file_bytes = 10;
  FileResult big = IndexFile(*store_, dir_.Write("in/big.txt", std::string(100, 'a')), small);
  EXPECT_EQ(big.outcome, Outcome::kFailed);
  EXPECT_NE(big.message.find("limit"), std::string::npos) << big.message;

  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 1);
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

}  // namespace
}  // namespace docent::indexer
