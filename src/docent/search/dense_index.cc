// HNSW graphs over chunk vectors (see dense_index.h).
#include "docent/search/dense_index.h"

// hnswlib 0.6.2's hand-written SSE paths read one element past the end of a node's link list
// to compute a prefetch address (searchBaseLayer: *(datal + j + 1) at the last j), a heap
// over-read that AddressSanitizer stops on. Its portable code does not: the distances are
// plain loops (a query's ~2,000 of them over 384 values cost well under a millisecond, next to
// the several milliseconds of embedding the query), and the results stay deterministic.
#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <exception>

namespace docent::search {
namespace {

bool MoreSimilar(const DenseHit& a, const DenseHit& b) {
  if (a.similarity != b.similarity) return a.similarity > b.similarity;
  return a.chunk_id < b.chunk_id;
}

float Dot(std::span<const float> a, std::span<const float> b) {
  float sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

DenseIndex::DenseIndex(size_t dimensions, DenseIndexParams params)
    : dimensions_(dimensions),
      params_(params),
      space_(std::make_unique<hnswlib::InnerProductSpace>(dimensions)) {}

DenseIndex::~DenseIndex() = default;

Status DenseIndex::Insert(const store::StoredEmbedding& row) {
  if (row.vector.size() != dimensions_) {
    return InvalidArgument("chunk vector " + std::to_string(row.id) + " has " +
                           std::to_string(row.vector.size()) + " values, not " +
                           std::to_string(dimensions_));
  }
  try {
    if (graph_ == nullptr) {
      capacity_ = 1024;
      graph_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(
          space_.get(), capacity_, params_.M, params_.ef_construction, params_.seed);
      // Set once, here, under the writer's lock: searches share the graph and read it (its
      // search takes max(ef, k) itself).
      graph_->setEf(params_.ef_search);
    }
    if (graph_->cur_element_count >= capacity_) {
      capacity_ *= 2;
      graph_->resizeIndex(capacity_);
    }
    graph_->addPoint(row.vector.data(), static_cast<hnswlib::labeltype>(row.id));
  } catch (const std::exception& e) {
    return ResourceExhausted(std::string("vector index: ") + e.what());
  }
  chunk_of_[row.id] = row.chunk_id;
  max_id_ = std::max(max_id_, row.id);
  return Status::Ok();
}

Status DenseIndex::Sync(const std::vector<store::StoredEmbedding>& rows,
                        const std::atomic<bool>* cancel) {
  std::unordered_map<int64_t, bool> present;
  present.reserve(rows.size());
  for (const store::StoredEmbedding& r : rows) present.emplace(r.id, true);
  // Vanished vectors leave the graph first, so a rebuild below starts from the live ones.
  std::vector<int64_t> gone;
  for (const auto& [id, chunk] : chunk_of_) {
    if (!present.contains(id)) gone.push_back(id);
  }
  for (int64_t id : gone) {
    try {
      graph_->markDelete(static_cast<hnswlib::labeltype>(id));
    } catch (const std::exception& e) {
      return Internal(std::string("vector index: ") + e.what());
    }
    chunk_of_.erase(id);
    ++deleted_;
  }
  const int64_t held_up_to = max_id_;
  size_t inserted = 0;
  for (const store::StoredEmbedding& r : rows) {
    if (r.id <= held_up_to) continue;
    if (cancel != nullptr && ++inserted % 256 == 0 && cancel->load()) {
      return Cancelled("building the vector index was stopped");
    }
    if (r.vector.empty()) {
      return InvalidArgument("chunk vector " + std::to_string(r.id) + " came without values");
    }
    DOCENT_RETURN_IF_ERROR(Insert(r));
  }
  return Status::Ok();
}

std::vector<DenseHit> DenseIndex::Search(std::span<const float> query, size_t k) const {
  std::vector<DenseHit> out;
  if (graph_ == nullptr || k == 0 || query.size() != dimensions_ || chunk_of_.empty()) return out;
  auto found = graph_->searchKnn(query.data(), std::min(k, chunk_of_.size()));
  while (!found.empty()) {
    const auto [distance, label] = found.top();
    found.pop();
    auto it = chunk_of_.find(static_cast<int64_t>(label));
    if (it != chunk_of_.end()) out.push_back({it->second, 1.0f - distance});
  }
  std::sort(out.begin(), out.end(), MoreSimilar);
  return out;
}

std::vector<DenseHit> ExactSearch(const std::vector<store::StoredEmbedding>& rows,
                                  std::span<const float> query, size_t k) {
  std::vector<DenseHit> all;
  all.reserve(rows.size());
  for (const store::StoredEmbedding& r : rows) all.push_back({r.chunk_id, Dot(r.vector, query)});
  const size_t n = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    MoreSimilar);
  all.resize(n);
  return all;
}

DenseIndexes::DenseIndexes(store::Store& store, std::string fingerprint, size_t dimensions,
                           DenseIndexParams params)
    : store_(store),
      fingerprint_(std::move(fingerprint)),
      dimensions_(dimensions),
      params_(params) {}

DenseIndexes::~DenseIndexes() = default;

Result<std::shared_ptr<DenseIndexes::Entry>> DenseIndexes::Synced(int64_t workspace_id,
                                                                  const std::atomic<bool>* cancel) {
  // The version first: rows read after it are at least that new, so a write between the two
  // reads is at worst synced again next time. (A removed workspace fails here, before it
  // would get an entry.)
  int64_t version = 0;
  {
    DOCENT_ASSIGN_OR_RETURN(auto session, store_.Read(workspace_id, /*with_index=*/false));
    version = session->version();
  }
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto& slot = entries_[workspace_id];
    if (slot == nullptr) slot = std::make_shared<Entry>();
    entry = slot;
  }
  {
    std::shared_lock read(entry->mu);
    if (entry->version == version) return entry;
  }
  std::unique_lock write(entry->mu);
  if (entry->version == version) return entry;
  if (entry->index != nullptr && entry->index->deleted() > entry->index->live()) {
    entry->index.reset();  // mostly deleted: a fresh graph is smaller and searches better
  }
  if (entry->index == nullptr) entry->index = std::make_unique<DenseIndex>(dimensions_, params_);
  DOCENT_ASSIGN_OR_RETURN(
      std::vector<store::StoredEmbedding> rows,
      store_.LoadEmbeddings(workspace_id, fingerprint_, entry->index->max_id()));
  Status st = entry->index->Sync(rows, cancel);
  if (!st.ok()) {
    entry->index.reset();
    entry->version = -1;
    return st;
  }
  entry->version = version;
  return entry;
}

Result<std::vector<DenseHit>> DenseIndexes::Search(int64_t workspace_id,
                                                   std::span<const float> query, size_t k) {
  DOCENT_ASSIGN_OR_RETURN(std::shared_ptr<Entry> entry, Synced(workspace_id));
  std::shared_lock read(entry->mu);
  if (entry->index == nullptr) return std::vector<DenseHit>{};
  return entry->index->Search(query, k);
}

Status DenseIndexes::Warm(int64_t workspace_id, const std::atomic<bool>* cancel) {
  return Synced(workspace_id, cancel).status();
}

size_t DenseIndexes::Live(int64_t workspace_id) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(workspace_id);
    if (it == entries_.end()) return 0;
    entry = it->second;
  }
  std::shared_lock read(entry->mu);
  return entry->index == nullptr ? 0 : entry->index->live();
}

void DenseIndexes::Drop(int64_t workspace_id) {
  std::shared_ptr<Entry> gone;  // freed outside mu_, after any search still holding it
  std::lock_guard lock(mu_);
  auto it = entries_.find(workspace_id);
  if (it == entries_.end()) return;
  gone = std::move(it->second);
  entries_.erase(it);
}

size_t DenseIndexes::workspaces() {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace docent::search
