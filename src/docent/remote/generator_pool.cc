// The pool of remote generators (see generator_pool.h).
#include "docent/remote/generator_pool.h"

#include <xxhash.h>

#include <algorithm>

#include "docent/rag/citation_filter.h"

namespace docent::remote {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr double kFirstBackoffS = 0.5;
constexpr double kLongestBackoffS = 30;

}  // namespace

struct GeneratorPool::Member {
  explicit Member(OpenAiClient c) : client(std::move(c)) {}
  const OpenAiClient client;
  // Guarded by the pool's mutex (as are the two methods):
  GeneratorState state;
  Counting counting = Counting::kEstimate;
  Clock::time_point next_probe = Clock::now();
  double backoff_s = kFirstBackoffS;

  // A request's place on it, as member `index` of the pool.
  Lease Take(size_t index) {
    ++state.in_flight;
    ++state.requests;
    return Lease{index, state.model, counting, state.context_length};
  }
  // Out until a probe after the backoff, which doubles while it stays down.
  void TakeOut() {
    state.healthy = false;
    next_probe = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(backoff_s));
    backoff_s = std::min(kLongestBackoffS, backoff_s * 2);
  }
};

namespace {

std::string_view CountingName(Counting c) {
  switch (c) {
    case Counting::kDocent:
      return "docent";
    case Counting::kTokenize:
      return "tokenize";
    case Counting::kEstimate:
      return "estimate";
  }
  return "estimate";
}

// The generator's fault: it is taken out and the request may go elsewhere.
bool IsGeneratorFailure(const Status& s) {
  return s.code() == StatusCode::kUnavailable;
}

using Lease = GeneratorPool::Lease;

uint64_t PassageKey(const std::vector<search::Passage>& passages, size_t n, int64_t workspace) {
  std::vector<int64_t> ids{workspace};
  for (size_t i = 0; i < std::min(n, passages.size()); ++i) ids.push_back(passages[i].chunk_id);
  std::sort(ids.begin() + 1, ids.end());
  return XXH3_64bits(ids.data(), ids.size() * sizeof(int64_t));
}

json RequestBody(const Lease& lease, const json& messages, const rag::GenerativeOptions& options,
                 uint32_t max_tokens) {
  json body = {{"model", lease.model},
               {"messages", messages},
               {"max_tokens", max_tokens},
               {"temperature", options.sampling.temperature},
               {"top_p", options.sampling.top_p},
               {"seed", options.sampling.seed}};
  if (options.sampling.presence_penalty != 0) {
    body["presence_penalty"] = options.sampling.presence_penalty;
  }
  if (options.sampling.frequency_penalty != 0) {
    body["frequency_penalty"] = options.sampling.frequency_penalty;
  }
  if (!options.client.empty()) body["user"] = options.client;
  return body;
}

}  // namespace

// An answer written remotely: the request streams on a thread of its own, through the
// citation filter to on_delta.
class RemoteAnswer final : public rag::PendingAnswer {
 public:
  RemoteAnswer(GeneratorPool& pool, Lease lease, std::vector<size_t> tried,
               std::vector<search::Passage> given, std::string question,
               const rag::GenerativeOptions& options, size_t prompt_tokens,
               rag::DeltaCallback on_delta, std::function<void()> on_end)
      : pool_(pool),
        question_(std::move(question)),
        options_(options),
        given_(std::move(given)),
        filter_(static_cast<int>(given_.size())),
        on_delta_(std::move(on_delta)),
        on_end_(std::move(on_end)) {
    for (size_t i = 0; i < given_.size(); ++i) {
      answer_.sources.push_back({static_cast<int>(i + 1), given_[i]});
    }
    answer_.generation.prompt_tokens = static_cast<uint32_t>(prompt_tokens);
    worker_ = std::thread([this, lease = std::move(lease), tried = std::move(tried)]() mutable {
      Run(std::move(lease), std::move(tried));
    });
  }

  ~RemoteAnswer() override {
    cancelled_ = true;
    if (worker_.joinable()) worker_.join();
  }

  const std::vector<rag::Citation>& sources() const override { return answer_.sources; }
  void Cancel() override { cancelled_ = true; }

  Result<rag::GenerativeAnswer> Finish() override {
    if (!worker_.joinable()) return FailedPrecondition("the answer was already finished");
    worker_.join();
    if (!error_.ok()) return error_;
    // The whole answer now: what was held back goes out on this thread, as a stream's last
    // piece does.
    finishing_ = true;
    for (const std::string& piece : held_) {
      if (on_delta_) on_delta_(piece);
    }
    held_.clear();
    Emit(filter_.Finish());
    answer_.found = true;
    for (int number : filter_.used()) answer_.citations.push_back(answer_.sources[number - 1]);
    return answer_;
  }

 private:
  void Emit(std::string_view text) {
    if (text.empty()) return;
    answer_.text += text;
    if (options_.text_unseen_until_done && !finishing_) {
      held_.emplace_back(text);
    } else if (on_delta_) {
      on_delta_(text);
    }
  }

  // Forgets what a failed attempt wrote, so the next starts clean (only when nobody saw it).
  void StartOver() {
    answer_.text.clear();
    held_.clear();
    filter_ = rag::CitationFilter(static_cast<int>(given_.size()));
  }

  void Run(Lease lease, std::vector<size_t> tried) {
    const auto start = Clock::now();
    for (;;) {
      const json messages = RagMessagesJson(given_, question_, lease.counting);
      const uint32_t room = lease.context_length > answer_.generation.prompt_tokens
                                ? lease.context_length - answer_.generation.prompt_tokens
                                : 1;
      const json body = RequestBody(lease, messages, options_, std::min(options_.max_tokens, room));
      auto end = pool_.member(lease.index).client.StreamChat(body, [&](std::string_view text) {
        if (cancelled_) return false;
        Emit(filter_.Push(text));
        // Seen by the reader once handed out (a stream); held text can still start over.
        if (!options_.text_unseen_until_done && !answer_.text.empty()) seen_ = true;
        return true;
      });
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (end.ok()) {
        pool_.Release(lease.index, Status::Ok(), seconds, false);
        answer_.generation.finish = end->finish_reason == "length" ? engine::FinishReason::kLength
                                                                   : engine::FinishReason::kStop;
        if (end->prompt_tokens > 0) answer_.generation.prompt_tokens = end->prompt_tokens;
        answer_.generation.remote_tokens = end->completion_tokens;
        answer_.generation.total_s = seconds;
        break;
      }
      const Status failure = end.status();
      const bool retry =
          !seen_ && !cancelled_ &&
          (IsGeneratorFailure(failure) || failure.code() == StatusCode::kResourceExhausted);
      pool_.Release(lease.index, cancelled_ ? Status::Ok() : failure, 0, retry);
      if (cancelled_) {
        answer_.generation.finish = engine::FinishReason::kCancelled;
        break;
      }
      if (!retry) {
        error_ =
            seen_ ? Unavailable("the generator failed after the answer began: " + failure.message())
                  : failure;
        break;
      }
      StartOver();
      tried.push_back(lease.index);
      auto next = pool_.Acquire(0, tried);
      if (!next.ok()) {
        error_ = Status(next.status().code(), failure.message() +
                                                  "; and no other generator "
                                                  "could take the request: " +
                                                  next.status().message());
        break;
      }
      lease = std::move(*next);
    }
    if (on_end_) on_end_();
  }

  GeneratorPool& pool_;
  const std::string question_;
  const rag::GenerativeOptions options_;
  const std::vector<search::Passage> given_;
  rag::CitationFilter filter_;  // the worker's until it ends, then Finish()'s
  rag::DeltaCallback on_delta_;
  std::function<void()> on_end_;
  rag::GenerativeAnswer answer_;
  Status error_;
  std::vector<std::string> held_;  // text_unseen_until_done: the text so far
  bool seen_ = false;              // the reader has seen text: no retry
  bool finishing_ = false;
  std::atomic<bool> cancelled_{false};
  std::thread worker_;
};

Result<std::unique_ptr<GeneratorPool>> GeneratorPool::Start(std::vector<EndpointConfig> endpoints) {
  if (endpoints.empty()) return InvalidArgument("a generator pool needs at least one generator");
  std::unique_ptr<GeneratorPool> pool(new GeneratorPool());
  pool->cache_key_ = "remote:";
  for (EndpointConfig& config : endpoints) {
    if (config.max_concurrent == 0) return InvalidArgument(config.url + ": max_concurrent is 0");
    pool->timeout_s_ = std::max(pool->timeout_s_, config.timeout_s);
    pool->cache_key_ += config.url + "|" + config.model + ";";
    DOCENT_ASSIGN_OR_RETURN(OpenAiClient client, OpenAiClient::Make(std::move(config)));
    auto member = std::make_unique<Member>(std::move(client));
    member->state.url = member->client.config().url;
    member->state.model = member->client.config().model;
    member->state.max_concurrent = member->client.config().max_concurrent;
    pool->members_.push_back(std::move(member));
  }
  for (size_t i = 0; i < pool->members_.size(); ++i) pool->Probe(i);
  pool->prober_ = std::thread([p = pool.get()] { p->ProbeLoop(); });
  return pool;
}

GeneratorPool::~GeneratorPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (prober_.joinable()) prober_.join();
}

std::chrono::steady_clock::time_point GeneratorPool::Deadline() const {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s_));
}

void GeneratorPool::Probe(size_t index) {
  Member& m = *members_[index];
  Status failure;
  Counting counting = Counting::kEstimate;
  auto info = m.client.DiscoverModel();
  if (info.ok()) {
    // Which /tokenize it has: docent's reads chats, llama-server's text.
    const json probe_chat = {{"messages", json::array({{{"role", "user"}, {"content", "a"}}})}};
    auto chat = info->docent ? m.client.Tokenize(probe_chat)
                             : Result<std::vector<int64_t>>(Unsupported("not docent"));
    if (chat.ok()) {
      counting = Counting::kDocent;
    } else if (auto text = m.client.Tokenize({{"content", "a"}}); text.ok()) {
      counting = Counting::kTokenize;
    } else if (IsGeneratorFailure(text.status())) {
      failure = text.status();
    }
  } else {
    failure = info.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  GeneratorState& s = m.state;
  if (failure.ok()) {
    s.healthy = true;
    s.model = info->id;
    s.context_length = m.client.config().context_length > 0 ? m.client.config().context_length
                       : info->context_length > 0           ? info->context_length
                                                            : 4096;
    m.counting = counting;
    s.counting = std::string(CountingName(counting));
    m.backoff_s = kFirstBackoffS;
    room_.notify_all();
  } else {
    ++s.errors;
    s.last_error = failure.message();
    m.TakeOut();
  }
}

void GeneratorPool::ProbeLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    Clock::time_point wake = Clock::time_point::max();
    std::vector<size_t> due;
    const auto now = Clock::now();
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i]->state.healthy) continue;
      if (members_[i]->next_probe <= now) {
        due.push_back(i);
      } else {
        wake = std::min(wake, members_[i]->next_probe);
      }
    }
    if (due.empty()) {
      if (wake == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, wake);
      }
      continue;
    }
    lock.unlock();
    for (size_t i : due) Probe(i);
    lock.lock();
  }
}

bool GeneratorPool::AnyHealthy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(members_.begin(), members_.end(),
                     [](const auto& m) { return m->state.healthy; });
}

std::vector<std::string> GeneratorPool::ModelIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& m : members_) {
    const std::string& id = m->state.model;
    if (m->state.healthy && !id.empty() && std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(id);
    }
  }
  return out;
}

const OpenAiClient& GeneratorPool::client(size_t index) const {
  return members_[index]->client;
}

Result<GeneratorPool::Lease> GeneratorPool::AcquireModel(const std::string& model,
                                                         const std::vector<size_t>& tried) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t chosen = members_.size();
  double least_load = 2;
  bool known = false, healthy = false;
  for (size_t i = 0; i < members_.size(); ++i) {
    const GeneratorState& s = members_[i]->state;
    const bool serves = s.model == model || members_[i]->client.config().model == model;
    if (!serves) continue;
    known = true;
    if (!s.healthy || std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    healthy = true;
    const double load = static_cast<double>(s.in_flight) / s.max_concurrent;
    if (s.in_flight < s.max_concurrent && load < least_load) {
      chosen = i;
      least_load = load;
    }
  }
  if (!known) return NotFound("no generator serves a model named '" + model + "'");
  if (!healthy) return Unavailable("no generator serving '" + model + "' is healthy");
  if (chosen == members_.size()) {
    return ResourceExhausted("every generator serving '" + model + "' is busy; retry later");
  }
  return members_[chosen]->Take(chosen);
}

std::vector<GeneratorState> GeneratorPool::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<GeneratorState> out;
  for (const auto& m : members_) out.push_back(m->state);
  return out;
}

Result<GeneratorPool::Lease> GeneratorPool::Acquire(uint64_t passage_key,
                                                    const std::vector<size_t>& tried) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto give_up = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(timeout_s_));
  bool waited = false;
  for (;;) {
    size_t best = members_.size(), least = members_.size();
    uint64_t best_weight = 0;
    double least_load = 2;
    for (size_t i = 0; i < members_.size(); ++i) {
      const GeneratorState& s = members_[i]->state;
      if (!s.healthy || std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
      // Rendezvous: the passages' key mixed with the generator's URL.
      const uint64_t weight = XXH3_64bits_withSeed(s.url.data(), s.url.size(), passage_key);
      if (best == members_.size() || weight > best_weight) {
        best = i;
        best_weight = weight;
      }
      const double load = static_cast<double>(s.in_flight) / s.max_concurrent;
      if (s.in_flight < s.max_concurrent && load < least_load) {
        least = i;
        least_load = load;
      }
    }
    if (best == members_.size()) {
      if (waited) --waiting_;
      return Unavailable(tried.empty() ? "no generator is healthy"
                                       : "no other generator is healthy");
    }
    size_t chosen = best;
    if (members_[best]->state.in_flight >= members_[best]->state.max_concurrent) chosen = least;
    if (chosen != members_.size()) {
      if (waited) --waiting_;
      return members_[chosen]->Take(chosen);
    }
    // Every healthy generator is at its max_concurrent: wait for a place, as the in-process
    // scheduler queues, unless the queue is full or the wait would outlast the request.
    if (!waited) {
      if (waiting_ >= kMaxWaiting) {
        return ResourceExhausted("every generator is busy and " + std::to_string(waiting_) +
                                 " requests are waiting for one; retry later");
      }
      ++waiting_;
      waited = true;
    }
    if (room_.wait_until(lock, give_up) == std::cv_status::timeout) {
      --waiting_;
      return ResourceExhausted("every generator stayed busy for " +
                               std::to_string(static_cast<long>(timeout_s_)) + " s");
    }
  }
}

void GeneratorPool::Release(size_t index, const Status& failure, double seconds, bool retried) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Member& m = *members_[index];
    GeneratorState& s = m.state;
    if (s.in_flight > 0) --s.in_flight;
    room_.notify_all();
    if (failure.ok()) {
      if (seconds > 0) s.latency.Observe(seconds);
    } else {
      ++s.errors;
      if (retried) ++s.retried;
      s.last_error = failure.message();
      if (IsGeneratorFailure(failure) && s.healthy) {
        m.TakeOut();
        wake = true;
      }
    }
  }
  if (wake) cv_.notify_all();
}

Result<std::unique_ptr<rag::PendingAnswer>> GeneratorPool::StartAnswer(
    const std::string& question, const std::vector<search::Passage>& passages, bool relevant,
    const rag::GenerativeOptions& options, int64_t workspace_id, rag::DeltaCallback on_delta,
    std::function<void()> on_generation_end) {
  if (!relevant || passages.empty()) {
    return rag::StartRefusal(question, std::move(on_delta), on_generation_end);
  }
  const uint64_t key = PassageKey(passages, options.max_sources, workspace_id);
  std::vector<size_t> tried;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(Lease lease, Acquire(key, tried));
    const size_t index = lease.index;
    RemoteMeter meter(members_[index]->client, lease.counting);
    auto fit = rag::FitSources(meter, passages, question, options.max_sources, options.max_tokens,
                               lease.context_length);
    if (!fit.ok()) {
      const bool retry = IsGeneratorFailure(fit.status());
      Release(index, fit.status(), 0, retry);
      if (!retry) return fit.status();
      tried.push_back(index);
      continue;
    }
    return std::unique_ptr<rag::PendingAnswer>(new RemoteAnswer(
        *this, std::move(lease), std::move(tried), std::move(fit->given), question, options,
        fit->prompt_tokens, std::move(on_delta), std::move(on_generation_end)));
  }
}

}  // namespace docent::remote
