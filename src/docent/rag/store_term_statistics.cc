// IDF from fts5vocab: log(1 + (N - n + 0.5) / (n + 0.5)), the BM25 form that stays positive.
#include "docent/rag/store_term_statistics.h"

#include <cmath>

namespace docent::rag {

StoreTermStatistics::StoreTermStatistics(store::Store& store) {
  auto session = store.Read(/*with_index=*/false);
  if (!session.ok()) return;
  session_ = std::move(*session);
  auto chunks = session_->ChunkCount();
  total_chunks_ = chunks.ok() ? static_cast<double>(*chunks) : 0.0;
}

const StoreTermStatistics::Entry& StoreTermStatistics::Lookup(std::string_view term) const {
  std::string key(term);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  double n = 0;
  if (session_) {
    auto st = session_->db().Prepare("SELECT doc FROM chunks_vocab WHERE term = ?1");
    if (st.ok()) {
      st->Bind(1, std::string_view(key));
      auto row = st->Step();
      if (row.ok() && *row) n = static_cast<double>(st->Int(0));
    }
  }
  Entry e;
  e.known = n > 0;
  n = std::max(n, 1.0);  // unknown terms count as occurring once
  double total = std::max(total_chunks_, n);
  e.idf = std::log(1.0 + (total - n + 0.5) / (n + 0.5));
  return cache_.emplace(std::move(key), e).first->second;
}

double StoreTermStatistics::Idf(std::string_view term) const { return Lookup(term).idf; }

bool StoreTermStatistics::Known(std::string_view term) const { return Lookup(term).known; }

double StoreTermStatistics::MaxIdf() const {
  double total = std::max(total_chunks_, 1.0);
  return std::log(1.0 + (total - 0.5) / 1.5);
}

}  // namespace docent::rag
