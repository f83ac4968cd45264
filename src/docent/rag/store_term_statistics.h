// TermStatistics over the store's FTS5 vocabulary: IDF from the number of chunks that hold
// a term. Values are cached per instance, so make one per question.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "docent/rag/extractive.h"
#include "docent/store/store.h"

namespace docent::rag {

class StoreTermStatistics : public TermStatistics {
 public:
  explicit StoreTermStatistics(store::Store& store);
  double Idf(std::string_view term) const override;
  double MaxIdf() const override;
  bool Known(std::string_view term) const override;

 private:
  // One snapshot for the whole question, read apart from the writer; null when the store
  // could not be read (every term then counts as unknown).
  std::unique_ptr<store::ReadSession> session_;
  double total_chunks_ = 0;
  struct Entry {
    double idf = 0;
    bool known = false;
  };
  const Entry& Lookup(std::string_view term) const;
  mutable std::unordered_map<std::string, Entry> cache_;
};

}  // namespace docent::rag
