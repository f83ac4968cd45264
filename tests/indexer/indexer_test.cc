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
  auto hits = search::SearchBm25(*store_, docent::store::kDefaultWorkspaceId, "fifteen");
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  hits = search::SearchBm25(*store_, docent::store::kDefaultWorkspaceId, "twenty");
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

TEST_F(IndexFileTest, IndexFilesCommitsInBatchesAndReportsEachFileOnceStored) {
  std::vector<fs::path> files;
  for (int i = 0; i < 7; ++i) {
    files.push_back(dir_.Write("in/f" + std::to_string(i) + ".txt",
                               "Topic " + std::to_string(i) + " is covered by policy number " +
                                   std::to_string(100 + i) + ".\n"));
  }
  files.push_back(dir_.Write("in/empty.txt", ""));
  std::vector<std::string> reported;
  std::vector<int64_t> stored_when_reported;
  BatchOptions batch;
  batch.batch_files = 3;  // commits after files 3 and 6, and at the end
  const Status run = IndexFiles(*store_, files, {}, batch, [&](const FileResult& r) {
    reported.push_back(fs::path(r.path).filename().string() + ":" +
                       std::string(OutcomeName(r.outcome)));
    stored_when_reported.push_back(store_->Stats()->documents);
  });
  ASSERT_TRUE(run.ok()) << run.ToString();
  ASSERT_EQ(reported.size(), 8u);
  EXPECT_EQ(reported[0], "f0.txt:added");
  EXPECT_EQ(reported[7], "empty.txt:failed");
  // Each file is reported once its batch is stored: 3, 3, 3, 6, 6, 6, 7, 7.
  EXPECT_EQ(stored_when_reported, (std::vector<int64_t>{3, 3, 3, 6, 6, 6, 7, 7}));
  EXPECT_FALSE(store_->InBatch());
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

}  // namespace
}  // namespace docent::indexer
