// Question analysis for the extractive answerer (private to rag/): the question's content
// words, each with the index terms that can stand for it in a sentence and an IDF weight.
//
// Why words and not bare terms: the analyzer turns one Korean eojeol into several bigrams
// plus its particle-stripped form, so summing IDF over raw terms would count one Korean word
// three or four times and let a single shared bigram ("회사") look like half a match. Each
// question word therefore carries the same weight whatever the script, and a sentence covers
// it by the IDF-weighted share of one of its forms' terms that it contains.
// Thread safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "docent/rag/extractive.h"

namespace docent::rag {

// One way a question word can appear: all of `terms`, each weighted by its IDF.
struct WordForm {
  std::vector<std::string> terms;
  std::vector<double> idf;  // parallel to terms
  double total_idf = 0;
  bool known = false;  // some chunk holds at least one of its terms
};

struct QuestionWord {
  std::string surface;          // the word as asked (after trimming a question ending)
  std::vector<WordForm> forms;  // a sentence covers the word by its best-covered form
  double weight = 0;            // the word's IDF weight: its cheapest form's mean term IDF
  // Its weight when ranking sentences: kPredicateWeight of `weight` for a Korean predicate
  // stem (its noun partners name the topic better), else `weight`. The refusal bar uses
  // `weight`: a sentence without the question's verb still lacks that evidence.
  double rank_weight = 0;
  // It holds a digit: a number, version or code ("2.3", "G1", "E07", "2011년"). A sentence that
  // does not mention it, in itself or its context, is about something else.
  bool identifier = false;
  // Ways the identifier's number alone can appear, each a set of terms all of which must be
  // present: "8월경" is mentioned by "8월의" ({"8"}), "2.26사건" by "2·26 사건" ({"2", "26"}).
  // The word's forms still decide how much of it is covered.
  std::vector<std::vector<std::string>> number_terms;
  // None of its forms' terms occurs in any chunk: the documents never mention it. A word one
  // edit from an indexed word (a typo: 영햐 for 영향, accomlish) is not unknown; that word
  // becomes one of its forms.
  bool unknown = false;
  // It was unknown and took the indexed word one edit away as a form. A sentence that does not
  // hold that word is judged as if the word were unknown (ExtractiveOptions::
  // min_coverage_with_unknown): a name the documents lack is often one edit from another.
  bool corrected = false;
};

struct QuestionTerms {
  std::vector<QuestionWord> words;  // content words, deduplicated, in question order
  double total_weight = 0;
  double total_rank_weight = 0;
  bool has_unknown_word = false;  // some content word is unknown (QuestionWord::unknown)
  bool wants_quantity = false;    // how many / when / 며칠 / 얼마: the answer states a number
  bool wants_date = false;        // when / what year / 언제 / 연도는: the answer states a date
  bool wants_name = false;        // who / whom / where: the answer names someone or somewhere
  // The question's whitespace tokens, lower-cased without edge punctuation: an answer's
  // number or name is one the question does not already state.
  std::set<std::string> asked_tokens;
  std::set<std::string> asked_numbers;  // the digit runs of its numbers ("1998년에" -> 1998)
  // Particles of the question's interrogatives that the answer repeats (언제까지 -> 까지).
  std::vector<std::string> answer_particles;
};

// Analyzes an NFC question: drops the words that only ask and trims Korean question endings
// (question_lexicon.h: "what", "무엇인가요", "있나요" -> nothing, "신청하나요" -> 신청), then
// analyzes what is left with the index's own analyzer (text/analyzer.h) so that question and
// sentence terms agree. Korean words are matched through the bigrams of their eojeol forms;
// a predicate stem also through its conjugated forms (잠기 / 잠긴), ranked at kPredicateWeight;
// frame words ("minimum", "자주") at kFrameWeight, also through the words that state such a
// quantity ("least", "마다"); English number words also as digits.
// `correct_typos` off: an unknown word stays unknown (grounding checks a model's sentences,
// where a made-up name one edit from an indexed one must not count as that one).
QuestionTerms AnalyzeQuestion(std::string_view question_nfc, const TermStatistics& stats,
                              bool correct_typos = true);

// The steps of AnalyzeQuestion, exposed for tests. Both take one whitespace token with its
// edge punctuation removed.
bool IsContentFreeToken(std::string_view token);
// Removes a Korean question ending from the token's trailing Hangul; returns "" when only a
// bare predicate stem ("있", "되") would remain.
std::string TrimQuestionEnding(std::string_view token);

// Korean syllable bigrams of a Hangul run; the run itself when it is one syllable.
std::vector<std::string> HangulBigrams(std::u32string_view run);

}  // namespace docent::rag
