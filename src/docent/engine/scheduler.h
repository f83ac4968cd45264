// The scheduler: many generation requests over one model, with continuous batching.
//
// One worker thread owns the model. Each step it builds one batch (llm/forward_batch.h)
// from every running request: one token for each request that is generating, and a slice of
// the prompt for each request still reading its prompt (a per-step token budget keeps a long
// prompt from stalling everyone's next token). Requests join and leave between steps, so a
// new request starts at the next step instead of after the current ones finish.
//
// Each request occupies a slot: one sequence of the model's KV cache. A finished request's
// slot keeps its tokens' keys and values; a new request takes the free slot whose cached
// tokens share the longest prefix with its prompt (the least recently used on ties, so
// eviction is LRU) and computes only what follows. Beyond the slots, a memory-bounded block
// cache (prefix_cache.h) keeps the KV of prompts whose slots were reused since, and a new
// request copies the longest run of blocks its prompt starts with. A system prompt, a
// conversation's earlier turns or the same retrieved passages are then read once, not once
// per request.
//
// Determinism: the engine's kernels are batch-invariant and each request samples from its
// own seeded sampler, so a request's tokens are the same alone or among any others.
//
// The queue is bounded and fair across clients: each client (GenerationRequest::client) has
// its own FIFO lane, and free slots go to the lanes in turn, so a client that sends fifty
// requests delays another client's one by at most one admission per lane, not fifty. Submit
// fails with ResourceExhausted when the whole queue is full or the client already has
// max_queue_per_client requests waiting, and the server turns that into 429. A request ends at
// end-of-generation, at max_tokens, when its callback returns false (a stop sequence, or the client
// went away), at its deadline, or when cancelled; its slot is then free for the next request at
// once. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "docent/engine/prefix_cache.h"
#include "docent/llm/model.h"
#include "docent/llm/sampling.h"
#include "docent/llm/tokenizer.h"
#include "docent/util/status.h"

namespace docent::engine {

enum class FinishReason {
  kStop,       // end-of-generation token, or the callback asked to stop (a stop sequence)
  kLength,     // max_tokens, or the context ran out
  kCancelled,  // Cancel() or the scheduler shut down
  kTimeout,    // the deadline passed
  kError,      // the model failed (see GenerationResult::error)
};

std::string_view FinishReasonName(FinishReason reason);

struct GenerationRequest {
  std::vector<uint32_t> prompt;
  llm::SamplingParams sampling;
  uint32_t max_tokens = 256;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Who asked (the server uses the request's "user", else its API key, else the peer
  // address); requests of different clients are admitted in turn. Empty is a client too.
  std::string client;
  // Called on the scheduler's thread once the result is ready, just before Wait() returns.
  std::function<void()> on_finish;
  // Set: the prompt's KV is assembled rather than read token by token (the `fast` context
  // cache, rag/context_assembly.h). Called on the scheduler's thread when the request starts,
  // alone (not batched with other requests' tokens, so its result does not depend on them),
  // with the model and the slot's sequence: it must fill every prompt position of `seq` and
  // write the last one's logits, and says in `stored` how many prompt positions came from
  // stored KV. Its KV is not what reading the prompt gives, so the slot and the prefix cache
  // never offer it to another request.
  std::function<Status(llm::Model& model, uint32_t seq, std::span<float> last_logits,
                       uint32_t* stored)>
      assemble;
  // Whether the prompt may reuse, and be kept for, other requests' identical prefixes (the
  // `exact` context cache); false computes every prompt token (`off`).
  bool reuse_prefixes = true;
  // Prefixes are reused only between requests of one scope (a workspace's answers; 0 for
  // plain chat), from a slot or the prefix cache, so no scope's prompts speed up another's.
  uint64_t cache_scope = 0;
};

struct GenerationResult {
  std::vector<uint32_t> tokens;  // generated, without the end-of-generation token
  // How many were generated where the ids are not known (a remote generator's usage).
  uint32_t remote_tokens = 0;
  uint32_t completion_tokens() const {
    return tokens.empty() ? remote_tokens : static_cast<uint32_t>(tokens.size());
  }
  FinishReason finish = FinishReason::kStop;
  Status error;
  uint32_t prompt_tokens = 0;
  uint32_t cached_prompt_tokens = 0;      // prompt tokens whose KV was reused from a slot
  uint32_t stored_prompt_tokens = 0;      // assembled: prompt positions placed from stored KV
  uint32_t recomputed_prompt_tokens = 0;  // assembled: prompt positions computed
  double queue_s = 0;                     // submitted -> first step
  double first_token_s = 0;               // submitted -> first token
  double total_s = 0;                     // submitted -> finished
};

// Called on the scheduler's thread with each generated token; return false to stop (the
// request then finishes with kStop). Keep it short: the whole batch waits for it.
using TokenCallback = std::function<bool(uint32_t token)>;

struct SchedulerOptions {
  uint32_t max_queue = 64;            // waiting requests beyond the running ones
  uint32_t max_queue_per_client = 0;  // of those, from one client; 0: max_queue
  uint32_t step_token_budget = 256;   // batch tokens per step (prompt slices share it)
  PrefixCacheOptions prefix_cache;    // beyond the slots' own tokens; max_bytes 0: none
};

// Counts of observations per latency bucket, for Prometheus histograms.
struct LatencyHistogram {
  static constexpr std::array<double, 14> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                     1,     2,    4,     8,    16,  32,   64};
  std::array<uint64_t, kBounds.size()> counts{};  // [i]: observations in (kBounds[i-1], kBounds[i]]
  uint64_t count = 0;                             // all, including those above the last bound
  double sum = 0;
  void Observe(double seconds);
};

struct SchedulerStats {
  uint64_t requests = 0;
  uint64_t prompt_tokens = 0;
  uint64_t cached_prompt_tokens = 0;        // from a slot or the prefix cache
  uint64_t prefix_cache_prompt_tokens = 0;  // of those, copied from the prefix cache
  uint64_t generated_tokens = 0;
  uint64_t steps = 0;
  uint32_t queued = 0;
  uint32_t running = 0;
  uint32_t slots = 0;
  uint64_t kv_positions_used = 0;  // positions the slots hold (cached or in use)
  uint64_t kv_positions = 0;       // slots x context
  double prompt_tokens_per_s = 0;  // over the last 10 s: prompt tokens computed
  double generated_tokens_per_s = 0;
  std::vector<uint64_t> batch_size_counts;  // [n] = steps whose batch held n sequences
  uint64_t finished[5] = {0, 0, 0, 0, 0};   // by FinishReason
  LatencyHistogram time_to_first_token;     // submitted -> first token
  LatencyHistogram inter_token;             // between a request's consecutive tokens
  PrefixCacheStats prefix_cache;
};

class Scheduler {
 public:
  class Handle;

  // `model` (whose n_seq is the number of slots) and `tokenizer` must outlive the scheduler.
  Scheduler(llm::Model& model, const llm::Tokenizer& tokenizer, const SchedulerOptions& options);
  ~Scheduler();  // cancels what is left and joins the worker
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request. InvalidArgument for an empty prompt, one longer than a slot, or bad
  // sampling parameters; ResourceExhausted when the queue is full.
  Result<std::shared_ptr<Handle>> Submit(GenerationRequest request, TokenCallback on_token);

  SchedulerStats Stats() const;

  // Cancels every request, running or queued, at the next step, and refuses new ones
  // (Unavailable): a server shutting down does not wait for long generations.
  void CancelAll();

 private:
  struct Slot;
  struct Active;
  void WorkerLoop();
  void Admit();
  void Step();
  void Finish(size_t active_index, FinishReason reason, Status error = Status::Ok());
  // Copies what the prefix cache holds of `prompt` beyond the slot's first `have` tokens into
  // the slot; returns the tokens now in place.
  size_t ReusePrefixCache(uint32_t slot, uint64_t scope, const std::vector<uint32_t>& prompt,
                          size_t have);
  // Offers the slot's whole blocks to the prefix cache.
  void OfferToPrefixCache(uint32_t slot);
  // Throughput over the last 10 s.
  void RecordThroughput(uint64_t prompt_tokens, uint64_t generated);

  llm::Model& model_;
  const llm::Tokenizer& tokenizer_;
  const SchedulerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  // Waiting requests: one FIFO lane per client with requests waiting, in the order the lanes
  // take their turns (the front lane is admitted next, then goes to the back).
  struct Lane {
    std::string client;
    std::deque<std::shared_ptr<Handle>> waiting;
  };
  std::deque<Lane> lanes_;             // guarded by mu_
  uint32_t queued_ = 0;                // requests in all lanes; guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::atomic<bool> draining_{false};  // CancelAll() was called
  SchedulerStats stats_;               // guarded by mu_

  // Worker thread only.
  std::vector<Slot> slots_;
  std::vector<Active> active_;
  uint64_t clock_ = 0;  // for LRU
  std::vector<llm::BatchEntry> batch_;
  std::vector<float> logits_;
  std::vector<float> assembled_logits_;        // Step's assembled prompts' last logits
  std::unique_ptr<PrefixCache> prefix_cache_;  // null when disabled
  struct StepTokens {
    std::chrono::steady_clock::time_point at;
    uint64_t prompt = 0, generated = 0;
  };
  std::deque<StepTokens> recent_steps_;  // guarded by mu_

  std::thread worker_;
};

// A submitted request: wait for it, or cancel it.
class Scheduler::Handle {
 public:
  // Blocks until the request has finished.
  GenerationResult Wait();
  // Ends the request at the next step (its slot is freed then); harmless once finished.
  void Cancel() { cancelled_.store(true); }
  bool done() const;

 private:
  friend class Scheduler;
  GenerationRequest request_;
  TokenCallback on_token_;
  std::chrono::steady_clock::time_point submitted_;
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  GenerationResult result_;
};

}  // namespace docent::engine
