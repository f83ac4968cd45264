// Answers written by a pool of remote generators: docent nodes started with --generate-only,
// or any OpenAI-compatible server (llama-server, vLLM, Ollama, a hosted endpoint). The pool is
// an answer::Generator, so the answer pipeline, the citation filter, the answer cache and every
// front door work with it exactly as with the in-process model.
//
// Routing. A request goes to a healthy generator with room (fewer than max_concurrent in
// flight). Requests over the same passages go to the same generator, so its prefix cache
// serves them again: a generator that served the same passages lately (each remembers its
// last 256 passage sets) takes them while it has room, and while it is full they wait for it
// rather than have another generator read the prompt cold, until a whole batch
// (max_concurrent) waits for other generators: then an idle one takes the oldest (bounded
// load). Passages none served go to the generator with room that holds the fewest passage
// sets (so a few hot sets spread evenly), ties broken by rendezvous hashing of the passage
// ids (the highest hash of ids + URL wins). Waiting happens in one line, on each answer's own
// thread, where a client that leaves ends its wait (up to 64 waiting, each at most the
// timeout; beyond them, ResourceExhausted: 429). A place that comes free goes to the oldest
// waiter whose passages that generator served lately, else to the oldest whose passages none
// served, else (the bound above) to the oldest waiting for another generator.
//
// Health. A generator that fails (a connect error, a timeout, a 5xx, a stream cut short) is
// taken out at once and probed back in by a background thread (GET {url}/models) after a
// backoff that doubles from 0.5 s to 30 s while it stays down. With none healthy a request is
// Unavailable (503), never quietly answered another way.
//
// Retries. A request whose reader has seen no text yet is retried on another generator when
// its generator fails, each generator at most once. Once text was handed out, a failure ends
// the answer with the error (the stream's `error` event), never a silently cut answer.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "docent/answer/generator.h"
#include "docent/engine/scheduler.h"
#include "docent/remote/openai_client.h"
#include "docent/remote/remote_meter.h"

namespace docent::remote {

struct GeneratorState {
  std::string url;
  std::string model;  // the model id it serves ("" until first reached)
  bool healthy = false;
  uint32_t in_flight = 0;
  uint32_t max_concurrent = 0;
  uint32_t context_length = 0;
  std::string counting;   // "docent", "tokenize" or "estimate"
  uint64_t requests = 0;  // answers started on it (retries included)
  uint64_t errors = 0;    // requests or probes that failed on it
  uint64_t retried = 0;   // of its failed requests, those taken over by another generator
  std::string last_error;
  engine::LatencyHistogram latency;  // whole answers, seconds
};

// The status of a request that found no generator (`none`) after its generator failed with
// `last` (OK: it had not failed): both reasons in one message.
Status NoOtherGenerator(const Status& last, const Status& none);

class GeneratorPool final : public answer::Generator {
 public:
  // Reaches each endpoint once (a generator that is down then is probed until it comes up).
  // InvalidArgument for a bad URL or no endpoint.
  static Result<std::unique_ptr<GeneratorPool>> Start(std::vector<EndpointConfig> endpoints);
  ~GeneratorPool() override;
  GeneratorPool(const GeneratorPool&) = delete;
  GeneratorPool& operator=(const GeneratorPool&) = delete;

  const std::string& cache_key() const override { return cache_key_; }
  rag::ContextCache context_cache() const override { return rag::ContextCache::kOff; }
  std::chrono::steady_clock::time_point Deadline() const override;
  Result<std::unique_ptr<rag::PendingAnswer>> StartAnswer(
      const std::string& question, const std::vector<search::Passage>& passages, bool relevant,
      const rag::GenerativeOptions& options, int64_t workspace_id, rag::DeltaCallback on_delta,
      std::function<void()> on_generation_end) override;

  bool AnyHealthy() const;
  // Requests waiting for a place now.
  uint32_t Waiting() const;
  std::vector<GeneratorState> Snapshot() const;

  // What a remote answer needs of the pool (generator_pool.cc).
  struct Member;
  // A request's place on a generator, and what the generator was when it was taken.
  struct Lease {
    size_t index = 0;
    std::string model;
    Counting counting = Counting::kEstimate;
    uint32_t context_length = 4096;
  };
  // Where a request over `passage_key` goes, without waiting: a place on a generator with room
  // (placed; its in-flight count is taken), or, when every healthy generator is full and the
  // line of waiting requests has room, not placed: `lease` then names the generator the
  // request prefers, to measure its prompt with, and AwaitPlace waits for a place. Generators
  // in `tried` are passed over. Unavailable with none healthy, ResourceExhausted with the line
  // full.
  struct Placement {
    bool placed = false;
    Lease lease;
  };
  Result<Placement> Place(uint64_t passage_key, const std::vector<size_t>& tried);
  // Waits in line for a place (as the in-process scheduler's queue), until the timeout or
  // `cancel` (Cancelled; WakeWaiters makes a waiter look at it).
  Result<Lease> AwaitPlace(uint64_t passage_key, const std::vector<size_t>& tried,
                           const Cancellation& cancel);
  void WakeWaiters();
  // The model ids the healthy generators serve, each once, in the order configured.
  std::vector<std::string> ModelIds() const;
  // A healthy generator serving `model` with room, not one of `tried`: the least loaded.
  // NotFound when no configured generator serves it, Unavailable with none healthy,
  // ResourceExhausted with all full.
  Result<Lease> AcquireModel(const std::string& model, const std::vector<size_t>& tried);
  const OpenAiClient& client(size_t index) const;
  // Gives the request's place back; `failure` (not ok) marks the generator down when it is the
  // generator's fault (Unavailable); Cancelled (the client left) is no failure.
  // `seconds`: how long the answer took, when it succeeded.
  void Release(size_t index, const Status& failure, double seconds, bool retried);
  // A failure on generator `index` outside a place (measuring a prompt for a request in line).
  void RecordFailure(size_t index, const Status& failure, bool retried);
  Member& member(size_t index) { return *members_[index]; }

 private:
  GeneratorPool() = default;
  void Probe(size_t index);
  void ProbeLoop();
  // The generator for `passage_key` (rendezvous over the healthy ones not in `tried`), and the
  // one with room to take it (members_.size() for none). Called with mu_ held.
  struct Choice {
    size_t preferred;             // by rendezvous
    size_t chosen;                // with room
    bool warm_somewhere = false;  // a generator that may take it served the passages lately
  };
  Choice Choose(uint64_t passage_key, const std::vector<size_t>& tried) const;
  void RecordFailureLocked(size_t index, const Status& failure, bool retried, bool& wake);
  // The statuses of a request none can take: all unhealthy, and the line full.
  static Status NoneHealthy(const std::vector<size_t>& tried);
  Status LineFull() const;
  // Hands each free place to a request in line (called with mu_ held whenever one comes free
  // or a generator comes up).
  void DispatchLocked();

  std::vector<std::unique_ptr<Member>> members_;
  std::string cache_key_;
  double timeout_s_ = 0;  // the longest of the generators' timeouts
  // Requests that may wait for a place when every generator is full (as the in-process
  // scheduler's --gen-queue); beyond them, 429.
  static constexpr uint32_t kMaxWaiting = 64;
  mutable std::mutex mu_;
  std::condition_variable cv_;    // the prober's: a generator went down, or stop
  std::condition_variable room_;  // a waiter got a place, or a generator went down
  // A request waiting for a place; DispatchLocked grants it one.
  struct Waiter {
    uint64_t key;
    const std::vector<size_t>* tried;
    std::optional<Lease> granted;
  };
  std::list<Waiter*> line_;  // guarded by mu_; oldest first
  bool stopping_ = false;    // guarded by mu_
  std::thread prober_;
};

}  // namespace docent::remote
