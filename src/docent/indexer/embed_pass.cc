// The chunk-vector pass (see embed_pass.h).
#include "docent/indexer/embed_pass.h"

#include <chrono>
#include <filesystem>

namespace docent::indexer {

std::string ChunkTextForEmbedding(std::string_view title, std::string_view heading,
                                  std::string_view body) {
  std::string text;
  for (std::string_view part : {title, heading}) {
    if (part.empty() || body.starts_with(part)) continue;
    text += part;
    text += '\n';
  }
  text += body;
  return text;
}

store::EmbeddingModelInfo ModelInfoOf(const llm::Embedder& embedder) {
  store::EmbeddingModelInfo info;
  info.name = embedder.name();
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(embedder.path(), ec);
  info.path = (ec ? embedder.path() : absolute).string();
  info.fingerprint = embedder.fingerprint();
  info.dimensions = embedder.dimensions();
  return info;
}

Result<int64_t> EmbedPendingChunks(store::Store& store, const llm::Embedder& embedder,
                                   const EmbedPassOptions& options) {
  if (embedder.is_reranker()) {
    return FailedPrecondition(embedder.name() + " is a reranker, not an embedding model");
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string& fp = embedder.fingerprint();
  EmbedProgress progress;
  DOCENT_ASSIGN_OR_RETURN(progress.total, store.CountChunksToEmbed(fp));
  const std::string& prefix = embedder.prefixes().passage;
  int64_t after = 0;
  for (;;) {
    if (options.cancel != nullptr && options.cancel->load()) {
      return Cancelled("embedding stopped after " + std::to_string(progress.done) + " chunks");
    }
    DOCENT_ASSIGN_OR_RETURN(std::vector<store::ChunkToEmbed> chunks,
                            store.ChunksToEmbed(fp, after, std::max<size_t>(1, options.batch)));
    if (chunks.empty()) {
      // A chunk written meanwhile may have taken an id below the cursor (a removed document's
      // ids are reused): look again from the start before calling the pass complete.
      DOCENT_ASSIGN_OR_RETURN(const int64_t left, store.CountChunksToEmbed(fp));
      if (left == 0 || after == 0) break;
      after = 0;
      continue;
    }
    std::vector<std::pair<int64_t, std::vector<float>>> vectors;
    vectors.reserve(chunks.size());
    for (const store::ChunkToEmbed& c : chunks) {
      const std::string text = prefix + ChunkTextForEmbedding(c.title, c.heading, c.body);
      DOCENT_ASSIGN_OR_RETURN(llm::Embedding e, embedder.Embed(text, llm::Overflow::kTruncate));
      vectors.emplace_back(c.chunk_id, std::move(e.vector));
      after = c.chunk_id;
    }
    DOCENT_RETURN_IF_ERROR(store.PutEmbeddings(fp, vectors));
    progress.done += static_cast<int64_t>(vectors.size());
    progress.total = std::max(progress.total, progress.done);
    progress.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.on_progress) options.on_progress(progress);
  }
  // Every chunk has its vector: this model is the one of record, and any other model's
  // vectors (an older model's, or those of a pass that was stopped) go, in one transaction.
  DOCENT_RETURN_IF_ERROR(store.AdoptEmbeddingModel(ModelInfoOf(embedder)));
  return progress.done;
}

}  // namespace docent::indexer
