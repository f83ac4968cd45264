// IDF from fts5vocab: log(1 + (N - n + 0.5) / (n + 0.5)), the BM25 form that stays positive.
#include "docent/rag/store_term_statistics.h"

#include <cmath>

#include "docent/search/bm25_search.h"

namespace docent::rag {

StoreTermStatistics::StoreTermStatistics(store::Store& store, int64_t workspace_id) {
  auto session = store.Read(workspace_id, /*with_index=*/true);
  if (!session.ok()) return;
  session_ = std::move(*session);
  if (const store::TermIndex* index = session_->index()) {
    total_chunks_ = static_cast<double>(index->rows());
    return;
  }
  auto alone = session_->HoldsEveryChunk();
  alone_ = alone.ok() && *alone;
  auto chunks = session_->ChunkCount();
  total_chunks_ = chunks.ok() ? static_cast<double>(*chunks) : 0.0;
}

double StoreTermStatistics::ChunksWith(const std::string& term) const {
  if (!session_) return 0;
  // A posting list holds exactly the live chunks with the term, as fts5vocab's `doc` does.
  if (const store::TermIndex* index = session_->index()) {
    const auto* postings = index->Find(term);
    return postings != nullptr ? static_cast<double>(postings->size()) : 0.0;
  }
  auto st = alone_ ? session_->db().Prepare("SELECT doc FROM chunks_vocab WHERE term = ?1")
                   : session_->db().Prepare(
                         "SELECT count(*) FROM chunks_fts JOIN chunks c ON c.id = "
                         "chunks_fts.rowid JOIN documents d ON d.id = c.doc_id "
                         "WHERE chunks_fts MATCH ?1 AND d.workspace_id = ?2");
  if (!st.ok()) return 0;
  if (alone_) {
    st->Bind(1, std::string_view(term));
  } else {
    st->Bind(1, search::MatchExpression({term})).Bind(2, session_->workspace_id());
  }
  auto row = st->Step();
  return row.ok() && *row ? static_cast<double>(st->Int(0)) : 0.0;
}

const StoreTermStatistics::Entry& StoreTermStatistics::Lookup(std::string_view term) const {
  std::string key(term);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  double n = ChunksWith(key);
  Entry e;
  e.known = n > 0;
  n = std::max(n, 1.0);  // unknown terms count as occurring once
  double total = std::max(total_chunks_, n);
  e.idf = std::log(1.0 + (total - n + 0.5) / (n + 0.5));
  return cache_.emplace(std::move(key), e).first->second;
}

double StoreTermStatistics::Idf(std::string_view term) const {
  return Lookup(term).idf;
}

bool StoreTermStatistics::Known(std::string_view term) const {
  return Lookup(term).known;
}

double StoreTermStatistics::MaxIdf() const {
  double total = std::max(total_chunks_, 1.0);
  return std::log(1.0 + (total - 0.5) / 1.5);
}

}  // namespace docent::rag
