// The generative answer pipeline (see generative_answer.h).
#include "docent/rag/generative_answer.h"

#include <algorithm>

#include "docent/engine/stop_matcher.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/rag/citation_filter.h"
#include "docent/rag/generative_prompt.h"
#include "docent/rag/prompt_meter.h"

namespace docent::rag {

namespace {

// Everything the scheduler's token callback touches. Until the generation ends only that
// callback does; afterwards (Wait() orders the two) only Finish().
class LocalAnswer final : public PendingAnswer {
 public:
  LocalAnswer(const AnswerModel& model, int n_sources, DeltaCallback on_delta)
      : on_delta_(std::move(on_delta)),
        stops_(StopTexts(model.family)),
        decoder_(*model.tokenizer),
        filter_(n_sources) {}

  ~LocalAnswer() override {
    if (handle_ && !finished_) {
      handle_->Cancel();
      handle_->Wait();
    }
  }

  const std::vector<Citation>& sources() const override { return answer_.sources; }
  void Cancel() override {
    if (handle_) handle_->Cancel();
  }

  Result<GenerativeAnswer> Finish() override {
    if (finished_) return FailedPrecondition("the answer was already finished");
    finished_ = true;
    answer_.generation = handle_->Wait();
    if (answer_.generation.finish == engine::FinishReason::kError) {
      return answer_.generation.error;
    }
    Emit(filter_.Push(stops_.Push(decoder_.Finish())));
    Emit(filter_.Push(stops_.Finish()));
    Emit(filter_.Finish());
    answer_.found = true;
    for (int number : filter_.used()) answer_.citations.push_back(answer_.sources[number - 1]);
    return answer_;
  }

  // On the scheduler's thread: one generated token.
  bool Push(uint32_t token) {
    Emit(filter_.Push(stops_.Push(decoder_.Push(static_cast<int32_t>(token)))));
    return !stops_.stopped();
  }

  GenerativeAnswer answer_;
  std::shared_ptr<engine::Scheduler::Handle> handle_;

 private:
  static std::vector<std::string> StopTexts(llm::ChatFamily family) {
    // Stop strings as text too: a model may spell its end-of-turn marker out in pieces.
    std::vector<std::string> texts;
    for (std::string_view stop : llm::StopStrings(family)) texts.emplace_back(stop);
    return texts;
  }

  void Emit(std::string_view text) {
    if (text.empty()) return;
    answer_.text += text;
    if (on_delta_) on_delta_(text);
  }

  DeltaCallback on_delta_;
  engine::StopMatcher stops_;
  llm::StreamingDecoder decoder_;
  CitationFilter filter_;
  bool finished_ = false;
};

class Refusal final : public PendingAnswer {
 public:
  Refusal(std::string text, DeltaCallback on_delta)
      : text_(std::move(text)), on_delta_(std::move(on_delta)) {}
  const std::vector<Citation>& sources() const override { return answer_.sources; }
  void Cancel() override {}
  Result<GenerativeAnswer> Finish() override {
    if (finished_) return FailedPrecondition("the answer was already finished");
    finished_ = true;
    answer_.text = text_;
    if (on_delta_) on_delta_(text_);
    return answer_;
  }

 private:
  std::string text_;
  DeltaCallback on_delta_;
  GenerativeAnswer answer_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<PendingAnswer> StartRefusal(std::string_view question, DeltaCallback on_delta,
                                            const std::function<void()>& on_generation_end) {
  auto refusal = std::make_unique<Refusal>(NotFoundMessage(question), std::move(on_delta));
  if (on_generation_end) on_generation_end();
  return refusal;
}

Result<std::unique_ptr<PendingAnswer>> StartGenerativeAnswer(
    const AnswerModel& model, std::string_view question,
    const std::vector<search::Passage>& passages, bool relevant, const GenerativeOptions& options,
    DeltaCallback on_delta, std::function<void()> on_generation_end) {
  if (!relevant || passages.empty()) {
    return StartRefusal(question, std::move(on_delta), on_generation_end);
  }
  // The best passages that leave room for the answer, numbered in canonical order
  // (generative_prompt.h).
  TokenizerMeter meter(*model.tokenizer, model.family);
  DOCENT_ASSIGN_OR_RETURN(FittedSources fit,
                          FitSources(meter, passages, question, options.max_sources,
                                     options.max_tokens, model.context_tokens));
  // FitSources measured this prompt last: built once.
  RagPrompt prompt = meter.TakeLastPrompt();
  auto answer =
      std::make_unique<LocalAnswer>(model, static_cast<int>(fit.given.size()), std::move(on_delta));
  for (size_t i = 0; i < fit.given.size(); ++i) {
    answer->answer_.sources.push_back({static_cast<int>(i + 1), fit.given[i]});
  }
  engine::GenerationRequest request;
  request.prompt = prompt.tokens;
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
                                           std::move(prompt), fit.given);
  }
  LocalAnswer* raw = answer.get();
  auto submitted = model.scheduler->Submit(std::move(request),
                                           [raw](uint32_t token) { return raw->Push(token); });
  if (!submitted.ok()) return submitted.status();
  answer->handle_ = std::move(*submitted);
  return std::unique_ptr<PendingAnswer>(std::move(answer));
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
