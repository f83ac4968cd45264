// What writes a generative answer (DESIGN.md, "one answer pipeline"): the in-process model
// (model_service.h) or a pool of remote generators (remote/generator_pool.h), behind one small
// interface. The pipeline (answer_session.h) retrieves, decides whether the documents say
// anything, and hands the passages to a generator; the generator chooses the sources that fit
// its context (rag::FitSources, measured with its own tokenizer), has the answer written and
// streams it back through the citation filter. Everything else (the answer cache, grounding,
// the events a front door sends) is the pipeline's, the same for both.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "docent/rag/context_assembly.h"
#include "docent/rag/generative_answer.h"
#include "docent/search/passage.h"
#include "docent/util/status.h"

namespace docent::answer {

class Generator {
 public:
  virtual ~Generator() = default;
  // What the answer cache keys this generator's answers by: everything about it that could
  // change the words (for the in-process model, its file's fingerprint and how it reads
  // prompts).
  virtual const std::string& cache_key() const = 0;
  // How prompts are read ("off" where the generator does not say, as a remote one).
  virtual rag::ContextCache context_cache() const = 0;
  // When a request submitted now must be over.
  virtual std::chrono::steady_clock::time_point Deadline() const = 0;
  // Starts writing the answer to `question` from `passages` (retrieval order) of workspace
  // `workspace_id`; a refusal (rag::StartRefusal) when `relevant` is false. As
  // rag::StartGenerativeAnswer: `on_delta` hears the text as it is written, on the
  // generator's thread, `on_generation_end` once it is done.
  // Errors: ResourceExhausted when no capacity is left (429), Unavailable when no generator
  // can be reached (503), InvalidArgument when the prompt cannot fit.
  virtual Result<std::unique_ptr<rag::PendingAnswer>> StartAnswer(
      const std::string& question, const std::vector<search::Passage>& passages, bool relevant,
      const rag::GenerativeOptions& options, int64_t workspace_id, rag::DeltaCallback on_delta,
      std::function<void()> on_generation_end) = 0;
};

}  // namespace docent::answer
