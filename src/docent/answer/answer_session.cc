// Retrieval plus an extractive or generative answer, pulled piece by piece (answer_session.h).
#include "docent/answer/answer_session.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <mutex>

#include "docent/answer/answer_cache.h"
#include "docent/answer/answer_views.h"
#include "docent/answer/generator.h"
#include "docent/rag/generative_answer.h"
#include "docent/rag/grounding.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/search/retriever.h"

namespace docent::answer {
namespace {

// An extractive answer cut into the pieces a stream sends: one per sentence with its citation
// marker, so a marker never arrives split ("S1. [1] S2. [2]" -> "S1. [1] ", "S2. [2]").
std::vector<std::string> SentencePieces(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == ']' && text[i + 1] == ' ') {
      out.push_back(text.substr(start, i + 2 - start));
      start = i + 2;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

// An extractive answer as shown beside `sources` (the numbered passages an answer lists):
// its text numbered against them, the sources it cites and the pieces a stream sends.
struct ShownExtractive {
  bool found = false;
  std::string text;
  std::vector<rag::Citation> citations;
  std::vector<std::string> pieces;
};

ShownExtractive ShowExtractive(const rag::ExtractiveAnswer& answer,
                               const std::vector<rag::Citation>& sources) {
  std::vector<search::Passage> passages;
  passages.reserve(sources.size());
  for (const rag::Citation& c : sources) passages.push_back(c.passage);
  const NumberedAnswer numbered = NumberAgainstSources(answer, passages);
  ShownExtractive out;
  out.found = numbered.found;
  out.text = numbered.text;
  for (int n : numbered.used) out.citations.push_back(sources[n - 1]);
  out.pieces = SentencePieces(numbered.text);
  return out;
}

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Counts the answer's sources for `docent warm`'s order (Store::NoteRetrieved).
void NoteSources(store::Store& store, const std::vector<rag::Citation>& sources) {
  std::vector<int64_t> ids;
  ids.reserve(sources.size());
  for (const rag::Citation& c : sources) ids.push_back(c.passage.chunk_id);
  store.NoteRetrieved(ids);
}

}  // namespace

struct AnswerSession::Impl {
  // What the scheduler's thread hands over while the model writes.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> ready;  // guarded by mu
  bool generation_over = false;   // guarded by mu

  std::unique_ptr<rag::PendingAnswer> pending;  // generative only
  bool generative = false;
  bool cached = false;  // replayed from the cache
  // Where and under which key a complete answer is stored (null: it is not), and the pieces
  // handed out so far, which a replay hands out again.
  AnswerCache* cache = nullptr;
  std::optional<AnswerKey> key;
  std::vector<std::string> handed_out;
  std::string finish_reason;  // of a replayed generative answer
  rag::ContextCache context_cache = rag::ContextCache::kOff;
  bool complete = false;
  bool found = false;
  std::string text;
  std::vector<rag::Citation> sources, citations;
  engine::GenerationResult generation;
  AnswerTimings timings;
  Clock::time_point answer_start;
  bool first_text_seen = false;

  // Grounding (generative answers): checked once the model is done, against the store's
  // statistics for the workspace; with require_grounding the pieces wait in `held` until then.
  store::Store* store = nullptr;
  int64_t workspace_id = 0;
  std::string question;
  bool require_grounding = false;
  std::vector<std::string> held;
  bool grounded = true;
  bool replaced = false;

  // Checks the finished generative answer and, under require_grounding, hands out what was
  // held back or, when the answer is not grounded, the extractive answer over its sources.
  void Judge(std::vector<std::string>& pieces) {
    if (found) {
      rag::StoreTermStatistics stats(*store, workspace_id);
      grounded = rag::CheckGrounding(text, sources, stats).grounded;
      if (!grounded && require_grounding) {
        // The extractive answer reads the sources in retrieval order (its rank bonus and ties
        // follow it), then is numbered as the sources are shown (canonical order).
        std::vector<rag::Citation> by_rank = sources;
        std::stable_sort(by_rank.begin(), by_rank.end(), [](const auto& a, const auto& b) {
          return a.passage.score > b.passage.score;
        });
        std::vector<search::Passage> passages;
        for (const rag::Citation& c : by_rank) passages.push_back(c.passage);
        ShownExtractive shown =
            ShowExtractive(rag::AnswerExtractively(question, passages, stats), sources);
        // What is shown now is the sources' own sentences: grounded; replaced says why.
        replaced = true;
        grounded = true;
        found = shown.found;
        text = std::move(shown.text);
        citations = std::move(shown.citations);
        held = std::move(shown.pieces);
      }
    }
    if (require_grounding) {
      for (std::string& piece : held) pieces.push_back(std::move(piece));
      held.clear();
    }
  }

  void Push(std::string_view piece) {
    std::lock_guard<std::mutex> lock(mu);
    ready.emplace_back(piece);
    cv.notify_one();
  }
  void Take(std::vector<std::string>& pieces) {
    std::lock_guard<std::mutex> lock(mu);
    for (std::string& p : ready) pieces.push_back(std::move(p));
    ready.clear();
  }
};

AnswerSession::AnswerSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AnswerSession::~AnswerSession() = default;  // a PendingAnswer cancels an unfinished model

namespace {

// The cache's copy of a complete answer.
CachedAnswer ToCached(const AnswerSession& a, std::vector<std::string> pieces) {
  CachedAnswer c;
  c.pieces = std::move(pieces);
  c.found = a.found();
  c.generative = a.generative();
  c.finish_reason = a.finish_reason();
  c.grounded = a.grounded();
  c.replaced_ungrounded = a.replaced_ungrounded();
  c.context_cache = a.context_cache();
  c.sources = a.sources();
  for (const rag::Citation& cited : a.citations()) c.cited.push_back(cited.number);
  const engine::GenerationResult& g = a.generation();
  c.prompt_tokens = g.prompt_tokens;
  c.cached_prompt_tokens = g.cached_prompt_tokens;
  c.stored_prompt_tokens = g.stored_prompt_tokens;
  c.recomputed_prompt_tokens = g.recomputed_prompt_tokens;
  c.tokens = g.tokens;
  return c;
}

}  // namespace

Result<std::unique_ptr<AnswerSession>> AnswerSession::Start(store::Store& store, Generator* model,
                                                            AnswerCache* cache,
                                                            const std::string& asked,
                                                            const AskOptions& ask) {
  auto impl = std::make_unique<Impl>();
  const auto t0 = Clock::now();
  // The pipeline answers the normalised question, so an answer is a function of its key.
  const std::string question = NormalizeQuestion(asked);
  const bool deterministic = model == nullptr || ask.sampling.temperature == 0.0f || ask.seed_given;
  if (cache != nullptr && !deterministic) cache->NoteUncacheable();
  if (cache != nullptr && deterministic) {
    // The workspace's version is read before retrieval: a write after this point moves the
    // version, so an answer computed from newer documents lands under a key nobody asks for
    // again, never the other way round.
    int64_t version = 0;
    {
      DOCENT_ASSIGN_OR_RETURN(auto session, store.Read(ask.workspace_id, /*with_index=*/false));
      version = session->version();
    }
    AnswerKey key;
    key.workspace_id = ask.workspace_id;
    key.workspace_version = version;
    key.question = question;
    key.generator = model != nullptr ? model->cache_key() : "extractive";
    key.k = ask.k;
    key.retrieval = search::RetrievalKey(ask.retrieval);
    if (model != nullptr) {
      key.max_tokens = ask.max_tokens;
      key.sampling = ask.sampling;
      key.require_grounding = ask.require_grounding;
    }
    if (std::optional<CachedAnswer> hit = cache->Lookup(key)) {
      impl->cached = true;
      impl->generative = hit->generative;
      impl->found = hit->found;
      impl->finish_reason = hit->finish_reason;
      impl->grounded = hit->grounded;
      impl->replaced = hit->replaced_ungrounded;
      if (auto mode = rag::ParseContextCache(hit->context_cache); mode.ok()) {
        impl->context_cache = *mode;
      }
      impl->sources = std::move(hit->sources);
      for (int n : hit->cited) impl->citations.push_back(impl->sources[n - 1]);
      for (const std::string& p : hit->pieces) impl->text += p;
      impl->ready.assign(hit->pieces.begin(), hit->pieces.end());
      engine::GenerationResult& g = impl->generation;
      g.prompt_tokens = hit->prompt_tokens;
      g.cached_prompt_tokens = hit->cached_prompt_tokens;
      g.stored_prompt_tokens = hit->stored_prompt_tokens;
      g.recomputed_prompt_tokens = hit->recomputed_prompt_tokens;
      g.tokens = std::move(hit->tokens);
      impl->generation_over = true;
      impl->complete = true;
      impl->first_text_seen = true;  // nothing was waited for
      NoteSources(store, impl->sources);
      impl->timings.cache_ms = MsSince(t0);
      return std::unique_ptr<AnswerSession>(new AnswerSession(std::move(impl)));
    }
    impl->cache = cache;
    impl->key = std::move(key);
    impl->timings.cache_ms = MsSince(t0);
  }
  impl->store = &store;
  impl->workspace_id = ask.workspace_id;
  impl->question = question;
  impl->require_grounding = ask.require_grounding && model != nullptr;
  const auto t1 = Clock::now();
  search::RetrievalOptions retrieval = ask.retrieval;
  retrieval.bm25.k = ask.k;
  DOCENT_ASSIGN_OR_RETURN(std::vector<search::Passage> passages,
                          search::Retrieve(store, ask.workspace_id, question, retrieval));
  impl->timings.retrieve_ms = MsSince(t1);
  impl->answer_start = Clock::now();
  const rag::ExtractiveAnswer extractive = [&] {
    // The statistics hold the workspace's term index (and so delay commits) only this long.
    rag::StoreTermStatistics stats(store, ask.workspace_id);
    return rag::AnswerExtractively(question, passages, stats);
  }();

  if (model == nullptr) {
    for (size_t i = 0; i < passages.size(); ++i) {
      impl->sources.push_back({static_cast<int>(i + 1), passages[i]});
    }
    ShownExtractive shown = ShowExtractive(extractive, impl->sources);
    NoteSources(store, impl->sources);
    impl->found = shown.found;
    impl->text = std::move(shown.text);
    impl->citations = std::move(shown.citations);
    impl->ready.assign(std::make_move_iterator(shown.pieces.begin()),
                       std::make_move_iterator(shown.pieces.end()));
    impl->generation_over = true;
    impl->complete = true;
    impl->timings.first_text_ms = impl->timings.answer_ms = MsSince(impl->answer_start);
    std::unique_ptr<AnswerSession> session(new AnswerSession(std::move(impl)));
    if (session->impl_->cache != nullptr) {
      const std::vector<std::string> pieces(session->impl_->ready.begin(),
                                            session->impl_->ready.end());
      session->impl_->cache->Put(*session->impl_->key, ToCached(*session, pieces));
    }
    return session;
  }

  rag::GenerativeOptions options;
  options.max_tokens = ask.max_tokens;
  options.sampling = ask.sampling;
  options.deadline = model->Deadline();
  options.client = ask.client;
  // Workspace ids are never reused, and plain chat has scope 0: no prefix crosses a workspace.
  options.cache_scope = static_cast<uint64_t>(ask.workspace_id);
  // Nobody sees the text before the end: a remote answer may start over elsewhere.
  options.text_unseen_until_done = !ask.streamed || impl->require_grounding;
  Impl* raw = impl.get();
  DOCENT_ASSIGN_OR_RETURN(impl->pending,
                          model->StartAnswer(
                              question, passages, extractive.found, options, ask.workspace_id,
                              [raw](std::string_view piece) { raw->Push(piece); },
                              [raw] {
                                std::lock_guard<std::mutex> lock(raw->mu);
                                raw->generation_over = true;
                                raw->cv.notify_one();
                              }));
  impl->generative = true;
  impl->sources = impl->pending->sources();
  impl->context_cache = model->context_cache();
  NoteSources(store, impl->sources);
  return std::unique_ptr<AnswerSession>(new AnswerSession(std::move(impl)));
}

bool AnswerSession::generative() const {
  return impl_->generative;
}
bool AnswerSession::cached() const {
  return impl_->cached;
}
std::string AnswerSession::context_cache() const {
  return std::string(rag::ContextCacheName(impl_->context_cache));
}
const std::vector<rag::Citation>& AnswerSession::sources() const {
  return impl_->sources;
}

Result<bool> AnswerSession::Next(std::vector<std::string>& pieces, std::chrono::milliseconds wait) {
  Impl& s = *impl_;
  const size_t before = pieces.size();
  bool over = false;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.cv.wait_for(lock, wait, [&] { return !s.ready.empty() || s.generation_over; });
    over = s.generation_over;
  }
  // Under require_grounding a generative answer's text waits until it has been checked.
  const bool hold = s.require_grounding && s.generative && !s.complete;
  auto take = [&] {
    const size_t from = pieces.size();
    s.Take(pieces);
    if (!hold) return;
    s.held.insert(s.held.end(), std::make_move_iterator(pieces.begin() + from),
                  std::make_move_iterator(pieces.end()));
    pieces.resize(from);
  };
  take();
  if (over && !s.complete) {
    // The model is done: its last held-back text arrives through Push on this thread.
    DOCENT_ASSIGN_OR_RETURN(rag::GenerativeAnswer answer, s.pending->Finish());
    take();
    s.complete = true;
    s.found = answer.found;
    s.text = std::move(answer.text);
    s.citations = std::move(answer.citations);
    s.generation = std::move(answer.generation);
    s.Judge(pieces);
    s.timings.answer_ms = MsSince(s.answer_start);
    if (s.cache != nullptr)
      s.handed_out.insert(s.handed_out.end(), pieces.begin() + before, pieces.end());
    // A timed-out answer depends on the load, not on the question: not kept.
    if (s.cache != nullptr && s.generation.finish != engine::FinishReason::kTimeout &&
        s.generation.error.ok()) {
      s.cache->Put(*s.key, ToCached(*this, std::move(s.handed_out)));
    }
    s.cache = nullptr;
  } else if (s.cache != nullptr) {
    s.handed_out.insert(s.handed_out.end(), pieces.begin() + before, pieces.end());
  }
  if (!s.first_text_seen && pieces.size() > before) {
    s.first_text_seen = true;
    s.timings.first_text_ms = MsSince(s.answer_start);
  }
  if (!s.complete) return false;
  std::lock_guard<std::mutex> lock(s.mu);
  return s.ready.empty();
}

Status AnswerSession::RunToEnd() {
  std::vector<std::string> pieces;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool complete, Next(pieces, std::chrono::milliseconds(1000)));
    if (complete) return Status::Ok();
    pieces.clear();
  }
}

void AnswerSession::Cancel() {
  impl_->cache = nullptr;  // a cancelled answer is not complete: nothing is kept
  if (impl_->pending) impl_->pending->Cancel();
}

bool AnswerSession::found() const {
  return impl_->found;
}
const std::string& AnswerSession::text() const {
  return impl_->text;
}
const std::vector<rag::Citation>& AnswerSession::citations() const {
  return impl_->citations;
}
const engine::GenerationResult& AnswerSession::generation() const {
  return impl_->generation;
}
const AnswerTimings& AnswerSession::timings() const {
  return impl_->timings;
}
bool AnswerSession::grounded() const {
  return impl_->grounded;
}
bool AnswerSession::replaced_ungrounded() const {
  return impl_->replaced;
}

std::string AnswerSession::finish_reason() const {
  if (impl_->cached) return impl_->finish_reason;
  if (!impl_->pending) return "stop";
  switch (impl_->generation.finish) {
    case engine::FinishReason::kLength:
      return "length";
    case engine::FinishReason::kTimeout:
      return "timeout";
    default:
      return "stop";
  }
}

}  // namespace docent::answer
