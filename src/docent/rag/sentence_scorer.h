// Scoring a candidate sentence against the question, and the bar it must clear to be given
// as an answer (private to rag/).
//
//   coverage  = Σ_w weight(w) · cover(w) / Σ_w weight(w)   over the question's content words
//   cover(w)  = best over w's forms of Σ_t idf(t) · found(t) / Σ_t idf(t), where found(t) is
//               1 when the sentence holds term t, kHeadingCredit when only its context does
//               (the document title, and the heading or FAQ question the sentence stands
//               under: the passage's location until its text opens another), else 0
//   score     = coverage, with Korean predicates at their rank_weight (question_terms.h)
//             + kProximityWeight · proximity           matched words close together
//             + kRankWeight / (1 + passage rank)       earlier passages slightly better
//             + kTitleWeight · cover(title + location) the passage is about the question
//             + kRelevanceWeight · relevance           its BM25 score over the best passage's
//             + kAnswerFormWeight · share of the answer-form cues met: a number, date or
//                                                      capitalised name the question does not
//                                                      state when it asks how many / when / who
//                                                      (a list's items count for the sentence
//                                                      introducing them), the interrogative's
//                                                      particle (언제까지 -> 까지) as a term
//             - penalties                              fragments, very long sentences,
//                                                      headings and questions
//   proximity = 1 - (W - k) / tokens, for k >= 2 matched words whose smallest covering
//               window spans W whitespace tokens of a sentence of `tokens` tokens; else 0.
//
// The bar (IsAnswerWorthy): coverage >= min_coverage (min_coverage_with_unknown when a word
// read as a typo is not found around it); the sentence alone covers at least kOwnShare of
// that; at least one word with weight >= min_term_idf is matched in the sentence itself
// (cover >= kWordMatched); and every identifier of the question (a number or code: "2.3",
// "G1", "8월경") is matched in the sentence, its context or its neighbours, a number by its
// digits alone (QuestionWord::number_terms). Because coverage is per word, a Korean word
// counts once however many bigrams it has, and one common shared bigram (회사) cannot carry it.
#pragma once

#include <initializer_list>

#include "docent/rag/extractive.h"
#include "docent/rag/passage_sentences.h"
#include "docent/rag/question_terms.h"

namespace docent::rag {

constexpr double kHeadingCredit = 0.5;  // a word only in the title or heading counts half
// A word only in the sentences around it counts this much: questions are often paraphrased
// from two or three neighbouring sentences, the answer standing in one of them.
constexpr double kNeighbourCredit = 0.5;
constexpr size_t kNeighbourSpan = 2;  // sentences on each side, within the passage
constexpr double kProximityWeight = 0.10;
constexpr double kRankWeight = 0.04;
constexpr double kTitleWeight = 0.05;
// The passage's retrieval score relative to the best: the whole passage matching the question
// is evidence its sentence answers it, which one sentence's words alone do not show.
constexpr double kRelevanceWeight = 0.3;
constexpr double kAnswerFormWeight = 0.1;  // the sentence has the form the question asks for
constexpr double kWordMatched = 0.6;       // a word's cover at which it counts as present
constexpr double kOwnShare = 0.6;          // of min_coverage, from the sentence alone
constexpr size_t kFragmentChars = 15;      // shorter sentences are fragments
constexpr double kFragmentPenalty = 0.15;
constexpr size_t kLongChars = 300;  // longer sentences answer less crisply
constexpr double kLongPenalty = 0.05;
constexpr double kHeadingPenalty = 0.5;  // headings and questions: kept only as context

// What a passage's metadata says it is about, indexed once per passage.
struct PassageContext {
  TermIndex title;              // what the whole document is about
  TermIndex title_and_heading;  // doc_title and location together
  double relevance = 0;         // its retrieval score over the best passage's, in [0, 1]
  TermIndex text;               // the whole passage's terms: where a question's number may be
};
// `best_score` is the highest retrieval score of the passages read (Passage::score).
PassageContext MakePassageContext(const search::Passage& passage, double best_score = 0);

struct SentenceScore {
  double coverage = 0;      // with the heading credit
  double own_coverage = 0;  // from the sentence alone
  double proximity = 0;
  double score = 0;
  bool content_match = false;     // a specific word is matched in the sentence itself
  bool identifiers_found = true;  // every number/code of the question is in it or its context
  bool heading = false;           // a heading or a question: never an answer
  // A question word taken for a typo (QuestionWord::corrected) is not in it, its context or
  // its neighbours: the bar is then that of a question with an unknown word.
  bool unconfirmed_typo = false;
};

// `neighbours` holds the terms of the sentences within kNeighbourSpan of this one in its
// passage (may be null).
SentenceScore ScoreSentence(const QuestionTerms& question, const Sentence& sentence,
                            const PassageContext& context, const ExtractiveOptions& options,
                            const TermIndex* neighbours = nullptr);

// The terms of the sentences within kNeighbourSpan of sentences[i] (same passage only).
TermIndex NeighbourTerms(const std::vector<Sentence>& sentences, size_t i);

bool IsAnswerWorthy(const SentenceScore& score, const ExtractiveOptions& options);

// How much of `word` the indexed text covers, in [0, 1].
double CoverWord(const QuestionWord& word, const TermIndex& index);

// Whether one of an identifier's number readings (QuestionWord::number_terms) has each of its
// terms in one of `where`.
bool NumberMentioned(const QuestionWord& w, std::initializer_list<const TermIndex*> where);

}  // namespace docent::rag
