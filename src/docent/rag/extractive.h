// The extractive answerer: picks the 1-3 sentences of the retrieved passages that best
// answer a question, each cited to its source, or says plainly that the documents do not
// contain the answer. It never guesses: below the relevance bar it refuses.
//
// Signals per sentence: IDF-weighted coverage of the question's terms (from the index's own
// statistics), Korean syllable-bigram overlap, proximity of matched terms within the
// sentence, and the passage's retrieval rank. Deterministic: ties break by passage order,
// then sentence position. The scoring formula and the refusal bar are spelled out in
// rag/sentence_scorer.h; what counts as a question's content in rag/question_lexicon.h.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "docent/search/passage.h"

namespace docent::rag {

// Index statistics the scorer needs. The store implements it over FTS5's vocabulary.
class TermStatistics {
 public:
  virtual ~TermStatistics() = default;
  // Inverse document frequency of an analyzer term (see text/analyzer.h), >= 0. Unknown
  // terms get the IDF of a term that occurs once.
  virtual double Idf(std::string_view term) const = 0;
  // The IDF of a term found in exactly one chunk: the most specific a word can be here.
  // In a corpus of a handful of chunks it is below ExtractiveOptions::min_term_idf, and the
  // bar is scaled down to it (see AnswerExtractively).
  virtual double MaxIdf() const { return std::numeric_limits<double>::infinity(); }
  // Whether any chunk holds the term. A question word none of whose terms any chunk holds
  // names something the documents never mention.
  virtual bool Known(std::string_view /*term*/) const { return true; }
};

// How many retrieved passages an answer draws on unless asked otherwise (`docent ask -k`,
// /v1/ask "k"), and what `docent eval` answers from.
constexpr int kDefaultAnswerPassages = 8;

struct ExtractiveOptions {
  size_t max_sentences = 3;
  size_t max_answer_chars = 400;  // code points, citations markers excluded
  // Share of the question's IDF mass a sentence must cover, its context and neighbours
  // counted at half. On examples/ the best sentence for an uncovered question covers <= 0.34
  // when all its words occur somewhere; on KorQuAD dev the answering sentence often covers
  // only 0.40-0.55, the question being paraphrased from several sentences.
  double min_coverage = 0.40;
  // The bar when a question word occurs in no chunk at all (TermStatistics::Known).
  double min_coverage_with_unknown = 0.6;
  // At least one question word at least this specific must be matched by the sentence itself
  // (with the store's IDF, 1.0 is a term in about a third of the chunks).
  double min_term_idf = 1.0;
  // A second or third sentence is given only when it also clears the bar and scores at least
  // this share of the best one.
  double secondary_ratio = 0.7;
};

struct Citation {
  int number = 0;  // the [n] in the answer text, 1-based
  search::Passage passage;
};

struct AnswerSentence {
  std::string text;  // the sentence as it appears in the passage
  int citation = 0;  // its Citation::number
  double score = 0;
  // An item of the list or table the sentence before introduces: the block shares one marker.
  bool item = false;
};

struct ExtractiveAnswer {
  bool found = false;
  // The answer as shown: "Sentence one. [1] Sentence two. [2]"; when !found, the plain
  // not-found message in the question's language (Korean if it contains Hangul).
  std::string text;
  std::vector<AnswerSentence> sentences;
  std::vector<Citation> citations;  // the sources cited, numbered in order of first use
};

ExtractiveAnswer AnswerExtractively(std::string_view question,
                                    const std::vector<search::Passage>& passages,
                                    const TermStatistics& stats,
                                    const ExtractiveOptions& options = {});

// The answer as shown, from its sentences: each followed by its citation marker "[n]", with
// n = number(citation) (no marker where that is 0), except that a list's items and the
// sentence introducing them share the marker after the last item, items joined by "; ".
std::string JoinAnswer(const std::vector<AnswerSentence>& sentences,
                       const std::function<int(int)>& number);

// The refusal text for a question (Korean when it contains Hangul, else English).
std::string NotFoundMessage(std::string_view question);

}  // namespace docent::rag
