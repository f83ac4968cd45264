// The server's background ingestion: uploads wait in a bounded queue and one worker thread
// extracts, chunks and commits them, so a large PDF never holds up a search. Each upload is
// a job whose state a client can watch: queued -> indexing -> ready | failed (with the
// reason). A document becomes searchable only when its one transaction commits, so it is
// never visible half-indexed.
// Thread safety: all methods may be called from any thread; mu_ guards the job table.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "docent/indexer/indexer.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::server {

enum class JobState { kQueued, kIndexing, kReady, kFailed };
std::string_view JobStateName(JobState s);

struct JobInfo {
  uint64_t id = 0;
  int64_t workspace_id = store::kDefaultWorkspaceId;  // where the document goes
  std::string workspace{store::kDefaultWorkspace};
  std::string name;  // the upload's file name
  uint64_t bytes = 0;
  JobState state = JobState::kQueued;
  std::string message;  // why it failed
  std::vector<std::string> warnings;
  int64_t doc_id = 0;  // once ready
  size_t chunks = 0;
  int pages_done = 0, pages_total = 0;  // OCR of a scanned document, while it is read
};

class IngestQueue {
 public:
  IngestQueue(store::Store& store, size_t capacity, indexer::IndexOptions options);
  ~IngestQueue();  // Stop()s
  IngestQueue(const IngestQueue&) = delete;
  IngestQueue& operator=(const IngestQueue&) = delete;

  // Queues one upload. ResourceExhausted when the queue is full, Unavailable after Stop().
  Result<JobInfo> Submit(std::string name, std::string bytes,
                         int64_t workspace_id = store::kDefaultWorkspaceId,
                         std::string workspace = std::string(store::kDefaultWorkspace));

  std::vector<JobInfo> Jobs() const;  // every job still remembered, oldest first
  size_t Depth() const;               // queued + indexing
  uint64_t IngestedBytes() const;     // bytes of uploads that became ready

  // Blocks until the queue is empty and the worker idle (for tests and shutdown).
  void WaitIdle() const;
  // Blocks until each of the jobs is ready or failed (or forgotten), at most `timeout_ms`.
  // Returns false on timeout.
  bool WaitFor(const std::vector<uint64_t>& ids, int timeout_ms) const;
  std::optional<JobInfo> Find(uint64_t id) const;

  // Stops taking jobs and fails the ones still queued ("server shutting down"); the job in
  // progress has `grace` to finish, then it is stopped at its next chunk and fails with
  // nothing stored, so a shutdown is bounded even mid-way through a huge document.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Runs on the worker after each upload is stored (it is searchable by BM25 from then on)
  // and before its job is ready: the server embeds the new chunks here. An error becomes a
  // warning of the job (the document stays stored and searchable by BM25).
  void SetAfterIndexed(std::function<Status()> fn);

  // Test hook: while paused the worker takes no new job, so a test can fill the queue.
  void TEST_SetPaused(bool paused);

 private:
  void Work();

  store::Store& store_;
  const size_t capacity_;
  indexer::IndexOptions options_;  // its cancel points at cancel_
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::deque<std::pair<uint64_t, std::string>> pending_;  // GUARDED_BY(mu_): id, bytes
  std::map<uint64_t, JobInfo> jobs_;                      // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                                  // GUARDED_BY(mu_)
  bool busy_ = false;                                     // GUARDED_BY(mu_)
  bool stopping_ = false;                                 // GUARDED_BY(mu_)
  bool paused_ = false;                                   // GUARDED_BY(mu_)
  uint64_t ingested_bytes_ = 0;                           // GUARDED_BY(mu_)
  std::function<Status()> after_indexed_;                 // GUARDED_BY(mu_)
  std::atomic<bool> cancel_{false};                       // the job in progress must stop
  std::thread worker_;
};

}  // namespace docent::server
