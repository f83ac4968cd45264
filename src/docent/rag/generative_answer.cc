// The generative answer pipeline (see generative_answer.h).
#include "docent/rag/generative_answer.h"

#include <algorithm>

#include "docent/engine/stop_matcher.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/rag/citation_filter.h"
#include "docent/rag/generative_prompt.h"
#include "docent/rag/passage_fit.h"

namespace docent::rag {

// Everything the scheduler's token callback touches. Until the generation ends only that
// callback does; afterwards (Wait() orders the two) only Finish().
struct PendingAnswer::State {
  State(const AnswerModel& model, int n_sources)
      : stops(StopTexts(model.family)), decoder(*model.tokenizer), filter(n_sources) {}

  static std::vector<std::string> StopTexts(llm::ChatFamily family) {
    // Stop strings as text too: a model may spell its end-of-turn marker out in pieces.
    std::vector<std::string> texts;
    for (std::string_view stop : llm::StopStrings(family)) texts.emplace_back(stop);
    return texts;
  }

  void Emit(std::string_view text) {
    if (text.empty()) return;
    answer.text += text;
    if (on_delta) on_delta(text);
  }

  GenerativeAnswer answer;
  DeltaCallback on_delta;
  engine::StopMatcher stops;
  llm::StreamingDecoder decoder;
  CitationFilter filter;
  std::string refusal;
  std::shared_ptr<engine::Scheduler::Handle> handle;  // null for a refusal
  bool finished = false;
};

PendingAnswer::PendingAnswer(std::unique_ptr<State> state) : state_(std::move(state)) {}

PendingAnswer::~PendingAnswer() {
  if (state_->handle && !state_->finished) {
    state_->handle->Cancel();
    state_->handle->Wait();
  }
}

const std::vector<Citation>& PendingAnswer::sources() const {
  return state_->answer.sources;
}

void PendingAnswer::Cancel() {
  if (state_->handle) state_->handle->Cancel();
}

Result<GenerativeAnswer> PendingAnswer::Finish() {
  State& s = *state_;
  if (s.finished) return FailedPrecondition("the answer was already finished");
  s.finished = true;
  if (!s.handle) {  // refused: the documents do not say
    s.Emit(s.refusal);
    return s.answer;
  }
  s.answer.generation = s.handle->Wait();
  if (s.answer.generation.finish == engine::FinishReason::kError) return s.answer.generation.error;
  s.Emit(s.filter.Push(s.stops.Push(s.decoder.Finish())));
  s.Emit(s.filter.Push(s.stops.Finish()));
  s.Emit(s.filter.Finish());
  s.answer.found = true;
  for (int number : s.filter.used()) s.answer.citations.push_back(s.answer.sources[number - 1]);
  return s.answer;
}

Result<std::unique_ptr<PendingAnswer>> StartGenerativeAnswer(
    const AnswerModel& model, std::string_view question,
    const std::vector<search::Passage>& passages, bool relevant, const GenerativeOptions& options,
    DeltaCallback on_delta, std::function<void()> on_generation_end) {
  if (!relevant || passages.empty()) {
    auto state = std::make_unique<PendingAnswer::State>(model, 0);
    state->on_delta = std::move(on_delta);
    state->refusal = NotFoundMessage(question);
    if (on_generation_end) on_generation_end();
    return std::unique_ptr<PendingAnswer>(new PendingAnswer(std::move(state)));
  }
  // The best n passages that leave room for the answer, numbered in canonical order
  // (generative_prompt.h).
  size_t n = std::min(options.max_sources, passages.size());
  engine::GenerationRequest request;
  std::vector<search::Passage> given;
  RagPrompt prompt;
  for (;; --n) {
    given = CanonicalOrder({passages.begin(), passages.begin() + n});
    prompt = BuildRagPrompt(*model.tokenizer, model.family, given, question);
    request.prompt = prompt.tokens;
    if (n == 1 || request.prompt.size() + options.max_tokens <= model.context_tokens) break;
  }
  // Even the best source alone leaves no room for an answer: cut it to the sentences around
  // its best match (passage_fit.h), leaving room for up to a quarter of the context.
  const uint32_t room = std::min(options.max_tokens, std::max(1u, model.context_tokens / 4));
  for (int attempt = 0;
       attempt < 3 && given.size() == 1 && request.prompt.size() + room > model.context_tokens;
       ++attempt) {
    const size_t text_tokens = prompt.segments[2].end - prompt.segments[2].begin;
    const size_t other = request.prompt.size() - text_tokens;
    if (other + room + 8 > model.context_tokens) break;  // the question alone is too long
    // Each attempt aims a little lower: the cut text's tokens within the prompt may differ.
    const size_t budget = (model.context_tokens - other - room) * (4 - attempt) / 4;
    given[0] = CutPassageToFit(given[0], question, *model.tokenizer, budget);
    prompt = BuildRagPrompt(*model.tokenizer, model.family, given, question);
    request.prompt = prompt.tokens;
  }
  if (request.prompt.size() + 1 >= model.context_tokens) {
    return InvalidArgument("the question and its best source take " +
                           std::to_string(request.prompt.size()) + " tokens; the context holds " +
                           std::to_string(model.context_tokens));
  }
  auto state = std::make_unique<PendingAnswer::State>(model, static_cast<int>(n));
  state->on_delta = std::move(on_delta);
  for (size_t i = 0; i < n; ++i) {
    state->answer.sources.push_back({static_cast<int>(i + 1), given[i]});
  }
  request.max_tokens = std::min<uint32_t>(
      options.max_tokens, model.context_tokens - static_cast<uint32_t>(request.prompt.size()));
  request.sampling = options.sampling;
  request.deadline = options.deadline;
  request.client = options.client;
  request.on_finish = std::move(on_generation_end);
  request.reuse_prefixes = model.context_cache != ContextCache::kOff;
  request.cache_scope = options.cache_scope;
  if (model.context_cache == ContextCache::kFast && model.kv_source != nullptr &&
      model.kv_source->store != nullptr) {
    request.assemble = MakePromptAssembler(*model.kv_source, *model.tokenizer, model.family,
                                           std::move(prompt), given);
  }
  PendingAnswer::State* s = state.get();
  auto submitted = model.scheduler->Submit(std::move(request), [s](uint32_t token) {
    s->Emit(s->filter.Push(s->stops.Push(s->decoder.Push(static_cast<int32_t>(token)))));
    return !s->stops.stopped();
  });
  if (!submitted.ok()) return submitted.status();
  state->handle = std::move(*submitted);
  return std::unique_ptr<PendingAnswer>(new PendingAnswer(std::move(state)));
}

Result<GenerativeAnswer> AnswerGeneratively(const AnswerModel& model, std::string_view question,
                                            const std::vector<search::Passage>& passages,
                                            bool relevant, const GenerativeOptions& options,
                                            const DeltaCallback& on_delta) {
  DOCENT_ASSIGN_OR_RETURN(
      std::unique_ptr<PendingAnswer> pending,
      StartGenerativeAnswer(model, question, passages, relevant, options, on_delta));
  return pending->Finish();
}

}  // namespace docent::rag
