// Chunk vectors for the dense index: every chunk of the store without a vector of the given
// model gets one, computed in batches and stored a batch per transaction, so an interrupted
// pass loses at most one batch and a re-run picks up where it stopped. A chunk is embedded as
// the model card asks passages to be (its passage prefix), with its title and heading above
// its text, as a reader sees it.
//
// When the store's model of record (Store::EmbeddingModel) is another one (or none), the pass
// ends by making this one the model of record and dropping the other model's vectors: the
// dense index never mixes two models, and until the pass ends, searches keep to the old
// model's complete vectors or to BM25 (cli/dense_retrieval.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "docent/llm/embedder.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::indexer {

struct EmbedProgress {
  int64_t done = 0;
  int64_t total = 0;
  double seconds = 0;
};

struct EmbedPassOptions {
  size_t batch = 32;                                      // chunks per transaction
  std::function<void(const EmbedProgress&)> on_progress;  // after each batch
  const std::atomic<bool>* cancel = nullptr;              // Cancelled between batches
};

// The text a chunk is embedded from (without the model's prefix).
std::string ChunkTextForEmbedding(std::string_view title, std::string_view heading,
                                  std::string_view body);

// Embeds the pending chunks and, once none is left, makes `embedder` the store's model of
// record. Returns how many chunks it embedded.
Result<int64_t> EmbedPendingChunks(store::Store& store, const llm::Embedder& embedder,
                                   const EmbedPassOptions& options = {});

// The store's model-of-record entry for `embedder`.
store::EmbeddingModelInfo ModelInfoOf(const llm::Embedder& embedder);

}  // namespace docent::indexer
