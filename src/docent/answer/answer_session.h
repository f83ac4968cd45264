// The answer pipeline: one answer to a question over the store, the same for `docent ask`,
// /v1/ask and the docent-rag model of the OpenAI API, which only translate it for a terminal,
// server-sent events or OpenAI chunks. Retrieval, the extractive relevance bar ("the documents
// do not say"), then the text, written by the model when there is one (rag/generative_answer.h)
// and picked extractively otherwise, with its sources numbered and its citations filtered.
//
// The caller pulls the text in pieces as they are ready, so a stream shows the model's words
// as it writes them while the HTTP thread, not the scheduler's, does the writing (a slow
// client never holds up the batch). An extractive answer is complete at once.
// Not thread-safe: one HTTP thread drives a session.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "docent/engine/scheduler.h"
#include "docent/llm/sampling.h"
#include "docent/rag/extractive.h"
#include "docent/search/retriever.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::answer {

class AnswerCache;
class Generator;

struct AnswerTimings {
  double cache_ms = 0;  // the answer cache's lookup (0 without a cache)
  double retrieve_ms = 0;
  double first_text_ms = 0;  // retrieval done -> first piece of answer text
  double answer_ms = 0;      // retrieval done -> complete
};

struct AskOptions {
  // The workspace answered from: retrieval, statistics and passage KV are its alone.
  int64_t workspace_id = store::kDefaultWorkspaceId;
  int k = rag::kDefaultAnswerPassages;  // passages retrieved
  uint32_t max_tokens = 512;            // of the model's answer
  llm::SamplingParams sampling;         // greedy unless set
  // The caller chose sampling.seed: a sampled answer is then repeatable, so cacheable.
  bool seed_given = false;
  std::string client;  // for the scheduler's fair queue
  // A generative answer that is not grounded in its sources (rag/grounding.h) is replaced by
  // the extractive answer over the same sources. Its text is then held back until the model
  // is done and it has been checked.
  bool require_grounding = false;
  // Whether the caller shows the text as it is written (a stream). When not, a remote
  // generator that fails midway can start the answer over on another generator, since nobody
  // has seen any of it (remote/generator_pool.h).
  bool streamed = true;
  // How passages are found (search/retriever.h): BM25 unless the caller's RetrievalService
  // says otherwise; its bm25.k is replaced by `k`.
  search::RetrievalOptions retrieval;
};

class AnswerSession {
 public:
  // Retrieves the best passages and starts answering. `model` (the in-process model or a
  // remote pool, generator.h) may be null (extractive).
  // With a `cache` (may be null), a deterministic answer is looked up first and replayed
  // when found (cached() is then true), and stored once complete (answer_cache.h). The
  // question is answered as NormalizeQuestion gives it.
  // Errors: the store's (NotFound for a workspace that does not exist), and the scheduler's
  // (a full queue is ResourceExhausted -> 429).
  static Result<std::unique_ptr<AnswerSession>> Start(store::Store& store, Generator* model,
                                                      AnswerCache* cache,
                                                      const std::string& question,
                                                      const AskOptions& options);
  ~AnswerSession();
  AnswerSession(const AnswerSession&) = delete;
  AnswerSession& operator=(const AnswerSession&) = delete;

  bool generative() const;
  // Replayed from the answer cache.
  bool cached() const;
  // How the model read the prompt: "exact", "fast" or "off" ("off" for an extractive answer,
  // which reads none).
  std::string context_cache() const;
  // The numbered candidate sources: "[n]" in the text is sources()[n - 1].
  const std::vector<rag::Citation>& sources() const;

  // Waits up to `wait` for text and appends what is ready to `pieces`. True once the answer is
  // complete and every piece has been handed out. Errors: the model's.
  Result<bool> Next(std::vector<std::string>& pieces, std::chrono::milliseconds wait);
  // Next() until the answer is complete, the pieces discarded (a plain, unstreamed answer).
  Status RunToEnd();
  // Stops the generation (the client went away).
  void Cancel();

  // Once Next() returned true:
  bool found() const;
  const std::string& text() const;
  const std::vector<rag::Citation>& citations() const;  // cited, in order of first use
  const engine::GenerationResult& generation() const;   // empty for an extractive answer
  // "stop", "length" or "timeout" ("stop" for an extractive answer).
  std::string finish_reason() const;
  const AnswerTimings& timings() const;
  // Whether each sentence of the answer cites a source that holds it (rag/grounding.h); an
  // extractive answer, made of the sources' own sentences, and a refusal always are.
  bool grounded() const;
  // The model's answer was not grounded and AskOptions::require_grounding replaced it by the
  // extractive one (text(), citations() and found() are then the extractive answer's).
  bool replaced_ungrounded() const;

 private:
  struct Impl;
  explicit AnswerSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace docent::answer
