// The ingestion worker: one thread, jobs in arrival order.
#include "docent/server/ingest_queue.h"

#include <chrono>

namespace docent::server {
namespace {

// Finished jobs are remembered so clients can read their outcome; this many at most.
constexpr size_t kRememberedJobs = 1000;

}  // namespace

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kIndexing:
      return "indexing";
    case JobState::kReady:
      return "ready";
    case JobState::kFailed:
      return "failed";
  }
  return "unknown";
}

IngestQueue::IngestQueue(store::Store& store, size_t capacity, indexer::IndexOptions options)
    : store_(store), capacity_(capacity), options_(std::move(options)) {
  options_.cancel = &cancel_;
  worker_ = std::thread([this] { Work(); });
}

IngestQueue::~IngestQueue() {
  Stop();
}

Result<JobInfo> IngestQueue::Submit(std::string name, std::string bytes, int64_t workspace_id,
                                    std::string workspace) {
  std::lock_guard lock(mu_);
  if (stopping_) return Unavailable("the server is shutting down");
  if (pending_.size() >= capacity_) {
    return ResourceExhausted("the ingestion queue is full (" + std::to_string(capacity_) +
                             " uploads waiting); retry later");
  }
  JobInfo job;
  job.id = next_id_++;
  job.name = std::move(name);
  job.workspace_id = workspace_id;
  job.workspace = std::move(workspace);
  job.bytes = bytes.size();
  jobs_[job.id] = job;
  pending_.emplace_back(job.id, std::move(bytes));
  while (jobs_.size() > kRememberedJobs) {
    auto oldest = jobs_.begin();
    if (oldest->second.state == JobState::kQueued || oldest->second.state == JobState::kIndexing) {
      break;
    }
    jobs_.erase(oldest);
  }
  changed_.notify_all();
  return job;
}

std::vector<JobInfo> IngestQueue::Jobs() const {
  std::lock_guard lock(mu_);
  std::vector<JobInfo> out;
  for (const auto& [id, job] : jobs_) out.push_back(job);
  return out;
}

size_t IngestQueue::Depth() const {
  std::lock_guard lock(mu_);
  return pending_.size() + (busy_ ? 1 : 0);
}

uint64_t IngestQueue::IngestedBytes() const {
  std::lock_guard lock(mu_);
  return ingested_bytes_;
}

void IngestQueue::WaitIdle() const {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return pending_.empty() && !busy_; });
}

bool IngestQueue::WaitFor(const std::vector<uint64_t>& ids, int timeout_ms) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    for (uint64_t id : ids) {
      auto it = jobs_.find(id);
      if (it != jobs_.end() &&
          (it->second.state == JobState::kQueued || it->second.state == JobState::kIndexing)) {
        return false;
      }
    }
    return true;
  });
}

std::optional<JobInfo> IngestQueue::Find(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void IngestQueue::Stop(std::chrono::milliseconds grace) {
  {
    std::unique_lock lock(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
    for (const auto& [id, bytes] : pending_) {
      jobs_[id].state = JobState::kFailed;
      jobs_[id].message = "the server shut down before this upload was indexed";
    }
    pending_.clear();
    changed_.notify_all();
    if (!changed_.wait_for(lock, grace, [&] { return !busy_; })) cancel_ = true;
  }
  if (worker_.joinable()) worker_.join();
}

void IngestQueue::TEST_SetPaused(bool paused) {
  std::lock_guard lock(mu_);
  paused_ = paused;
  changed_.notify_all();
}

void IngestQueue::Work() {
  for (;;) {
    uint64_t id = 0;
    std::string bytes, name;
    int64_t workspace_id = 0;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || (!paused_ && !pending_.empty()); });
      if (pending_.empty()) return;  // stopping
      id = pending_.front().first;
      bytes = std::move(pending_.front().second);
      pending_.pop_front();
      busy_ = true;
      jobs_[id].state = JobState::kIndexing;
      name = jobs_[id].name;
      workspace_id = jobs_[id].workspace_id;
    }
    indexer::IndexOptions options = options_;
    options.workspace_id = workspace_id;
    options.on_ocr_page = [this, id](const std::string&, int done, int total) {
      std::lock_guard lock(mu_);
      jobs_[id].pages_done = done;
      jobs_[id].pages_total = total;
    };
    indexer::FileResult r = indexer::IndexBytes(store_, bytes, name, "upload:" + name, options);
    const bool stored =
        r.outcome != indexer::Outcome::kFailed && r.outcome != indexer::Outcome::kSkipped;
    // The document is searchable (BM25) from its commit on; its vectors follow here, and the
    // job is ready once they are stored too.
    std::function<Status()> after;
    {
      std::lock_guard lock(mu_);
      after = after_indexed_;
    }
    const Status followed = after && stored ? after() : Status::Ok();
    {
      std::lock_guard lock(mu_);
      JobInfo& job = jobs_[id];
      job.warnings = r.warnings;
      if (!followed.ok()) job.warnings.push_back("vectors not stored: " + followed.message());
      job.doc_id = r.doc_id;
      job.chunks = r.chunks;
      if (!stored) {
        job.state = JobState::kFailed;
        job.message = cancel_ ? "the server shut down while this upload was being indexed; "
                                "nothing of it was stored"
                              : r.message;
      } else {
        job.state = JobState::kReady;
        ingested_bytes_ += bytes.size();
      }
      busy_ = false;
      changed_.notify_all();
    }
  }
}

void IngestQueue::SetAfterIndexed(std::function<Status()> fn) {
  std::lock_guard lock(mu_);
  after_indexed_ = std::move(fn);
}

}  // namespace docent::server
