// Test helpers for the rag tests: TermStatistics over a fixed map, and passage builders.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "docent/rag/extractive.h"

namespace docent::rag::testing {

// IDF from a map; unknown terms get `unknown`, as the store gives an unseen term the IDF of
// a term that occurs once.
class FakeTermStatistics : public TermStatistics {
 public:
  explicit FakeTermStatistics(std::map<std::string, double, std::less<>> idf = {},
                              double unknown = 4.0)
      : idf_(std::move(idf)), unknown_(unknown) {}
  double Idf(std::string_view term) const override {
    auto it = idf_.find(term);
    return it == idf_.end() ? unknown_ : it->second;
  }
  // Terms no chunk holds (every other term counts as present somewhere).
  FakeTermStatistics& Absent(std::set<std::string, std::less<>> terms) {
    absent_ = std::move(terms);
    return *this;
  }
  // A closed corpus: exactly these terms are present.
  FakeTermStatistics& PresentOnly(std::set<std::string, std::less<>> terms) {
    present_only_ = std::move(terms);
    return *this;
  }
  bool Known(std::string_view term) const override {
    if (present_only_) return present_only_->contains(term);
    return !absent_.contains(term);
  }

 private:
  std::map<std::string, double, std::less<>> idf_;
  double unknown_;
  std::set<std::string, std::less<>> absent_;
  std::optional<std::set<std::string, std::less<>>> present_only_;
};

inline search::Passage MakePassage(int64_t chunk_id, std::string text,
                                   std::string title = "Handbook", std::string location = "") {
  search::Passage p;
  p.chunk_id = chunk_id;
  p.doc_id = chunk_id / 100;
  p.doc_title = std::move(title);
  p.doc_path = "/docs/" + p.doc_title + ".md";
  p.location = std::move(location);
  p.text = std::move(text);
  return p;
}

}  // namespace docent::rag::testing
