// The extractive answerer: score every sentence of the retrieved passages, refuse unless one
// clears the bar, then give the best (and up to two more that nearly match it, each with what
// continues it) within the character budget, each cited to its passage.
#include "docent/rag/extractive.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "docent/rag/hangul.h"
#include "docent/rag/passage_sentences.h"
#include "docent/rag/question_terms.h"
#include "docent/rag/sentence_scorer.h"
#include "docent/text/normalize.h"
#include "docent/util/utf8.h"

namespace docent::rag {
namespace {

// A picked sentence shorter than this may be followed by the one that continues it ("It ...",
// "다만 ..."), which it would otherwise leave hanging.
constexpr size_t kContinueBelowChars = 120;

struct Candidate {
  Sentence sentence;
  SentenceScore score;
};

// Cuts `text` to at most `max_chars` code points, at the last space in its second half when
// there is one, marking the cut with an ellipsis. Only a single over-long sentence is ever
// cut; the answer otherwise ends at a sentence boundary.
std::string Truncate(const std::string& text, size_t max_chars) {
  if (util::CountCodePoints(text) <= max_chars) return text;
  if (max_chars == 0) return {};
  size_t end = util::ByteOffsetOfCodePoint(text, max_chars - 1);
  size_t half = util::ByteOffsetOfCodePoint(text, (max_chars - 1) / 2);
  size_t space = text.rfind(' ', end);
  if (space != std::string::npos && space > half) end = space;
  std::string out = text.substr(0, end);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "…";
}

class AnswerBuilder {
 public:
  AnswerBuilder(const std::vector<Candidate>& all, const std::vector<search::Passage>& passages,
                const ExtractiveOptions& options)
      : all_(all), passages_(passages), options_(options) {}

  bool Full() const { return picked_.size() >= options_.max_sentences; }

  // Adds candidate `i` when it is new and fits the budget; the first may be cut to fit.
  bool Add(size_t i) {
    if (Full() || std::find(picked_.begin(), picked_.end(), i) != picked_.end()) return false;
    const Sentence& s = all_[i].sentence;
    if (texts_.contains(s.text)) return false;  // chunks overlap: the same sentence twice
    size_t chars = s.chars;
    if (chars_ + chars > options_.max_answer_chars) {
      if (!picked_.empty()) return false;
      chars = options_.max_answer_chars;
    }
    picked_.push_back(i);
    texts_.insert(s.text);
    chars_ += chars;
    return true;
  }

  ExtractiveAnswer Build() const {
    ExtractiveAnswer a;
    a.found = true;
    std::vector<int> number(passages_.size(), 0);
    for (size_t i : picked_) {
      const Sentence& s = all_[i].sentence;
      int& n = number[s.passage];
      if (n == 0) {
        n = static_cast<int>(a.citations.size()) + 1;
        a.citations.push_back({n, passages_[s.passage]});
      }
      std::string text = Truncate(s.text, options_.max_answer_chars);
      if (!a.text.empty()) a.text += ' ';
      a.text += text + " [" + std::to_string(n) + "]";
      a.sentences.push_back({std::move(text), n, all_[i].score.score});
    }
    return a;
  }

 private:
  const std::vector<Candidate>& all_;
  const std::vector<search::Passage>& passages_;
  const ExtractiveOptions& options_;
  std::vector<size_t> picked_;
  std::set<std::string> texts_;
  size_t chars_ = 0;
};

// Adds what continues sentence `i` within its passage: the list its colon introduces, or
// one sentence that opens with a pronoun or connective.
void AddContinuation(const std::vector<Candidate>& all, size_t i, AnswerBuilder& builder) {
  const Sentence& head = all[i].sentence;
  if (head.ends_with_colon) {
    for (size_t j = i + 1; j < all.size() && all[j].sentence.passage == head.passage; ++j) {
      if (!all[j].sentence.list_item || !builder.Add(j)) break;
    }
  } else if (head.chars < kContinueBelowChars && i + 1 < all.size() &&
             all[i + 1].sentence.passage == head.passage && all[i + 1].sentence.continues) {
    builder.Add(i + 1);
  }
}

}  // namespace

std::string NotFoundMessage(std::string_view question) {
  return ContainsHangul(question) ? "문서에서 이 질문에 대한 답을 찾지 못했습니다."
                                  : "The documents do not contain an answer to this question.";
}

constexpr double kTinyStoreIdfShare = 0.8;

ExtractiveAnswer AnswerExtractively(std::string_view question,
                                    const std::vector<search::Passage>& passages,
                                    const TermStatistics& stats, const ExtractiveOptions& asked) {
  // In a tiny store no word can reach the absolute specificity bar; a word in one chunk of
  // a few is as specific as this store allows, so the bar becomes most of that.
  ExtractiveOptions options = asked;
  options.min_term_idf = std::min(asked.min_term_idf, kTinyStoreIdfShare * stats.MaxIdf());
  const std::string q = text::NormalizeNfc(question);
  ExtractiveAnswer refusal;
  refusal.text = NotFoundMessage(q);
  if (passages.empty() || options.max_sentences == 0 || options.max_answer_chars == 0) {
    return refusal;
  }
  const QuestionTerms terms = AnalyzeQuestion(q, stats);
  if (terms.words.empty() || terms.total_weight <= 0) return refusal;
  // A question naming something no document mentions must be matched more fully by the
  // rest: "스톡옵션은 몇 주를 받을 수 있나요?" shares only its verb with the handbook.
  if (terms.has_unknown_word) {
    options.min_coverage = std::max(options.min_coverage, options.min_coverage_with_unknown);
  }

  // Candidates in passage order, then sentence order: all[i + 1] follows all[i] when both
  // belong to the same passage.
  std::vector<Candidate> all;
  for (size_t p = 0; p < passages.size(); ++p) {
    const PassageContext context = MakePassageContext(passages[p]);
    std::vector<Sentence> sentences = SplitPassage(passages[p], p);
    std::vector<SentenceScore> scores;
    for (size_t i = 0; i < sentences.size(); ++i) {
      const TermIndex around = NeighbourTerms(sentences, i);
      scores.push_back(ScoreSentence(terms, sentences[i], context, options, &around));
    }
    for (size_t i = 0; i < sentences.size(); ++i)
      all.push_back({std::move(sentences[i]), scores[i]});
  }
  std::vector<size_t> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  // Ties break by passage rank, then sentence position: the index order of `all`.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return all[a].score.score > all[b].score.score; });

  auto best = std::find_if(order.begin(), order.end(),
                           [&](size_t i) { return IsAnswerWorthy(all[i].score, options); });
  if (best == order.end()) return refusal;

  AnswerBuilder builder(all, passages, options);
  builder.Add(*best);
  AddContinuation(all, *best, builder);
  const double floor = options.secondary_ratio * all[*best].score.score;
  for (auto it = best + 1; it != order.end() && !builder.Full(); ++it) {
    if (all[*it].score.score < floor) break;
    if (IsAnswerWorthy(all[*it].score, options) && builder.Add(*it)) {
      AddContinuation(all, *it, builder);
    }
  }
  return builder.Build();
}

}  // namespace docent::rag
