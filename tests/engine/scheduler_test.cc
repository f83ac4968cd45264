// The scheduler on a synthetic model: 16 concurrent mixed requests give exactly the tokens
// each gives alone (batch invariance plus per-request seeded sampling), a shared prefix is
// computed once and reused without changing a token, the queue bound and its fairness across
// clients, cancellation and deadlines free their slot, and bad requests are refused.
// Synchronisation is by promises and Wait(), never by sleeping.
#include "docent/engine/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "docent/llm/model_synth.h"
#include "support/model_files.h"

namespace docent::engine {
namespace {

using ::testing::HasSubstr;

struct Fixture {
  std::unique_ptr<llm::Model> model;
  std::unique_ptr<llm::Tokenizer> tokenizer;
};

const std::vector<uint8_t>& ModelBytes() {
  static const std::vector<uint8_t>* bytes = [] {
    llm::SynthModelSpec spec;
    spec.arch = llm::ModelArch::kQwen2;
    spec.weight_type = llm::GgmlType::kQ4_0;
    spec.seed = 21;
    auto w = llm::BuildSynthModel(spec, testing::StoriesGguf());
    if (!w.ok()) std::abort();
    return new std::vector<uint8_t>(w->Serialize());
  }();
  return *bytes;
}

Fixture Load(uint32_t slots) {
  auto file = llm::GgufFile::FromBytes(ModelBytes(), "synth.gguf");
  EXPECT_TRUE(file.ok());
  Fixture f;
  auto tok = llm::Tokenizer::FromGguf(*file);
  EXPECT_TRUE(tok.ok()) << tok.status().ToString();
  f.tokenizer = std::move(tok).value();
  llm::ModelOptions options;
  options.n_seq = slots;
  options.max_positions = 256;
  options.threads = 2;
  auto m = llm::Model::FromFile(std::move(file).value(), options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  f.model = std::move(m).value();
  return f;
}

using testing::RandomPrompt;

GenerationRequest Request(uint32_t i) {
  GenerationRequest r;
  r.prompt = RandomPrompt(i, 3 + (i * 7) % 40);
  r.max_tokens = 8 + i % 5;
  if (i % 2) {  // half sampled with their own seeds, half greedy
    r.sampling.temperature = 0.9f;
    r.sampling.top_k = 40;
    r.sampling.seed = 1000 + i;
  }
  return r;
}

TEST(SchedulerTest, SixteenConcurrentMixedRequestsGiveWhatEachGivesAlone) {
  std::vector<std::vector<uint32_t>> alone(16);
  {
    Fixture f = Load(1);
    Scheduler s(*f.model, *f.tokenizer, {});
    for (uint32_t i = 0; i < 16; ++i) {
      auto h = s.Submit(Request(i), nullptr);
      ASSERT_TRUE(h.ok()) << h.status().ToString();
      alone[i] = (*h)->Wait().tokens;
      EXPECT_FALSE(alone[i].empty());
    }
  }
  Fixture f = Load(16);
  Scheduler s(*f.model, *f.tokenizer, {});
  std::vector<std::shared_ptr<Scheduler::Handle>> handles;
  for (uint32_t i = 0; i < 16; ++i) {
    auto h = s.Submit(Request(i), nullptr);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    handles.push_back(*h);
  }
  for (uint32_t i = 0; i < 16; ++i) {
    const GenerationResult r = handles[i]->Wait();
    EXPECT_EQ(r.tokens, alone[i]) << "request " << i;
  }
  const SchedulerStats stats = s.Stats();
  uint64_t batched_steps = 0;
  for (size_t n = 2; n < stats.batch_size_counts.size(); ++n)
    batched_steps += stats.batch_size_counts[n];
  EXPECT_GT(batched_steps, 0u) << "the requests never shared a step";
}

// The same 120 passage tokens, then a 6-token question.
GenerationRequest PassagesThenQuestion(uint32_t passages_seed, uint32_t question_seed) {
  GenerationRequest r;
  r.prompt = RandomPrompt(passages_seed, 120);
  const std::vector<uint32_t> q = RandomPrompt(question_seed, 6);
  r.prompt.insert(r.prompt.end(), q.begin(), q.end());
  r.max_tokens = 6;
  return r;
}

TEST(SchedulerTest, ASharedPrefixIsComputedOnceAndChangesNothing) {
  const size_t passages = 120;
  auto with_question = [](uint32_t seed) { return PassagesThenQuestion(50, seed); };
  std::vector<uint32_t> fresh;
  {
    Fixture f = Load(1);
    Scheduler s(*f.model, *f.tokenizer, {});
    fresh = (*s.Submit(with_question(2), nullptr))->Wait().tokens;
  }
  Fixture f = Load(2);
  Scheduler s(*f.model, *f.tokenizer, {});
  const GenerationResult first = (*s.Submit(with_question(1), nullptr))->Wait();
  EXPECT_EQ(first.cached_prompt_tokens, 0u);
  const GenerationResult second = (*s.Submit(with_question(2), nullptr))->Wait();
  EXPECT_GE(second.cached_prompt_tokens, passages);
  EXPECT_LT(second.cached_prompt_tokens, second.prompt_tokens);
  EXPECT_EQ(second.tokens, fresh);
  EXPECT_EQ(s.Stats().cached_prompt_tokens, second.cached_prompt_tokens);
}

TEST(SchedulerTest, PrefixesAreReusedOnlyWithinACacheScope) {
  // Two workspaces asking over the same passages: the second workspace's request computes its
  // whole prompt (neither the slot nor the prefix cache of the first is offered to it), gets
  // the same tokens, and reuses its own prefix on its next request.
  Fixture f = Load(1);
  Scheduler s(*f.model, *f.tokenizer, {});
  auto scoped = [](uint32_t seed, uint64_t scope) {
    GenerationRequest r = PassagesThenQuestion(50, seed);
    r.cache_scope = scope;
    return r;
  };
  const GenerationResult hr = (*s.Submit(scoped(1, 1), nullptr))->Wait();
  const GenerationResult fin = (*s.Submit(scoped(1, 2), nullptr))->Wait();
  EXPECT_EQ(fin.cached_prompt_tokens, 0u);
  EXPECT_EQ(fin.tokens, hr.tokens);
  const GenerationResult fin_again = (*s.Submit(scoped(2, 2), nullptr))->Wait();
  EXPECT_GE(fin_again.cached_prompt_tokens, 120u);
  const GenerationResult chat = (*s.Submit(scoped(2, 0), nullptr))->Wait();
  EXPECT_EQ(chat.cached_prompt_tokens, 0u);
}

TEST(SchedulerTest, ThePrefixCacheKeepsPassagesAfterTheirSlotIsReused) {
  auto with_question = [](uint32_t seed) { return PassagesThenQuestion(60, seed); };
  SchedulerOptions no_cache;
  no_cache.prefix_cache.max_bytes = 0;
  std::vector<uint32_t> fresh;
  {
    Fixture f = Load(1);
    Scheduler s(*f.model, *f.tokenizer, no_cache);
    fresh = (*s.Submit(with_question(2), nullptr))->Wait().tokens;
  }
  Fixture f = Load(1);
  SchedulerOptions options;
  options.prefix_cache.block_tokens = 16;
  Scheduler s(*f.model, *f.tokenizer, options);
  EXPECT_EQ((*s.Submit(with_question(1), nullptr))->Wait().cached_prompt_tokens, 0u);
  // Another prompt takes the only slot and overwrites its KV...
  GenerationRequest other;
  other.prompt = RandomPrompt(61, 90);
  other.max_tokens = 4;
  EXPECT_EQ((*s.Submit(other, nullptr))->Wait().cached_prompt_tokens, 0u);
  // ...yet the passages' whole blocks (7 x 16 of the 120 tokens) come back from the cache.
  const GenerationResult again = (*s.Submit(with_question(2), nullptr))->Wait();
  EXPECT_EQ(again.cached_prompt_tokens, 112u);
  EXPECT_EQ(again.tokens, fresh) << "copied keys and values change no token";
  const SchedulerStats stats = s.Stats();
  EXPECT_EQ(stats.prefix_cache_prompt_tokens, 112u);
  EXPECT_EQ(stats.prefix_cache.lookups, 3u);
  EXPECT_EQ(stats.prefix_cache.hits, 1u);
  EXPECT_GT(stats.prefix_cache.bytes, 0u);
  EXPECT_EQ(stats.time_to_first_token.count, 3u);
  EXPECT_EQ(stats.inter_token.count, stats.generated_tokens - 3);
  EXPECT_GT(stats.generated_tokens_per_s, 0.0);
}

TEST(SchedulerTest, CancelAllEndsRunningAndQueuedRequestsAndRefusesNewOnes) {
  Fixture f = Load(1);
  Scheduler s(*f.model, *f.tokenizer, {});
  std::promise<void> started;
  // The worker waits at the first token until CancelAll has run, so the request cannot finish
  // first however the threads are scheduled.
  std::promise<void> cancelled;
  std::shared_future<void> cancel_done = cancelled.get_future().share();
  bool first = true;
  GenerationRequest long_one;
  long_one.prompt = RandomPrompt(70, 8);
  long_one.max_tokens = 200;
  auto running = s.Submit(long_one, [&](uint32_t) {
    if (first) {
      first = false;
      started.set_value();
      cancel_done.wait();
    }
    return true;
  });
  ASSERT_TRUE(running.ok());
  auto queued = s.Submit(long_one, nullptr);  // waits for the only slot
  ASSERT_TRUE(queued.ok());
  started.get_future().wait();
  s.CancelAll();
  cancelled.set_value();
  const GenerationResult r = (*running)->Wait();
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_LT(r.tokens.size(), 200u);
  EXPECT_EQ((*queued)->Wait().finish, FinishReason::kCancelled);
  EXPECT_EQ(s.Submit(long_one, nullptr).status().code(), StatusCode::kUnavailable);
}

// A long request that takes the only slot and parks the worker at its first token until
// Release(), so what is submitted meanwhile waits in the queue.
class SlotHolder {
 public:
  SlotHolder(Scheduler& s, std::string client = "") : released_(release_.get_future().share()) {
    GenerationRequest r = Request(0);
    r.client = std::move(client);
    r.max_tokens = 200;
    auto h = s.Submit(r, [this](uint32_t) {
      if (!signalled_) {
        signalled_ = true;
        first_token_.set_value();
        released_.wait();
      }
      return true;
    });
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (!h.ok()) std::abort();
    handle_ = *h;
    first_token_.get_future().wait();
  }
  // Cancels the request and lets the worker go on; returns its result.
  GenerationResult CancelAndRelease() {
    handle_->Cancel();
    release_.set_value();
    return handle_->Wait();
  }

 private:
  std::promise<void> first_token_, release_;
  std::shared_future<void> released_;
  bool signalled_ = false;  // the scheduler's thread only
  std::shared_ptr<Scheduler::Handle> handle_;
};

TEST(SchedulerTest, AFullQueueRefusesAndCancellationFreesTheSlot) {
  Fixture f = Load(1);
  SchedulerOptions options;
  options.max_queue = 2;
  Scheduler s(*f.model, *f.tokenizer, options);
  SlotHolder holder(s);
  ASSERT_TRUE(s.Submit(Request(1), nullptr).ok());
  auto queued = s.Submit(Request(2), nullptr);
  ASSERT_TRUE(queued.ok());
  auto refused = s.Submit(Request(3), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("queue is full"));
  EXPECT_EQ(s.Stats().queued, 2u);

  const GenerationResult cancelled = holder.CancelAndRelease();
  EXPECT_EQ(cancelled.finish, FinishReason::kCancelled);
  EXPECT_LT(cancelled.tokens.size(), 200u);
  // The freed slot serves the queue.
  const GenerationResult next = (*queued)->Wait();
  EXPECT_EQ(next.finish, FinishReason::kLength);
  EXPECT_EQ(next.tokens.size(), Request(2).max_tokens);
}

TEST(SchedulerTest, ClientsTakeTurnsAndOneClientCannotFillTheQueue) {
  Fixture f = Load(1);
  SchedulerOptions options;
  options.max_queue = 8;
  options.max_queue_per_client = 3;
  Scheduler s(*f.model, *f.tokenizer, options);
  SlotHolder holder(s, "a");

  // Callbacks run on the scheduler's thread one at a time; Wait() orders them before the
  // reads below.
  std::vector<std::string> order;
  auto submit = [&](const std::string& client, uint32_t i) {
    GenerationRequest r = Request(i);
    r.client = client;
    r.max_tokens = 1;
    const std::string name = client + std::to_string(i);
    return s.Submit(r, [&order, name](uint32_t) {
      order.push_back(name);
      return true;
    });
  };
  std::vector<std::shared_ptr<Scheduler::Handle>> handles;
  for (uint32_t i = 1; i <= 3; ++i) {
    auto h = submit("a", i);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    handles.push_back(*h);
  }
  auto refused = submit("a", 4);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("this client already has 3"));
  auto other = submit("b", 1);  // the queue still has room for another client
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  handles.push_back(*other);
  EXPECT_EQ(s.Stats().queued, 4u);

  holder.CancelAndRelease();
  for (auto& h : handles) EXPECT_EQ(h->Wait().finish, FinishReason::kLength);
  // First come first served within a client, in turn across clients: b's one request does
  // not wait behind all of a's.
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "b1", "a2", "a3"}));
}

TEST(SchedulerTest, StopsAtTheCallbackAtTheDeadlineAndRefusesBadRequests) {
  Fixture f = Load(2);
  Scheduler s(*f.model, *f.tokenizer, {});
  GenerationRequest r = Request(4);
  r.max_tokens = 50;
  int seen = 0;
  const GenerationResult stopped = (*s.Submit(r, [&](uint32_t) { return ++seen < 3; }))->Wait();
  EXPECT_EQ(stopped.finish, FinishReason::kStop);
  EXPECT_EQ(stopped.tokens.size(), 3u);

  GenerationRequest late = Request(5);
  late.deadline = std::chrono::steady_clock::now();
  EXPECT_EQ((*s.Submit(late, nullptr))->Wait().finish, FinishReason::kTimeout);

  GenerationRequest empty;
  EXPECT_EQ(s.Submit(empty, nullptr).status().code(), StatusCode::kInvalidArgument);
  GenerationRequest too_long;
  too_long.prompt.assign(300, 5);
  EXPECT_THAT(s.Submit(too_long, nullptr).status().message(), HasSubstr("context holds"));
  GenerationRequest bad_sampling = Request(6);
  bad_sampling.sampling.temperature = -1;
  EXPECT_THAT(s.Submit(bad_sampling, nullptr).status().message(), HasSubstr("temperature"));
  GenerationRequest bad_token = Request(7);
  bad_token.prompt[0] = 1u << 30;
  EXPECT_THAT(s.Submit(bad_token, nullptr).status().message(), HasSubstr("vocabulary"));
}

}  // namespace
}  // namespace docent::engine

namespace docent::engine {
namespace {

// An assembled prompt (GenerationRequest::assemble) runs alone on its slot, its counts are
// reported, and its KV is never offered to the next request; a failed assembly ends the
// request with the error. Here the assembly is a plain prefill, so its tokens must be exactly
// those of a request that reads the same prompt.
TEST(SchedulerTest, AnAssembledPromptGivesItsTokensAndIsNotReusedByOthers) {
  Fixture f = Load(1);
  // One slot and no block cache: whatever a request reuses comes from the slot.
  SchedulerOptions options;
  options.prefix_cache.max_bytes = 0;
  Scheduler s(*f.model, *f.tokenizer, options);
  GenerationRequest plain = Request(3);
  auto want = s.Submit(plain, nullptr);
  ASSERT_TRUE(want.ok());
  const GenerationResult expected = (*want)->Wait();

  GenerationRequest assembled = plain;
  int calls = 0;
  assembled.assemble = [&calls, prompt = plain.prompt](llm::Model& model, uint32_t seq,
                                                       std::span<float> logits, uint32_t* stored) {
    ++calls;
    *stored = 2;
    return model.Prefill(seq, prompt, 0, logits);
  };
  auto got = s.Submit(assembled, nullptr);
  ASSERT_TRUE(got.ok());
  const GenerationResult r = (*got)->Wait();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.tokens, expected.tokens);
  EXPECT_EQ(r.stored_prompt_tokens, 2u);
  EXPECT_EQ(r.recomputed_prompt_tokens, plain.prompt.size() - 2);
  EXPECT_EQ(r.cached_prompt_tokens, 0u) << "an assembled prompt reuses no exact prefix";

  // The same prompt again, read normally: the assembled slot is not offered to it.
  auto after = s.Submit(plain, nullptr);
  ASSERT_TRUE(after.ok());
  const GenerationResult again = (*after)->Wait();
  EXPECT_EQ(again.cached_prompt_tokens, 0u);
  EXPECT_EQ(again.tokens, expected.tokens);

  GenerationRequest failing = plain;
  failing.assemble = [](llm::Model&, uint32_t, std::span<float>, uint32_t*) {
    return IOError("the store is gone");
  };
  auto failed = s.Submit(failing, nullptr);
  ASSERT_TRUE(failed.ok());
  const GenerationResult e = (*failed)->Wait();
  EXPECT_EQ(e.finish, FinishReason::kError);
  EXPECT_THAT(e.error.message(), HasSubstr("the store is gone"));

  // Without prefix reuse (`off`), nothing is taken from the slot that read this prompt.
  GenerationRequest off = plain;
  off.reuse_prefixes = false;
  auto o = s.Submit(off, nullptr);
  ASSERT_TRUE(o.ok());
  const GenerationResult without = (*o)->Wait();
  EXPECT_EQ(without.cached_prompt_tokens, 0u);
  EXPECT_EQ(without.tokens, expected.tokens);
}

}  // namespace
}  // namespace docent::engine
