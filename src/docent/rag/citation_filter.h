// Citation markers in a generated answer, resolved while it streams.
//
// The model is told to cite its sources as [n]. Its text arrives a few bytes at a time, and a
// marker may be split across pieces ("[", "1", "]"), so the filter holds back text from a
// "[" until it can tell what follows: a marker whose numbers all name a source passes
// through and is recorded as used; numbers naming no source are dropped from it (and a marker
// left empty disappears, with the space before it), so a reader never sees a citation that
// leads nowhere; a bracket that is not a marker ("[see above]", "[a]") passes through as it
// was. "[1, 3]" and "[1][3]" both work. Not thread-safe: one per answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace docent::rag {

// The source numbers of a marker's inside ("1", "1, 3", "2,3"): nullopt when it holds anything
// but digits, commas and spaces, or no digit at all. Numbers are capped at 1,000,000 (a phone
// number in brackets names no source either way).
std::optional<std::vector<int>> ParseMarkerNumbers(std::string_view inside);

class CitationFilter {
 public:
  // Sources are numbered 1..n_sources.
  explicit CitationFilter(int n_sources) : n_sources_(n_sources) {}

  // The text that can be shown now; what may still turn out to be a marker is held back.
  std::string Push(std::string_view piece);
  // Everything still held back (an unfinished bracket is shown as it was).
  std::string Finish();

  // The valid source numbers cited so far, in order of first use, each once.
  const std::vector<int>& used() const { return used_; }

 private:
  // Resolves the held-back text, which starts with '[' and ends with ']'.
  std::string Resolve(const std::string& marker);

  int n_sources_;
  std::string held_;           // from '[' on, while undecided
  std::string pending_space_;  // a space just before '[' (dropped with an invalid marker)
  std::vector<int> used_;
};

}  // namespace docent::rag
