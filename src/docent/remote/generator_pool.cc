// The pool of remote generators (see generator_pool.h).
#include "docent/remote/generator_pool.h"

#include <xxhash.h>

#include <algorithm>
#include <deque>
#include <optional>

#include "docent/rag/citation_filter.h"

namespace docent::remote {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr double kFirstBackoffS = 0.5;
constexpr double kLongestBackoffS = 30;

// Passage keys a generator remembers as warm (its prefix cache holds far more prompts; these
// are the ones routing asks about).
constexpr size_t kRecentKeys = 256;

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

struct GeneratorPool::Member {
  explicit Member(OpenAiClient c) : client(std::move(c)) {}
  const OpenAiClient client;
  // Guarded by the pool's mutex (as are the two methods):
  GeneratorState state;
  Counting counting = Counting::kEstimate;
  Clock::time_point next_probe = Clock::now();
  double backoff_s = kFirstBackoffS;

  // The passage keys of its latest requests: prompts its prefix cache likely still holds.
  std::deque<uint64_t> recent;

  // A request's place on it, as member `index` of the pool, for passages `key` (0: none).
  Lease Take(size_t index, uint64_t key) {
    ++state.in_flight;
    ++state.requests;
    if (key != 0 && !Warm(key)) {
      recent.push_back(key);
      if (recent.size() > kRecentKeys) recent.pop_front();
    }
    return Lease{index, state.model, counting, state.context_length};
  }
  bool Warm(uint64_t key) const {
    return std::find(recent.begin(), recent.end(), key) != recent.end();
  }
  bool HasRoom() const { return state.healthy && state.in_flight < state.max_concurrent; }
  // Out until a probe after the backoff, which doubles while it stays down.
  void TakeOut() {
    state.healthy = false;
    next_probe = Clock::now() + Seconds(backoff_s);
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

// Whether a prompt measured for generator `a` is the prompt `b` reads: the same model and
// way of counting in the same context.
bool SameMeasure(const Lease& a, const Lease& b) {
  return a.index == b.index ||
         (a.model == b.model && a.counting == b.counting && a.context_length == b.context_length);
}

bool SameSources(const std::vector<search::Passage>& a, const std::vector<search::Passage>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.chunk_id == y.chunk_id && x.text == y.text;
  });
}

}  // namespace

// An answer written remotely: the request waits for a place (when every generator is full)
// and streams on a thread of its own, through the citation filter to on_delta.
class RemoteAnswer final : public rag::PendingAnswer {
 public:
  struct Start {
    GeneratorPool::Placement placement;
    std::vector<size_t> tried;              // generators already passed over
    rag::FittedSources fit;                 // measured with placement.lease's generator
    std::vector<search::Passage> passages;  // all retrieved, to measure again elsewhere
    uint64_t key = 0;
  };

  RemoteAnswer(GeneratorPool& pool, Start start, std::string question,
               const rag::GenerativeOptions& options, rag::DeltaCallback on_delta,
               std::function<void()> on_end)
      : pool_(pool),
        question_(std::move(question)),
        options_(options),
        key_(start.key),
        passages_(std::move(start.passages)),
        given_(std::move(start.fit.given)),
        measured_(start.placement.lease),
        filter_(static_cast<int>(given_.size())),
        on_delta_(std::move(on_delta)),
        on_end_(std::move(on_end)) {
    for (size_t i = 0; i < given_.size(); ++i) {
      answer_.sources.push_back({static_cast<int>(i + 1), given_[i]});
    }
    answer_.generation.prompt_tokens = static_cast<uint32_t>(start.fit.prompt_tokens);
    worker_ = std::thread([this, placed = start.placement.placed, tried = std::move(start.tried)] {
      Run(placed, tried);
    });
  }

  ~RemoteAnswer() override {
    Cancel();
    if (worker_.joinable()) worker_.join();
  }

  const std::vector<rag::Citation>& sources() const override { return answer_.sources; }
  void Cancel() override {
    cancel_.Cancel();
    pool_.WakeWaiters();
  }

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

  void Run(bool placed, std::vector<size_t> tried) {
    if (placed) lease_ = measured_;
    try {
      Attempts(!placed, tried);
    } catch (const std::exception& e) {
      // A server's reply that broke an assumption: this answer fails, nothing else.
      error_ = Internal(std::string("the remote answer failed: ") + e.what());
    }
    if (lease_) pool_.Release(lease_->index, Status::Ok(), 0, false);
    if (on_end_) on_end_();
  }

  // The next place, for a request that has none: at once, or in line.
  Result<Lease> NextPlace(bool in_line, const std::vector<size_t>& tried) {
    if (!in_line) {
      DOCENT_ASSIGN_OR_RETURN(GeneratorPool::Placement p, pool_.Place(key_, tried));
      if (p.placed) return p.lease;
    }
    return pool_.AwaitPlace(key_, tried, cancel_);
  }

  // Measures the prompt again for the generator now holding the request when it reads
  // prompts differently from the one measured with. OK to go on; a failure passes it over.
  Status MeasureForLease() {
    if (SameMeasure(*lease_, measured_)) return Status::Ok();
    RemoteMeter meter(pool_.client(lease_->index), lease_->counting);
    DOCENT_ASSIGN_OR_RETURN(rag::FittedSources fit,
                            rag::FitSources(meter, passages_, question_, options_.max_sources,
                                            options_.max_tokens, lease_->context_length));
    // The sources were announced by number: another generator must read the same ones.
    if (!SameSources(fit.given, given_)) {
      return FailedPrecondition("generator " + pool_.client(lease_->index).config().url +
                                " has room for other sources than those announced");
    }
    measured_ = *lease_;
    answer_.generation.prompt_tokens = static_cast<uint32_t>(fit.prompt_tokens);
    return Status::Ok();
  }

  void Attempts(bool in_line, std::vector<size_t>& tried) {
    const auto start = Clock::now();
    Status last;  // why the generator before failed
    for (;;) {
      if (!lease_) {
        auto next = NextPlace(in_line, tried);
        in_line = false;
        if (!next.ok()) {
          if (next.status().code() == StatusCode::kCancelled) {
            answer_.generation.finish = engine::FinishReason::kCancelled;
          } else {
            error_ = NoOtherGenerator(last, next.status());
          }
          return;
        }
        lease_ = std::move(*next);
      }
      if (Status measured = MeasureForLease(); !measured.ok()) {
        const bool down = IsGeneratorFailure(measured);
        pool_.Release(lease_->index, down ? measured : Status::Ok(), 0, down);
        tried.push_back(lease_->index);
        lease_.reset();
        last = measured;
        continue;
      }
      const json messages = RagMessagesJson(given_, question_, lease_->counting);
      const uint32_t prompt = answer_.generation.prompt_tokens;
      const uint32_t room = lease_->context_length > prompt ? lease_->context_length - prompt : 1;
      const json body =
          RequestBody(*lease_, messages, options_, std::min(options_.max_tokens, room));
      auto end = pool_.client(lease_->index)
                     .StreamChat(
                         body,
                         [&](std::string_view text) {
                           Emit(filter_.Push(text));
                           // Seen by the reader once handed out (a stream); held text can
                           // still start over.
                           if (!options_.text_unseen_until_done && !answer_.text.empty()) {
                             seen_ = true;
                           }
                           return true;
                         },
                         &cancel_);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (end.ok()) {
        pool_.Release(lease_->index, Status::Ok(), seconds, false);
        lease_.reset();
        answer_.generation.finish = end->finish_reason == "length" ? engine::FinishReason::kLength
                                                                   : engine::FinishReason::kStop;
        if (end->prompt_tokens > 0) answer_.generation.prompt_tokens = end->prompt_tokens;
        answer_.generation.remote_tokens = end->completion_tokens;
        answer_.generation.total_s = seconds;
        return;
      }
      const Status failure = end.status();
      const bool cancelled = failure.code() == StatusCode::kCancelled || cancel_.cancelled();
      const bool retry =
          !seen_ && !cancelled &&
          (IsGeneratorFailure(failure) || failure.code() == StatusCode::kResourceExhausted);
      pool_.Release(lease_->index, cancelled ? Status::Ok() : failure, 0, retry);
      if (cancelled) {
        lease_.reset();
        answer_.generation.finish = engine::FinishReason::kCancelled;
        return;
      }
      if (!retry) {
        lease_.reset();
        error_ =
            seen_ ? Unavailable("the generator failed after the answer began: " + failure.message())
                  : failure;
        return;
      }
      StartOver();
      tried.push_back(lease_->index);
      lease_.reset();
      last = failure;
    }
  }

  GeneratorPool& pool_;
  const std::string question_;
  const rag::GenerativeOptions options_;
  const uint64_t key_;
  const std::vector<search::Passage> passages_;
  const std::vector<search::Passage> given_;
  // The worker's, until it ends:
  Lease measured_;              // the generator the prompt was measured with
  std::optional<Lease> lease_;  // the place held now
  rag::CitationFilter filter_;  // then Finish()'s
  rag::DeltaCallback on_delta_;
  std::function<void()> on_end_;
  rag::GenerativeAnswer answer_;
  Status error_;
  std::vector<std::string> held_;  // text_unseen_until_done: the text so far
  bool seen_ = false;              // the reader has seen text: no retry
  bool finishing_ = false;
  Cancellation cancel_;
  std::thread worker_;
};

Result<std::unique_ptr<GeneratorPool>> GeneratorPool::Start(std::vector<EndpointConfig> endpoints) {
  if (endpoints.empty()) return InvalidArgument("a generator pool needs at least one generator");
  std::unique_ptr<GeneratorPool> pool(new GeneratorPool());
  pool->cache_key_ = "remote:";
  for (EndpointConfig& config : endpoints) {
    if (config.max_concurrent == 0) return InvalidArgument(config.url + ": max_concurrent is 0");
    if (!(config.timeout_s > 0)) return InvalidArgument(config.url + ": timeout_s must be > 0");
    pool->timeout_s_ = std::max(pool->timeout_s_, config.timeout_s);
    pool->cache_key_ += config.url + "|" + config.model + ";";
    DOCENT_ASSIGN_OR_RETURN(OpenAiClient client, OpenAiClient::Make(std::move(config)));
    auto member = std::make_unique<Member>(std::move(client));
    member->state.url = member->client.config().url;
    member->state.model = member->client.config().model;
    member->state.max_concurrent = member->client.config().max_concurrent;
    pool->members_.push_back(std::move(member));
  }
  // Every generator at once: start-up waits for the slowest probe, not for their sum.
  std::vector<std::thread> probes;
  for (size_t i = 0; i < pool->members_.size(); ++i) {
    probes.emplace_back([p = pool.get(), i] { p->Probe(i); });
  }
  for (std::thread& t : probes) t.join();
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
  return Clock::now() + Seconds(timeout_s_);
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
    DispatchLocked();
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

uint32_t GeneratorPool::Waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint32_t>(line_.size());
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
  return members_[chosen]->Take(chosen, 0);
}

std::vector<GeneratorState> GeneratorPool::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<GeneratorState> out;
  for (const auto& m : members_) out.push_back(m->state);
  return out;
}

GeneratorPool::Choice GeneratorPool::Choose(uint64_t passage_key,
                                            const std::vector<size_t>& tried) const {
  Choice c{members_.size(), members_.size()};
  uint64_t best_weight = 0;
  for (size_t i = 0; i < members_.size(); ++i) {
    const GeneratorState& s = members_[i]->state;
    if (!s.healthy || std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    // Rendezvous: the passages' key mixed with the generator's URL.
    const uint64_t weight = XXH3_64bits_withSeed(s.url.data(), s.url.size(), passage_key);
    if (c.preferred == members_.size() || weight > best_weight) {
      c.preferred = i;
      best_weight = weight;
    }
  }
  if (c.preferred == members_.size()) return c;
  // A generator that served these passages lately (its prefix cache holds the prompt) with
  // room, the first in rendezvous order. Passages none served go where fewest passage sets
  // are warm (ties by rendezvous), so a few hot sets spread evenly. Passages served elsewhere,
  // whose generators are all full, wait for them: reading the prompt cold here would cost
  // more than the wait (DispatchLocked overflows them once a whole batch waits).
  uint64_t warm_weight = 0;
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member& m = *members_[i];
    if (!m.state.healthy || !m.Warm(passage_key) ||
        std::find(tried.begin(), tried.end(), i) != tried.end()) {
      continue;
    }
    c.warm_somewhere = true;
    const uint64_t weight =
        XXH3_64bits_withSeed(m.state.url.data(), m.state.url.size(), passage_key);
    if (m.HasRoom() && (c.chosen == members_.size() || weight > warm_weight)) {
      c.chosen = i;
      warm_weight = weight;
    }
  }
  if (c.chosen != members_.size() || c.warm_somewhere) return c;
  if (members_[c.preferred]->HasRoom()) c.chosen = c.preferred;
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member& m = *members_[i];
    if (!m.HasRoom() || std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    if (c.chosen == members_.size() || m.recent.size() < members_[c.chosen]->recent.size()) {
      c.chosen = i;
    }
  }
  return c;
}

Status NoOtherGenerator(const Status& last, const Status& none) {
  if (last.ok()) return none;
  return Status(none.code(), last.message() + "; and no other generator could take the request: " +
                                 none.message());
}

Status GeneratorPool::NoneHealthy(const std::vector<size_t>& tried) {
  return Unavailable(tried.empty() ? "no generator is healthy" : "no other generator is healthy");
}

Status GeneratorPool::LineFull() const {
  return ResourceExhausted("every generator is busy and " + std::to_string(line_.size()) +
                           " requests are waiting for one; retry later");
}

Result<GeneratorPool::Placement> GeneratorPool::Place(uint64_t passage_key,
                                                      const std::vector<size_t>& tried) {
  std::lock_guard<std::mutex> lock(mu_);
  const Choice c = Choose(passage_key, tried);
  if (c.preferred == members_.size()) {
    return NoneHealthy(tried);
  }
  // (While requests wait in line, every place is taken: DispatchLocked hands out each one
  // that comes free, so a newcomer cannot pass them.)
  if (c.chosen != members_.size()) {
    return Placement{true, members_[c.chosen]->Take(c.chosen, passage_key)};
  }
  if (line_.size() >= kMaxWaiting) {
    return LineFull();
  }
  const Member& m = *members_[c.preferred];
  return Placement{false, Lease{c.preferred, m.state.model, m.counting, m.state.context_length}};
}

Result<GeneratorPool::Lease> GeneratorPool::AwaitPlace(uint64_t passage_key,
                                                       const std::vector<size_t>& tried,
                                                       const Cancellation& cancel) {
  std::unique_lock<std::mutex> lock(mu_);
  {
    const Choice c = Choose(passage_key, tried);
    if (c.preferred == members_.size()) {
      return NoneHealthy(tried);
    }
    if (c.chosen != members_.size()) return members_[c.chosen]->Take(c.chosen, passage_key);
  }
  if (line_.size() >= kMaxWaiting) {
    return LineFull();
  }
  Waiter me{passage_key, &tried, std::nullopt};
  line_.push_back(&me);
  const auto give_up = Clock::now() + Seconds(timeout_s_);
  Result<Lease> out = Unavailable("");
  for (;;) {
    if (me.granted) {
      out = std::move(*me.granted);
      break;
    }
    if (cancel.cancelled()) {
      out = Cancelled("the answer was cancelled while it waited for a generator");
      break;
    }
    if (Choose(passage_key, tried).preferred == members_.size()) {
      out = NoneHealthy(tried);
      break;
    }
    if (room_.wait_until(lock, give_up) == std::cv_status::timeout && !me.granted) {
      out = ResourceExhausted("every generator stayed busy for " +
                              std::to_string(static_cast<long>(timeout_s_)) + " s");
      break;
    }
  }
  line_.erase(std::find(line_.begin(), line_.end(), &me));
  return out;
}

void GeneratorPool::DispatchLocked() {
  bool granted = false;
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = *members_[i];
    while (m.HasRoom()) {
      // Who gets the place: the oldest waiter whose passages it served lately (its prefix
      // cache holds the prompt), else the oldest whose passages none served (those that
      // rendezvous prefers here first), else, once a whole batch (max_concurrent) waits for
      // other generators, the oldest of them (its prompt read again here: bounded load).
      Waiter* pick = nullptr;
      int tier = 4;
      size_t backlog = 0;  // waiters for other generators' prompts
      Waiter* oldest_elsewhere = nullptr;
      for (Waiter* w : line_) {
        if (w->granted || std::find(w->tried->begin(), w->tried->end(), i) != w->tried->end()) {
          continue;
        }
        const Choice c = Choose(w->key, *w->tried);
        const int t = m.Warm(w->key) ? 0 : c.warm_somewhere ? 3 : c.preferred == i ? 1 : 2;
        if (t == 3) {
          ++backlog;
          if (oldest_elsewhere == nullptr) oldest_elsewhere = w;
          continue;
        }
        if (t < tier) {
          pick = w;
          tier = t;
          if (t == 0) break;
        }
      }
      if (pick == nullptr && backlog >= m.state.max_concurrent) pick = oldest_elsewhere;
      if (pick == nullptr) break;
      pick->granted = m.Take(i, pick->key);
      granted = true;
    }
  }
  if (granted) room_.notify_all();
}

void GeneratorPool::WakeWaiters() {
  // Under the lock: a waiter between its look at the cancellation and its wait would miss it.
  std::lock_guard<std::mutex> lock(mu_);
  room_.notify_all();
}

void GeneratorPool::RecordFailureLocked(size_t index, const Status& failure, bool retried,
                                        bool& wake) {
  Member& m = *members_[index];
  GeneratorState& s = m.state;
  ++s.errors;
  if (retried) ++s.retried;
  s.last_error = failure.message();
  if (IsGeneratorFailure(failure) && s.healthy) {
    m.TakeOut();
    wake = true;
    room_.notify_all();  // waiters that only it could take fail now, not at their timeout
  }
}

void GeneratorPool::RecordFailure(size_t index, const Status& failure, bool retried) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RecordFailureLocked(index, failure, retried, wake);
  }
  if (wake) cv_.notify_all();
}

void GeneratorPool::Release(size_t index, const Status& failure, double seconds, bool retried) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    GeneratorState& s = members_[index]->state;
    if (s.in_flight > 0) --s.in_flight;
    if (failure.ok()) {
      if (seconds > 0) s.latency.Observe(seconds);
    } else if (failure.code() != StatusCode::kCancelled) {
      RecordFailureLocked(index, failure, retried, wake);
    }
    DispatchLocked();
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
  RemoteAnswer::Start start;
  start.key = PassageKey(passages, options.max_sources, workspace_id);
  for (;;) {
    // The sources are chosen here, for the generator that will most likely write the answer
    // (announced to the reader at once); the answer's thread waits for a place if need be.
    DOCENT_ASSIGN_OR_RETURN(start.placement, Place(start.key, start.tried));
    const Lease& lease = start.placement.lease;
    RemoteMeter meter(members_[lease.index]->client, lease.counting);
    auto fit = rag::FitSources(meter, passages, question, options.max_sources, options.max_tokens,
                               lease.context_length);
    if (fit.ok()) {
      start.fit = std::move(*fit);
      break;
    }
    const bool retry = IsGeneratorFailure(fit.status());
    if (start.placement.placed) {
      Release(lease.index, fit.status(), 0, retry);
    } else {
      RecordFailure(lease.index, fit.status(), retry);
    }
    if (!retry) return fit.status();
    start.tried.push_back(lease.index);
  }
  start.passages = passages;
  return std::unique_ptr<rag::PendingAnswer>(new RemoteAnswer(*this, std::move(start), question,
                                                              options, std::move(on_delta),
                                                              std::move(on_generation_end)));
}

}  // namespace docent::remote
