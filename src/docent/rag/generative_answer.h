// Answers written by a model from the retrieved passages, with citations (DESIGN.md, rag).
//
//   1. The caller retrieves passages and decides whether they are relevant at all (the
//      extractive answerer's bar): when they are not, the answer is the plain not-found
//      message and the model is never called.
//   2. The prompt holds the best passages, numbered in canonical order (by document, then
//      chunk), and the instruction (generative_prompt.h), through the model's chat template.
//   3. The model's text streams out through a CitationFilter: each delta is already clean
//      (a marker naming no source never reaches the reader), and the citations actually used
//      are known at the end.
// Deterministic: greedy by default, or seeded sampling, on batch-invariant kernels.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docent/engine/scheduler.h"
#include "docent/llm/chat_template.h"
#include "docent/llm/sampling.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/context_assembly.h"
#include "docent/rag/extractive.h"
#include "docent/search/passage.h"

namespace docent::rag {

struct GenerativeOptions {
  size_t max_sources = 5;  // passages numbered into the prompt, best first
  uint32_t max_tokens = 512;
  llm::SamplingParams sampling;  // greedy unless set
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string client;  // whose turn it is in the scheduler's fair queue
  // The scheduler's cache_scope: prompts reuse prefixes only within one workspace.
  uint64_t cache_scope = 0;
  // The reader sees no text before the answer is complete (a plain, unstreamed answer): a
  // remote generator that fails midway may start over elsewhere, its text held until it
  // succeeds.
  bool text_unseen_until_done = false;
};

struct GenerativeAnswer {
  bool found = false;
  std::string text;                     // the answer as shown, markers resolved
  std::vector<Citation> sources;        // the numbered candidates given to the model, in
                                        // canonical order
  std::vector<Citation> citations;      // those the text cites, in order of first use
  engine::GenerationResult generation;  // tokens, finish reason, timings (empty if refused)
};

// The model the answers come from: its scheduler, tokenizer and chat family.
struct AnswerModel {
  engine::Scheduler* scheduler = nullptr;
  const llm::Tokenizer* tokenizer = nullptr;
  llm::ChatFamily family = llm::ChatFamily::kChatMl;
  uint32_t context_tokens = 4096;  // a sequence's room: prompt plus answer
  // How prompts are read (context_assembly.h); `fast` needs kv_source.
  ContextCache context_cache = ContextCache::kExact;
  const PassageKvSource* kv_source = nullptr;
};

// Called with each piece of answer text as it is ready.
using DeltaCallback = std::function<void(std::string_view text)>;

// An answer being written, by the in-process model or a remote generator. The sources are
// known at once (a stream can announce them before the first token); the text reaches
// `on_delta` as it is written, on the writer's thread; Finish() waits for the end, hands the
// last held-back text to `on_delta` on the caller's thread and returns the whole answer.
// Destroying it unfinished cancels the generation and waits for it to let go.
class PendingAnswer {
 public:
  virtual ~PendingAnswer() = default;
  virtual const std::vector<Citation>& sources() const = 0;
  // Ends the generation at the next step (a client went away); Finish() still returns.
  virtual void Cancel() = 0;
  // Once. Errors: the generator's.
  virtual Result<GenerativeAnswer> Finish() = 0;
};

// The answer when the documents do not say: the not-found message for `question`, which
// reaches on_delta in Finish(); `on_generation_end` is called at once.
std::unique_ptr<PendingAnswer> StartRefusal(std::string_view question, DeltaCallback on_delta,
                                            const std::function<void()>& on_generation_end);

// Sources that would not leave room for the answer in the context are left out, last first
// (at least one is kept; FitSources, prompt_meter.h); the answer is cut at the context's end.
// `relevant` is the caller's verdict on the passages (false: StartRefusal, without the model).
// `on_generation_end`, if set, is called once the model is done (on the scheduler's thread;
// at once for a refusal), so a caller waiting for deltas knows to call Finish().
// Errors: the scheduler's (a full queue is ResourceExhausted) and a prompt too long for the
// context.
Result<std::unique_ptr<PendingAnswer>> StartGenerativeAnswer(
    const AnswerModel& model, std::string_view question,
    const std::vector<search::Passage>& passages, bool relevant, const GenerativeOptions& options,
    DeltaCallback on_delta, std::function<void()> on_generation_end = {});

// StartGenerativeAnswer and Finish in one call.
Result<GenerativeAnswer> AnswerGeneratively(const AnswerModel& model, std::string_view question,
                                            const std::vector<search::Passage>& passages,
                                            bool relevant, const GenerativeOptions& options,
                                            const DeltaCallback& on_delta);

}  // namespace docent::rag
