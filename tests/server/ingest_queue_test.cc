// The upload queue: jobs move queued -> indexing -> ready/failed, a full queue refuses with
// ResourceExhausted, and Stop() fails what is still waiting and, after its grace, stops the
// upload being indexed with nothing of it stored.
#include "docent/server/ingest_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.h"

namespace docent::server {
namespace {

class IngestQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_.path(), {.durable = false});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(IngestQueueTest, UploadsBecomeReadyOrFailWithTheReason) {
  IngestQueue q(*store_, 8, {});
  auto good = q.Submit("leave.md", "# Leave\n\nEvery employee gets 15 days of annual leave.\n");
  auto bad = q.Submit("broken.pdf", "%PDF-1.7 garbage");
  ASSERT_TRUE(good.ok() && bad.ok());
  q.WaitIdle();
  auto jobs = q.Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].state, JobState::kReady);
  EXPECT_GT(jobs[0].doc_id, 0);
  EXPECT_EQ(jobs[1].state, JobState::kFailed);
  EXPECT_NE(jobs[1].message.find("broken.pdf"), std::string::npos) << jobs[1].message;
  auto docs = store_->ListDocuments(docent::store::kDefaultWorkspaceId);
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].source, "upload:leave.md");
}

TEST_F(IngestQueueTest, AFullQueueRefusesAndStopFailsTheWaiting) {
  IngestQueue q(*store_, 2, {});
  q.TEST_SetPaused(true);
  ASSERT_TRUE(q.Submit("a.txt", "first document text").ok());
  ASSERT_TRUE(q.Submit("b.txt", "second document text").ok());
  auto third = q.Submit("c.txt", "third document text");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(q.Depth(), 2u);
  q.Stop();
  for (const JobInfo& j : q.Jobs()) EXPECT_EQ(j.state, JobState::kFailed);
  auto docs = store_->ListDocuments(docent::store::kDefaultWorkspaceId);
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(docs->empty());
  EXPECT_EQ(q.Submit("d.txt", "after stop").status().code(), StatusCode::kUnavailable);
}

TEST_F(IngestQueueTest, StopCancelsTheUploadBeingIndexedAndStoresNothing) {
  IngestQueue q(*store_, 8, {});
  // ~8 MB of distinct paragraphs: seconds of indexing, of which Stop waits none.
  std::string big;
  for (int i = 0; big.size() < (8u << 20); ++i) {
    big += "Paragraph " + std::to_string(i) + " records that the budget for project " +
           std::to_string(i * 7919 % 100003) + " was approved by the committee.\n\n";
  }
  auto job = q.Submit("big.txt", big);
  ASSERT_TRUE(job.ok());
  while (q.Find(job->id)->state == JobState::kQueued) std::this_thread::yield();
  q.Stop(std::chrono::milliseconds(0));
  const auto stopped = q.Find(job->id);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state, JobState::kFailed);
  EXPECT_NE(stopped->message.find("shut down while this upload was being indexed"),
            std::string::npos)
      << stopped->message;
  auto docs = store_->ListDocuments(docent::store::kDefaultWorkspaceId);
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(docs->empty());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->chunks, 0);
}

}  // namespace
}  // namespace docent::server
