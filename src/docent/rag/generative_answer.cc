// The generative answer pipeline (see generative_answer.h).
#include "docent/rag/generative_answer.h"

#include <algorithm>

#include "docent/engine/stop_matcher.h"
#include "docent/llm/chat_encode.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/rag/citation_filter.h"
#include "docent/rag/generative_prompt.h"

namespace docent::rag {

Result<GenerativeAnswer> AnswerGeneratively(const AnswerModel& model, std::string_view question,
                                            const std::vector<search::Passage>& passages,
                                            bool relevant, const GenerativeOptions& options,
                                            const DeltaCallback& on_delta) {
  GenerativeAnswer answer;
  if (!relevant || passages.empty()) {
    answer.text = NotFoundMessage(question);
    if (on_delta) on_delta(answer.text);
    return answer;
  }
  size_t n = std::min(options.max_sources, passages.size());
  engine::GenerationRequest request;
  for (;; --n) {
    const std::vector<search::Passage> given(passages.begin(), passages.begin() + n);
    request.prompt = llm::EncodeChat(*model.tokenizer, model.family, RagMessages(given, question));
    if (n == 1 || request.prompt.size() + options.max_tokens <= model.context_tokens) break;
  }
  if (request.prompt.size() + 1 >= model.context_tokens) {
    return InvalidArgument("the question and its best source take " +
                           std::to_string(request.prompt.size()) + " tokens; the context holds " +
                           std::to_string(model.context_tokens));
  }
  for (size_t i = 0; i < n; ++i) answer.sources.push_back({static_cast<int>(i + 1), passages[i]});
  request.max_tokens = std::min<uint32_t>(
      options.max_tokens, model.context_tokens - static_cast<uint32_t>(request.prompt.size()));
  request.sampling = options.sampling;

  // Stop strings as text too: a model may spell its end-of-turn marker out in pieces.
  std::vector<std::string> stop_texts;
  for (std::string_view stop : llm::StopStrings(model.family)) stop_texts.emplace_back(stop);
  engine::StopMatcher stops(std::move(stop_texts));
  llm::StreamingDecoder decoder(*model.tokenizer);
  CitationFilter filter(static_cast<int>(n));
  auto emit = [&](std::string_view text) {
    if (text.empty()) return;
    answer.text += text;
    if (on_delta) on_delta(text);
  };
  auto submitted = model.scheduler->Submit(std::move(request), [&](uint32_t token) {
    emit(filter.Push(stops.Push(decoder.Push(static_cast<int32_t>(token)))));
    return !stops.stopped();
  });
  if (!submitted.ok()) return submitted.status();
  answer.generation = (*submitted)->Wait();
  if (answer.generation.finish == engine::FinishReason::kError) return answer.generation.error;
  emit(filter.Push(stops.Push(decoder.Finish())));
  emit(filter.Push(stops.Finish()));
  emit(filter.Finish());
  answer.found = true;
  for (int number : filter.used()) answer.citations.push_back(answer.sources[number - 1]);
  return answer;
}

}  // namespace docent::rag
