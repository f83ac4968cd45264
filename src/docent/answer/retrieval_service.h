// The retrieval models a command or the server works with, and which retrieval a question
// gets: the embedding model (with the HNSW graphs of its vectors) and the reranker, each
// optional.
//
// The embedding model is the one named (serve / search / ask / eval --embed-model) or else the
// store's model of record (what `docent add --embed-model` set), loaded from its recorded
// path if the file there is still the one its vectors were made with (same hash). Dense retrieval
// is ready only while that model's vectors are the store's model of record, so a server started
// with a new model answers with BM25 (and says so) until EmbedPending has re-embedded every chunk;
// then hybrid is the default.
//
// The default retrieval is hybrid when dense retrieval is ready, BM25 otherwise. Asking for
// dense or hybrid explicitly with no embedding model at all is FailedPrecondition; while a
// model is being re-embedded such a request falls back to BM25, reported as the retrieval
// used (effective_mode).
// Thread safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "docent/indexer/embed_pass.h"
#include "docent/llm/embedder.h"
#include "docent/search/dense_index.h"
#include "docent/search/retriever.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::answer {

struct RetrievalServiceOptions {
  std::string embed_model;   // empty: the store's model of record, if any
  std::string rerank_model;  // empty: none
  int threads = 1;           // for each model
  // Use the store's model of record when no embed_model is named (a command's default).
  bool use_recorded_model = true;
};

class RetrievalService {
 public:
  // The models' load errors; InvalidArgument for a reranker named as the embedding model or
  // the other way round. A recorded model whose file is gone or changed is not an error: the
  // service then has no embedding model and note() says why.
  static Result<std::unique_ptr<RetrievalService>> Open(store::Store& store,
                                                        const RetrievalServiceOptions& options);

  const llm::Embedder* embedder() const { return embedder_.get(); }
  const llm::Embedder* reranker() const { return reranker_.get(); }
  bool dense_ready() const { return ready_.load(); }
  // Why dense retrieval is not ready, or empty.
  std::string note() const;

  // Embeds the chunks without a vector of the embedding model (re-embedding all of them after
  // a change of model), then makes dense retrieval ready. One pass at a time: with `wait`
  // false, a call that finds a pass running returns 0 at once (that pass looks for new chunks
  // again before it ends). A no-op without an embedding model. FailedPrecondition, embedding
  // nothing, once another process has made another model the store's after this one's was
  // (a `docent add --embed-model B` beside a server on A): the newer choice stands, and this
  // service searches with BM25 and says so, rather than re-embedding back and forth.
  Result<int64_t> EmbedPending(const indexer::EmbedPassOptions& options = {}, bool wait = true);

  // The retrieval for a question: `mode` as asked (nullopt: the default), k passages.
  Result<search::RetrievalOptions> Options(std::optional<search::Retrieval> mode, int k) const;

  // Starts every workspace's graph (a server's start, off the request path); Cancelled when
  // *cancel turns true.
  Status WarmIndexes(const std::atomic<bool>* cancel = nullptr);
  // A removed workspace's graph leaves memory (the server calls this on DELETE).
  void DropWorkspace(int64_t workspace_id);
  // Workspaces whose graph is in memory.
  size_t graphs() const;

 private:
  explicit RetrievalService(store::Store& store) : store_(store) {}
  // Ready when the store's model of record is the embedding model.
  Status CheckReady();

  store::Store& store_;
  std::unique_ptr<llm::Embedder> embedder_, reranker_;
  std::unique_ptr<search::DenseIndexes> indexes_;
  search::DenseSearch dense_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> adopted_{false};  // the store's model was this one at some point
  mutable std::mutex note_mu_;
  std::string note_;    // GUARDED_BY(note_mu_)
  std::mutex pass_mu_;  // one embedding pass at a time
};

}  // namespace docent::answer
