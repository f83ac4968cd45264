// Continuous batching over one model (see scheduler.h).
#include "docent/engine/scheduler.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

namespace docent::engine {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

size_t CommonPrefix(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// Whether a request reuses identical prefixes and offers its KV to others: not an assembled
// prompt (its KV is not what reading the prompt gives), and prefixes are reused.
bool SharesPrefixes(const GenerationRequest& r) {
  return r.reuse_prefixes && !r.assemble;
}

}  // namespace

void LatencyHistogram::Observe(double seconds) {
  ++count;
  sum += seconds;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      ++counts[i];
      return;
    }
  }
}

std::string_view FinishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kCancelled:
      return "cancelled";
    case FinishReason::kTimeout:
      return "timeout";
    case FinishReason::kError:
      return "error";
  }
  return "error";
}

struct Scheduler::Slot {
  std::vector<uint32_t> tokens;  // what the slot's KV cache holds, position by position
  uint64_t scope = 0;            // the cache_scope of the request that filled it
  bool busy = false;
  uint64_t last_used = 0;
};

struct Scheduler::Active {
  std::shared_ptr<Handle> handle;
  uint32_t slot = 0;
  size_t prompt_done = 0;  // prompt tokens whose KV is in the slot
  bool generating = false;
  bool exact() const { return SharesPrefixes(handle->request_); }
  uint32_t next_token = 0;  // sampled, to be fed at the next step
  llm::Sampler sampler;
  Clock::time_point last_token_at{};
  Status assembly_error = Status::Ok();  // assembling the prompt failed: finished this step
};

Scheduler::Scheduler(llm::Model& model, const llm::Tokenizer& tokenizer,
                     const SchedulerOptions& options)
    : model_(model), tokenizer_(tokenizer), options_(options), slots_(model.n_seq()) {
  for (uint32_t s = 0; s < model.n_seq(); ++s) model.ResetSequence(s);
  stats_.slots = model.n_seq();
  stats_.kv_positions = uint64_t{model.n_seq()} * model.max_positions();
  stats_.batch_size_counts.assign(model.n_seq() + 1, 0);
  const size_t position_bytes = model.cache().PositionBytes();
  if (options.prefix_cache.max_bytes >= position_bytes * options.prefix_cache.block_tokens &&
      options.prefix_cache.block_tokens > 0) {
    prefix_cache_ = std::make_unique<PrefixCache>(position_bytes, options.prefix_cache);
    stats_.prefix_cache = prefix_cache_->Stats();
  }
  worker_ = std::thread([this] { WorkerLoop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  worker_.join();
}

Result<std::shared_ptr<Scheduler::Handle>> Scheduler::Submit(GenerationRequest request,
                                                             TokenCallback on_token) {
  if (request.prompt.empty()) return InvalidArgument("the prompt is empty");
  if (request.prompt.size() >= model_.max_positions()) {
    return InvalidArgument("the prompt has " + std::to_string(request.prompt.size()) +
                           " tokens; the context holds " + std::to_string(model_.max_positions()));
  }
  for (uint32_t t : request.prompt) {
    if (t >= model_.config().vocab_size) {
      return InvalidArgument("prompt token " + std::to_string(t) + " is outside the vocabulary");
    }
  }
  if (request.max_tokens == 0) return InvalidArgument("max_tokens must be at least 1");
  DOCENT_RETURN_IF_ERROR(llm::ValidateSamplingParams(request.sampling));
  auto handle = std::make_shared<Handle>();
  handle->request_ = std::move(request);
  handle->on_token_ = std::move(on_token);
  handle->submitted_ = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || draining_) return Unavailable("the server is shutting down");
    if (queued_ >= options_.max_queue) {
      return ResourceExhausted("the generation queue is full (" +
                               std::to_string(options_.max_queue) +
                               " waiting requests); retry later");
    }
    auto lane = std::find_if(lanes_.begin(), lanes_.end(),
                             [&](const Lane& l) { return l.client == handle->request_.client; });
    const uint32_t per_client =
        options_.max_queue_per_client == 0 ? options_.max_queue : options_.max_queue_per_client;
    if (lane != lanes_.end() && lane->waiting.size() >= per_client) {
      return ResourceExhausted("this client already has " + std::to_string(per_client) +
                               " requests waiting for the model; retry later");
    }
    if (lane == lanes_.end()) {
      lanes_.push_back({handle->request_.client, {}});
      lane = std::prev(lanes_.end());
    }
    lane->waiting.push_back(handle);
    ++queued_;
    ++stats_.requests;
    stats_.queued = queued_;
  }
  work_cv_.notify_one();
  return handle;
}

void Scheduler::CancelAll() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    for (Lane& lane : lanes_) {
      for (auto& h : lane.waiting) h->Cancel();
    }
  }
  work_cv_.notify_all();
}

SchedulerStats Scheduler::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SchedulerStats s = stats_;
  // Tokens per second over the last 10 s, as Prometheus' rate() would see them.
  constexpr double kWindowS = 10;
  uint64_t prompt = 0, generated = 0;
  for (const StepTokens& t : recent_steps_) {
    if (SecondsSince(t.at) > kWindowS) continue;
    prompt += t.prompt;
    generated += t.generated;
  }
  s.prompt_tokens_per_s = static_cast<double>(prompt) / kWindowS;
  s.generated_tokens_per_s = static_cast<double>(generated) / kWindowS;
  return s;
}

void Scheduler::WorkerLoop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stop_ || queued_ > 0 || !active_.empty(); });
      if (stop_) {
        for (Lane& lane : lanes_) {
          for (auto& h : lane.waiting) {
            Active a{h, 0, 0, false, 0, *llm::Sampler::Create({}), {}};
            active_.push_back(std::move(a));
            active_.back().slot = UINT32_MAX;
          }
        }
        lanes_.clear();
        queued_ = 0;
        lock.unlock();
        while (!active_.empty()) Finish(active_.size() - 1, FinishReason::kCancelled);
        return;
      }
    }
    Admit();
    if (!active_.empty()) Step();
  }
}

void Scheduler::Admit() {
  std::lock_guard<std::mutex> lock(mu_);
  while (!lanes_.empty()) {
    const std::shared_ptr<Handle> h = lanes_.front().waiting.front();
    const std::vector<uint32_t>& prompt = h->request_.prompt;
    // The free slot sharing the longest prefix with the prompt; the least recently used
    // among equals. At least the prompt's last token is computed, for its logits.
    // An assembled prompt, or one that may not reuse prefixes, takes the least recently used.
    const bool reuse = SharesPrefixes(h->request_);
    int best = -1;
    size_t best_prefix = 0;
    for (size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].busy) continue;
      const size_t prefix =
          reuse && slots_[s].scope == h->request_.cache_scope
              ? std::min(CommonPrefix(slots_[s].tokens, prompt), prompt.size() - 1)
              : 0;
      if (best < 0 || prefix > best_prefix ||
          (prefix == best_prefix && slots_[s].last_used < slots_[best].last_used)) {
        best = static_cast<int>(s);
        best_prefix = prefix;
      }
    }
    if (best < 0) break;
    Slot& slot = slots_[best];
    slot.busy = true;
    slot.scope = h->request_.cache_scope;
    slot.tokens.resize(best_prefix);
    const size_t from_slot = best_prefix;
    if (reuse) {
      best_prefix = ReusePrefixCache(static_cast<uint32_t>(best), h->request_.cache_scope, prompt,
                                     best_prefix);
    }
    stats_.prefix_cache_prompt_tokens += best_prefix - from_slot;
    if (prefix_cache_) stats_.prefix_cache = prefix_cache_->Stats();
    auto sampler = llm::Sampler::Create(h->request_.sampling);  // validated at Submit
    Active a{h, static_cast<uint32_t>(best), best_prefix, false, 0, std::move(*sampler), {}};
    // The whole prompt is the penalties' history, however much of it was cached: the same
    // request samples the same tokens whether or not its prefix was reused.
    for (uint32_t t : prompt) a.sampler.Accept(t);
    h->result_.prompt_tokens = static_cast<uint32_t>(prompt.size());
    h->result_.cached_prompt_tokens = static_cast<uint32_t>(best_prefix);
    h->result_.queue_s = SecondsSince(h->submitted_);
    stats_.prompt_tokens += prompt.size();
    stats_.cached_prompt_tokens += best_prefix;
    active_.push_back(std::move(a));
    // The lane's turn is over: to the back if it still has requests waiting.
    Lane lane = std::move(lanes_.front());
    lanes_.pop_front();
    lane.waiting.pop_front();
    --queued_;
    if (!lane.waiting.empty()) lanes_.push_back(std::move(lane));
  }
  stats_.queued = queued_;
  stats_.running = static_cast<uint32_t>(active_.size());
}

void Scheduler::Step() {
  const auto now = Clock::now();
  for (size_t i = active_.size(); i-- > 0;) {
    Handle& h = *active_[i].handle;
    if (h.cancelled_.load() || draining_.load()) {
      Finish(i, FinishReason::kCancelled);
    } else if (now >= h.request_.deadline) {
      Finish(i, FinishReason::kTimeout);
    }
  }
  if (active_.empty()) return;

  // Assembled prompts first, each alone (GenerationRequest::assemble); their logits join the
  // batch's below.
  const size_t vocab = model_.config().vocab_size;
  std::vector<size_t> assembled_owner;
  assembled_logits_.clear();
  uint64_t assembled_fed = 0;
  for (size_t i = 0; i < active_.size(); ++i) {
    Active& a = active_[i];
    const GenerationRequest& r = a.handle->request_;
    if (a.generating || !r.assemble || a.prompt_done == r.prompt.size()) continue;
    assembled_logits_.resize(assembled_logits_.size() + vocab);
    uint32_t stored = 0;
    const Status st = r.assemble(model_, a.slot, std::span(assembled_logits_).last(vocab), &stored);
    if (!st.ok()) {
      assembled_logits_.resize(assembled_logits_.size() - vocab);
      a.assembly_error = st;
      a.prompt_done = r.prompt.size();  // nothing left to read: finished below
      continue;
    }
    slots_[a.slot].tokens = r.prompt;
    a.prompt_done = r.prompt.size();
    a.handle->result_.stored_prompt_tokens = stored;
    a.handle->result_.recomputed_prompt_tokens = static_cast<uint32_t>(r.prompt.size()) - stored;
    assembled_fed += r.prompt.size() - stored;
    assembled_owner.push_back(i);
  }
  // Decoding requests first (one token each), then prompt slices in arrival order.
  batch_.clear();
  std::vector<size_t> logit_owner;  // active index of each logits row
  int64_t budget = options_.step_token_budget;
  for (size_t i = 0; i < active_.size(); ++i) {
    Active& a = active_[i];
    if (!a.generating) continue;
    const uint32_t pos = static_cast<uint32_t>(slots_[a.slot].tokens.size());
    batch_.push_back({a.slot, a.next_token, pos, true});
    logit_owner.push_back(i);
    --budget;
  }
  for (size_t i = 0; i < active_.size(); ++i) {
    Active& a = active_[i];
    if (a.generating) continue;
    if (budget <= 0 && !batch_.empty()) break;
    const std::vector<uint32_t>& prompt = a.handle->request_.prompt;
    const size_t n = std::min<size_t>(prompt.size() - a.prompt_done,
                                      static_cast<size_t>(std::max<int64_t>(budget, 1)));
    for (size_t k = 0; k < n; ++k) {
      const size_t p = a.prompt_done + k;
      const bool last = p + 1 == prompt.size();
      batch_.push_back({a.slot, prompt[p], static_cast<uint32_t>(p), last});
      if (last) logit_owner.push_back(i);
    }
    budget -= static_cast<int64_t>(n);
  }

  logits_.resize(logit_owner.size() * vocab);
  const Status st = batch_.empty() ? Status::Ok() : model_.Decode(batch_, logits_);
  if (!st.ok()) {
    for (size_t i = active_.size(); i-- > 0;) Finish(i, FinishReason::kError, st);
    return;
  }
  logits_.insert(logits_.end(), assembled_logits_.begin(), assembled_logits_.end());
  logit_owner.insert(logit_owner.end(), assembled_owner.begin(), assembled_owner.end());
  // The KV now holds every fed token.
  uint64_t prompt_fed = 0;
  size_t sequences = 0;
  for (size_t e = 0; e < batch_.size(); ++e) {
    Slot& slot = slots_[batch_[e].seq];
    slot.tokens.push_back(batch_[e].token);
    if (e == 0 || batch_[e].seq != batch_[e - 1].seq) ++sequences;
  }
  for (Active& a : active_) {
    if (a.generating) continue;
    prompt_fed += slots_[a.slot].tokens.size() - a.prompt_done;
    a.prompt_done = slots_[a.slot].tokens.size();
    // A prompt read to its end is worth keeping at once: requests arriving meanwhile with
    // the same passages need not wait for this one to finish.
    if (a.prompt_done == a.handle->request_.prompt.size() && a.exact()) {
      OfferToPrefixCache(a.slot);
    }
  }

  // Sample, deliver, and retire what finished; from the back so indices stay valid.
  std::vector<std::pair<size_t, FinishReason>> finished;
  std::vector<double> first_tokens, gaps;
  uint64_t delivered = 0;
  for (size_t row = 0; row < logit_owner.size(); ++row) {
    Active& a = active_[logit_owner[row]];
    Handle& h = *a.handle;
    const std::span<const float> logits(&logits_[row * vocab], vocab);
    const uint32_t token = a.sampler.Sample(logits);
    a.generating = true;
    const auto token_at = Clock::now();
    if (h.result_.tokens.empty()) {
      h.result_.first_token_s = std::chrono::duration<double>(token_at - h.submitted_).count();
      first_tokens.push_back(h.result_.first_token_s);
    } else {
      gaps.push_back(std::chrono::duration<double>(token_at - a.last_token_at).count());
    }
    a.last_token_at = token_at;
    if (tokenizer_.IsEndOfGeneration(static_cast<int32_t>(token))) {
      finished.emplace_back(logit_owner[row], FinishReason::kStop);
      continue;
    }
    a.sampler.Accept(token);
    h.result_.tokens.push_back(token);
    ++delivered;
    a.next_token = token;
    const bool go_on = !h.on_token_ || h.on_token_(token);
    if (!go_on) {
      finished.emplace_back(logit_owner[row], FinishReason::kStop);
    } else if (h.result_.tokens.size() >= h.request_.max_tokens ||
               slots_[a.slot].tokens.size() >= model_.max_positions()) {
      finished.emplace_back(logit_owner[row], FinishReason::kLength);
    }
  }
  for (size_t i = 0; i < active_.size(); ++i) {
    if (!active_[i].assembly_error.ok()) finished.emplace_back(i, FinishReason::kError);
  }
  std::sort(finished.begin(), finished.end(),
            [](const auto& x, const auto& y) { return x.first > y.first; });
  for (const auto& [index, reason] : finished) {
    Status error = active_[index].assembly_error;
    Finish(index, reason, std::move(error));
  }

  uint64_t used = 0;
  for (const Slot& slot : slots_) used += slot.tokens.size();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.steps;
  stats_.generated_tokens += delivered;
  if (sequences < stats_.batch_size_counts.size()) ++stats_.batch_size_counts[sequences];
  stats_.running = static_cast<uint32_t>(active_.size());
  stats_.kv_positions_used = used;
  for (double t : first_tokens) stats_.time_to_first_token.Observe(t);
  for (double t : gaps) stats_.inter_token.Observe(t);
  if (prefix_cache_) stats_.prefix_cache = prefix_cache_->Stats();
  RecordThroughput(prompt_fed + assembled_fed, delivered);
}

void Scheduler::RecordThroughput(uint64_t prompt_tokens, uint64_t generated) {
  constexpr auto kWindow = std::chrono::seconds(10);
  const auto now = Clock::now();
  recent_steps_.push_back({now, prompt_tokens, generated});
  while (!recent_steps_.empty() && now - recent_steps_.front().at > kWindow) {
    recent_steps_.pop_front();
  }
}

size_t Scheduler::ReusePrefixCache(uint32_t slot, uint64_t scope,
                                   const std::vector<uint32_t>& prompt, size_t have) {
  if (!prefix_cache_) return have;
  // At least the prompt's last token is computed, for its logits.
  const std::vector<const uint8_t*> blocks =
      prefix_cache_->Lookup(scope, prompt, prompt.size() - 1);
  const size_t bt = prefix_cache_->block_tokens();
  if (blocks.size() * bt <= have) return have;
  llm::KvCache& kv = model_.mutable_cache();
  // Blocks from the one holding the slot's first missing position; the slot's own tokens
  // before it are the same tokens, so the same keys and values.
  size_t done = have / bt * bt;
  for (size_t b = have / bt; b < blocks.size(); ++b) {
    if (!kv.ImportPositions(slot, static_cast<uint32_t>(b * bt), static_cast<uint32_t>(bt),
                            blocks[b])
             .ok()) {
      break;
    }
    done = (b + 1) * bt;
  }
  if (done <= have) return have;
  slots_[slot].tokens.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(done));
  return done;
}

void Scheduler::OfferToPrefixCache(uint32_t slot) {
  if (!prefix_cache_) return;
  const llm::KvCache& kv = model_.cache();
  prefix_cache_->Insert(slots_[slot].scope, slots_[slot].tokens,
                        [&](uint32_t first, uint32_t count, uint8_t* dst) {
                          kv.ExportPositions(slot, first, count, dst);
                        });
}

void Scheduler::Finish(size_t index, FinishReason reason, Status error) {
  Active a = std::move(active_[index]);
  active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(index));
  if (a.slot != UINT32_MAX) {
    Slot& slot = slots_[a.slot];
    slot.busy = false;
    slot.last_used = ++clock_;
    // The generated tokens too: a conversation's next turn starts with this answer. A slot
    // whose KV is not exact is offered to no one.
    if (!a.exact()) {
      slot.tokens.clear();
    } else if (reason != FinishReason::kError) {
      OfferToPrefixCache(a.slot);
    }
  }
  Handle& h = *a.handle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.finished[static_cast<int>(reason)];
    stats_.running = static_cast<uint32_t>(active_.size());
  }
  h.result_.finish = reason;
  h.result_.error = std::move(error);
  h.result_.total_s = SecondsSince(h.submitted_);
  // Before done_: whoever owns what on_finish touches may free it once Wait() returns.
  if (h.request_.on_finish) h.request_.on_finish();
  std::lock_guard<std::mutex> lock(h.mu_);
  h.done_ = true;
  h.cv_.notify_all();
}

GenerationResult Scheduler::Handle::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return done_; });
  return result_;
}

bool Scheduler::Handle::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

}  // namespace docent::engine
