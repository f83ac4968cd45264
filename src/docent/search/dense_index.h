// Vector search over a workspace's chunk vectors: an HNSW graph (hnswlib, Debian's
// libhnswlib-dev) on inner product, the vectors being L2-normalised so that it ranks by cosine.
//
// One graph per workspace and model: hnswlib 0.6.2 has no search filter, so a shared graph
// would return other workspaces' chunks and leave a workspace's k results short. Graphs live in
// memory and are rebuilt from the store (the one source of truth) when first searched; after
// that, a search that finds the workspace's version moved brings its graph up to date: new
// vectors (their store ids are above every id it holds) are inserted, vanished ones marked
// deleted, and the graph is rebuilt once more than half of it is deleted.
//
// Parameters (DenseIndexParams): M = 16 links per node, ef_construction = 200, and a search
// beam of max(ef_search = 128, k). Vectors are inserted one at a time, in store id order, with
// hnswlib's seeded level generator, so the same store gives the same graph and the same
// results on every run. tests/search/dense_index_test.cc holds recall@10 against exact search.
//
// Thread safety: DenseIndex is not synchronised; DenseIndexes is (searches share a graph,
// a sync takes it alone).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "docent/store/store.h"
#include "docent/util/status.h"

namespace hnswlib {
template <typename T>
class HierarchicalNSW;
class InnerProductSpace;
}  // namespace hnswlib

namespace docent::search {

struct DenseIndexParams {
  size_t M = 16;
  size_t ef_construction = 200;
  size_t ef_search = 128;
  size_t seed = 100;
};

struct DenseHit {
  int64_t chunk_id = 0;
  float similarity = 0;  // the inner product: cosine for unit vectors
};

class DenseIndex {
 public:
  DenseIndex(size_t dimensions, DenseIndexParams params);
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  // Brings the graph to exactly `rows` (Store::LoadEmbeddings(after_id = max_id())): rows
  // with ids above max_id() carry vectors and are inserted, held ids not among the rows are
  // marked deleted. InvalidArgument for a vector of the wrong width or a new row without one.
  // Cancelled, with the graph partly built (the caller drops it), when *cancel turns true.
  Status Sync(const std::vector<store::StoredEmbedding>& rows,
              const std::atomic<bool>* cancel = nullptr);
  int64_t max_id() const { return max_id_; }
  size_t live() const { return chunk_of_.size(); }
  size_t deleted() const { return deleted_; }
  size_t dimensions() const { return dimensions_; }

  // The k nearest live chunks to `query` (dimensions() values), most similar first, ties by
  // chunk id.
  std::vector<DenseHit> Search(std::span<const float> query, size_t k) const;

 private:
  Status Insert(const store::StoredEmbedding& row);

  size_t dimensions_;
  DenseIndexParams params_;
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  size_t capacity_ = 0;
  std::unordered_map<int64_t, int64_t> chunk_of_;  // live vector id -> chunk id
  size_t deleted_ = 0;
  int64_t max_id_ = 0;
};

// The exact k nearest (inner product) of `query` among `rows`, most similar first, ties by
// chunk id: what the graph approximates, for tests and recall measurements.
std::vector<DenseHit> ExactSearch(const std::vector<store::StoredEmbedding>& rows,
                                  std::span<const float> query, size_t k);

// The graphs of one store's workspaces for one model (its fingerprint).
class DenseIndexes {
 public:
  DenseIndexes(store::Store& store, std::string fingerprint, size_t dimensions,
               DenseIndexParams params = {});
  ~DenseIndexes();

  const std::string& fingerprint() const { return fingerprint_; }
  // Syncs the workspace's graph with the store if its version moved, then searches it.
  Result<std::vector<DenseHit>> Search(int64_t workspace_id, std::span<const float> query,
                                       size_t k);
  // Builds or syncs the workspace's graph (a server does this at start, off the request path).
  Status Warm(int64_t workspace_id, const std::atomic<bool>* cancel = nullptr);
  // The vectors a workspace's graph holds (0 before its first sync).
  size_t Live(int64_t workspace_id);
  // Forgets a removed workspace's graph (searches under way finish on it first).
  void Drop(int64_t workspace_id);
  // Workspaces with a graph in memory.
  size_t workspaces();

 private:
  struct Entry {
    std::shared_mutex mu;
    std::unique_ptr<DenseIndex> index;  // GUARDED_BY(mu)
    int64_t version = -1;               // GUARDED_BY(mu): the workspace version it reflects
  };
  // Shared: a search keeps its entry alive while Drop forgets it.
  Result<std::shared_ptr<Entry>> Synced(int64_t workspace_id,
                                        const std::atomic<bool>* cancel = nullptr);

  store::Store& store_;
  std::string fingerprint_;
  size_t dimensions_;
  DenseIndexParams params_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Entry>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace docent::search
