// Grounding: sentences, their markers, and each sentence's coverage by the passages it cites.
#include "docent/rag/grounding.h"

#include <algorithm>
#include <optional>
#include <string>

#include "docent/rag/citation_filter.h"
#include "docent/rag/passage_sentences.h"
#include "docent/rag/question_terms.h"
#include "docent/rag/sentence_scorer.h"
#include "docent/text/normalize.h"
#include "docent/text/sentences.h"

namespace docent::rag {
namespace {

struct Claim {
  std::string text;          // the sentence without its markers
  std::vector<int> numbers;  // the sources it cites
};

// Reads the markers "[1]", "[1, 3]", "[1][3]" out of `span`: their numbers go to `numbers`,
// the rest of the text is returned. A bracket that is not a marker stays text.
std::string TakeMarkers(std::string_view span, std::vector<int>& numbers) {
  std::string text;
  size_t i = 0;
  while (i < span.size()) {
    if (span[i] == '[') {
      const size_t close = span.find(']', i);
      if (close != std::string_view::npos) {
        if (auto found = ParseMarkerNumbers(span.substr(i + 1, close - i - 1))) {
          numbers.insert(numbers.end(), found->begin(), found->end());
          i = close + 1;
          continue;
        }
      }
    }
    text += span[i++];
  }
  return text;
}

// The answer's sentences with the sources each cites. A span made only of markers (the
// "[1]" after "days.") gives its numbers to the sentence before.
std::vector<Claim> Claims(const std::string& answer) {
  std::vector<Claim> out;
  for (const text::Span& s : text::SplitSentences(answer)) {
    std::string_view span = std::string_view(answer).substr(s.begin, s.end - s.begin);
    std::vector<int> leading;
    // Markers that open the span close the sentence before it.
    size_t start = 0;
    while (start < span.size() && (span[start] == '[' || span[start] == ' ')) {
      if (span[start] == ' ') {
        ++start;
        continue;
      }
      const size_t close = span.find(']', start);
      if (close == std::string_view::npos) break;
      std::vector<int> numbers;
      if (!TakeMarkers(span.substr(start, close + 1 - start), numbers).empty()) break;
      leading.insert(leading.end(), numbers.begin(), numbers.end());
      start = close + 1;
    }
    if (!out.empty()) {
      out.back().numbers.insert(out.back().numbers.end(), leading.begin(), leading.end());
    } else {
      start = 0;  // nothing before: the markers are this sentence's own
    }
    Claim c;
    c.text = TakeMarkers(span.substr(start), c.numbers);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Grounding CheckGrounding(std::string_view answer, const std::vector<Citation>& sources,
                         const TermStatistics& stats) {
  Grounding g;
  const std::string nfc = text::NormalizeNfc(answer);
  // Each cited passage is indexed once, on first use.
  std::vector<std::optional<TermIndex>> indexed(sources.size());
  auto passage_terms = [&](int number) -> const TermIndex* {
    for (size_t i = 0; i < sources.size(); ++i) {
      if (sources[i].number != number) continue;
      if (!indexed[i]) {
        const search::Passage& p = sources[i].passage;
        indexed[i] = IndexTerms(p.doc_title + "\n" + p.location + "\n" + p.text);
      }
      return &*indexed[i];
    }
    return nullptr;
  };
  for (const Claim& c : Claims(nfc)) {
    const QuestionTerms terms = AnalyzeQuestion(c.text, stats, /*correct_typos=*/false);
    if (terms.words.empty() || terms.total_weight <= 0) continue;
    ++g.sentences;
    // What the cited passages hold together: a sentence may join two sources' facts.
    std::vector<const TermIndex*> cited;
    for (int n : c.numbers) {
      if (const TermIndex* index = passage_terms(n)) cited.push_back(index);
    }
    double covered = 0;
    bool numbers_held = true;
    for (const QuestionWord& w : terms.words) {
      double cover = 0;
      bool mentioned = false;
      for (const TermIndex* index : cited) {
        cover = std::max(cover, CoverWord(w, *index));
        mentioned = mentioned || NumberMentioned(w, {index});
      }
      covered += w.weight * cover;
      // A number or code the passages do not state is made up, however much else matches.
      if (w.identifier && cover < kWordMatched && !mentioned) numbers_held = false;
    }
    g.supported +=
        !cited.empty() && numbers_held && covered / terms.total_weight >= kGroundedCoverage;
  }
  g.grounded = g.sentences == g.supported && (g.sentences > 0 || nfc.empty());
  return g;
}

}  // namespace docent::rag
