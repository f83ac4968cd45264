// TermStatistics over one workspace of the store: IDF from the number of the workspace's
// chunks that hold a term, so one team's documents never change what another team's
// question finds known or unknown. Read from the workspace's term index when it is built,
// else from FTS5 (its vocabulary when the workspace holds every chunk, else a count of the
// workspace's matching rows). Values are cached per instance, so make one per question.
// While it lives it holds the workspace's term index (a ReadSession with the index), so a
// commit waits for it: keep it to the answering of one question, and never write to the
// store from the thread that holds one.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "docent/rag/extractive.h"
#include "docent/store/store.h"

namespace docent::rag {

class StoreTermStatistics : public TermStatistics {
 public:
  StoreTermStatistics(store::Store& store, int64_t workspace_id);
  double Idf(std::string_view term) const override;
  double MaxIdf() const override;
  bool Known(std::string_view term) const override;

 private:
  // One snapshot for the whole question, read apart from the writer; null when the store
  // could not be read (every term then counts as unknown).
  std::unique_ptr<store::ReadSession> session_;
  bool alone_ = false;  // the workspace holds every chunk: fts5vocab's counts are its own
  double total_chunks_ = 0;
  // The number of the workspace's chunks that hold `term`.
  double ChunksWith(const std::string& term) const;
  struct Entry {
    double idf = 0;
    bool known = false;
  };
  const Entry& Lookup(std::string_view term) const;
  mutable std::unordered_map<std::string, Entry> cache_;
};

}  // namespace docent::rag
