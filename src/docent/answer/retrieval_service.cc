// Which models retrieval uses and when dense retrieval is ready (see retrieval_service.h).
#include "docent/answer/retrieval_service.h"

#include <filesystem>

namespace docent::answer {

Result<std::unique_ptr<RetrievalService>> RetrievalService::Open(
    store::Store& store, const RetrievalServiceOptions& options) {
  std::unique_ptr<RetrievalService> s(new RetrievalService(store));
  DOCENT_ASSIGN_OR_RETURN(std::optional<store::EmbeddingModelInfo> recorded,
                          store.EmbeddingModel());
  std::string path = options.embed_model;
  if (path.empty() && options.use_recorded_model && recorded) {
    if (std::filesystem::exists(recorded->path)) {
      path = recorded->path;
    } else {
      s->note_ = "the store's embedding model " + recorded->path +
                 " is gone: searching with BM25 (docent add --embed-model MODEL re-embeds)";
    }
  }
  if (!path.empty()) {
    DOCENT_ASSIGN_OR_RETURN(s->embedder_, llm::Embedder::Load(path, options.threads));
    if (s->embedder_->is_reranker()) {
      return InvalidArgument(path + " is a reranker, not an embedding model");
    }
    // A recorded model whose file changed since (another quantisation under the same name)
    // is not silently adopted, which would re-embed the store and drop its vectors.
    if (options.embed_model.empty() && recorded &&
        s->embedder_->fingerprint() != recorded->fingerprint) {
      s->embedder_.reset();
      s->note_ = "the store's embedding model " + recorded->path +
                 " is not the file its vectors were made with (its hash differs): searching "
                 "with BM25 (docent add --embed-model " +
                 recorded->path + " re-embeds with it)";
    }
  }
  if (s->embedder_ != nullptr) {
    s->indexes_ = std::make_unique<search::DenseIndexes>(store, s->embedder_->fingerprint(),
                                                         s->embedder_->dimensions());
    s->dense_ = {s->embedder_.get(), s->indexes_.get()};
    DOCENT_RETURN_IF_ERROR(s->CheckReady());
  }
  if (!options.rerank_model.empty()) {
    DOCENT_ASSIGN_OR_RETURN(s->reranker_,
                            llm::Embedder::Load(options.rerank_model, options.threads));
    if (!s->reranker_->is_reranker()) {
      return InvalidArgument(options.rerank_model + " is an embedding model, not a reranker");
    }
  }
  return s;
}

Status RetrievalService::CheckReady() {
  DOCENT_ASSIGN_OR_RETURN(std::optional<store::EmbeddingModelInfo> recorded,
                          store_.EmbeddingModel());
  const bool ready = recorded && recorded->fingerprint == embedder_->fingerprint();
  {
    std::lock_guard lock(note_mu_);
    if (ready) {
      note_.clear();
    } else if (recorded) {
      note_ = "the store's vectors are of " + recorded->name + " (" + recorded->path + "), not " +
              embedder_->name() + ": searching with BM25 until every chunk is re-embedded";
    } else {
      note_ = "no chunk has a vector of " + embedder_->name() +
              " yet: searching with BM25 until every chunk is embedded";
    }
  }
  ready_ = ready;
  if (ready) adopted_ = true;
  return Status::Ok();
}

std::string RetrievalService::note() const {
  std::lock_guard lock(note_mu_);
  return note_;
}

Result<int64_t> RetrievalService::EmbedPending(const indexer::EmbedPassOptions& options,
                                               bool wait) {
  if (embedder_ == nullptr) return int64_t{0};
  std::unique_lock lock(pass_mu_, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return int64_t{0};  // the running pass reaches the new chunks (it looks again at its end)
  }
  if (adopted_) {
    DOCENT_ASSIGN_OR_RETURN(std::optional<store::EmbeddingModelInfo> recorded,
                            store_.EmbeddingModel());
    if (recorded && recorded->fingerprint != embedder_->fingerprint()) {
      const std::string why = "another docent process made " + recorded->name + " (" +
                              recorded->path + ") the store's embedding model after " +
                              embedder_->name() +
                              ": searching with BM25 (restart with "
                              "--embed-model " +
                              recorded->path + ")";
      {
        std::lock_guard note_lock(note_mu_);
        note_ = why;
      }
      ready_ = false;
      return FailedPrecondition(why);
    }
  }
  DOCENT_ASSIGN_OR_RETURN(int64_t done, indexer::EmbedPendingChunks(store_, *embedder_, options));
  DOCENT_RETURN_IF_ERROR(CheckReady());
  return done;
}

Result<search::RetrievalOptions> RetrievalService::Options(std::optional<search::Retrieval> mode,
                                                           int k) const {
  search::RetrievalOptions o;
  o.bm25.k = k;
  const bool ready = dense_ready();
  if (mode && *mode != search::Retrieval::kBm25 && embedder_ == nullptr) {
    return FailedPrecondition(
        std::string(search::RetrievalName(*mode)) +
        " retrieval needs an embedding model: docent add --embed-model MODEL.gguf embeds the "
        "documents" +
        (note().empty() ? "" : " (" + note() + ")"));
  }
  o.mode = mode.value_or(ready ? search::Retrieval::kHybrid : search::Retrieval::kBm25);
  if (!ready) o.mode = search::Retrieval::kBm25;
  if (o.mode != search::Retrieval::kBm25) o.dense = &dense_;
  o.reranker = reranker_.get();
  return o;
}

Status RetrievalService::WarmIndexes(const std::atomic<bool>* cancel) {
  if (indexes_ == nullptr || !dense_ready()) return Status::Ok();
  DOCENT_ASSIGN_OR_RETURN(auto workspaces, store_.ListWorkspaces());
  for (const store::WorkspaceInfo& w : workspaces) {
    if (cancel != nullptr && cancel->load()) return Cancelled("warming the vector indexes");
    DOCENT_RETURN_IF_ERROR(indexes_->Warm(w.id, cancel));
  }
  return Status::Ok();
}

void RetrievalService::DropWorkspace(int64_t workspace_id) {
  if (indexes_ != nullptr) indexes_->Drop(workspace_id);
}

size_t RetrievalService::graphs() const {
  return indexes_ == nullptr ? 0 : indexes_->workspaces();
}

}  // namespace docent::answer
