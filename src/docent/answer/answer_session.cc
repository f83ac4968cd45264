// Retrieval plus an extractive or generative answer, pulled piece by piece (answer_session.h).
#include "docent/answer/answer_session.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "docent/answer/answer_views.h"
#include "docent/answer/model_service.h"
#include "docent/rag/generative_answer.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"

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
  rag::ContextCache context_cache = rag::ContextCache::kOff;
  bool complete = false;
  bool found = false;
  std::string text;
  std::vector<rag::Citation> sources, citations;
  engine::GenerationResult generation;
  AnswerTimings timings;
  Clock::time_point answer_start;
  bool first_text_seen = false;

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

Result<std::unique_ptr<AnswerSession>> AnswerSession::Start(store::Store& store,
                                                            ModelService* model,
                                                            const std::string& question,
                                                            const AskOptions& ask) {
  auto impl = std::make_unique<Impl>();
  const auto t0 = Clock::now();
  search::SearchOptions so;
  so.k = ask.k;
  DOCENT_ASSIGN_OR_RETURN(std::vector<search::Passage> passages,
                          search::SearchBm25(store, question, so));
  impl->timings.retrieve_ms = MsSince(t0);
  impl->answer_start = Clock::now();
  rag::StoreTermStatistics stats(store);
  const rag::ExtractiveAnswer extractive = rag::AnswerExtractively(question, passages, stats);

  if (model == nullptr) {
    const NumberedAnswer numbered = NumberAgainstSources(extractive, passages);
    for (size_t i = 0; i < passages.size(); ++i) {
      impl->sources.push_back({static_cast<int>(i + 1), passages[i]});
    }
    for (int n : numbered.used) impl->citations.push_back(impl->sources[n - 1]);
    NoteSources(store, impl->sources);
    impl->found = numbered.found;
    impl->text = numbered.text;
    for (std::string& piece : SentencePieces(numbered.text))
      impl->ready.push_back(std::move(piece));
    impl->generation_over = true;
    impl->complete = true;
    impl->timings.first_text_ms = impl->timings.answer_ms = MsSince(impl->answer_start);
    return std::unique_ptr<AnswerSession>(new AnswerSession(std::move(impl)));
  }

  rag::GenerativeOptions options;
  options.max_tokens = ask.max_tokens;
  options.sampling = ask.sampling;
  options.deadline = model->Deadline();
  options.client = ask.client;
  Impl* raw = impl.get();
  DOCENT_ASSIGN_OR_RETURN(impl->pending,
                          rag::StartGenerativeAnswer(
                              model->answer_model(), question, passages, extractive.found, options,
                              [raw](std::string_view piece) { raw->Push(piece); },
                              [raw] {
                                std::lock_guard<std::mutex> lock(raw->mu);
                                raw->generation_over = true;
                                raw->cv.notify_one();
                              }));
  impl->sources = impl->pending->sources();
  impl->context_cache = model->context_cache();
  NoteSources(store, impl->sources);
  return std::unique_ptr<AnswerSession>(new AnswerSession(std::move(impl)));
}

bool AnswerSession::generative() const {
  return impl_->pending != nullptr;
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
  s.Take(pieces);
  if (over && !s.complete) {
    // The model is done: its last held-back text arrives through Push on this thread.
    DOCENT_ASSIGN_OR_RETURN(rag::GenerativeAnswer answer, s.pending->Finish());
    s.Take(pieces);
    s.complete = true;
    s.found = answer.found;
    s.text = std::move(answer.text);
    s.citations = std::move(answer.citations);
    s.generation = std::move(answer.generation);
    s.timings.answer_ms = MsSince(s.answer_start);
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

std::string AnswerSession::finish_reason() const {
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
