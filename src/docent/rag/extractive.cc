// The extractive answerer: score every sentence of the retrieved passages, refuse unless one
// clears the bar, then give the best (and up to two more that nearly match it, each with what
// continues it) within the character budget, each cited to its passage.
#include "docent/rag/extractive.h"

#include <algorithm>
#include <numeric>
#include <optional>
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

  // The items of a list or table that a picked sentence introduces are part of it: they count
  // toward the characters, not the sentences.
  bool Full() const { return picked_.size() - items_ >= options_.max_sentences; }

  // Adds candidate `i` when it is new and fits the budget; the first may be cut to fit.
  // A sentence added `before` another (what that one refers back to) is placed before it.
  bool Add(size_t i, std::optional<size_t> before = std::nullopt, bool item = false) {
    if ((!item && Full()) || std::find(picked_.begin(), picked_.end(), i) != picked_.end()) {
      return false;
    }
    const Sentence& s = all_[i].sentence;
    if (texts_.contains(s.text)) return false;  // chunks overlap: the same sentence twice
    size_t chars = s.chars;
    if (chars_ + chars > options_.max_answer_chars) {
      if (!picked_.empty()) return false;
      chars = options_.max_answer_chars;
    }
    auto at = before ? std::find(picked_.begin(), picked_.end(), *before) : picked_.end();
    picked_.insert(at, i);
    texts_.insert(s.text);
    chars_ += chars;
    items_ += item;
    return true;
  }

  ExtractiveAnswer Build() const {
    ExtractiveAnswer a;
    a.found = true;
    std::vector<int> number(passages_.size(), 0);
    for (size_t k = 0; k < picked_.size(); ++k) {
      const Sentence& s = all_[picked_[k]].sentence;
      int& n = number[s.passage];
      if (n == 0) {
        n = static_cast<int>(a.citations.size()) + 1;
        a.citations.push_back({n, passages_[s.passage]});
      }
      const bool item = s.list_item && k > 0 && all_[picked_[k - 1]].sentence.passage == s.passage;
      a.sentences.push_back(
          {Truncate(s.text, options_.max_answer_chars), n, all_[picked_[k]].score.score, item});
    }
    a.text = JoinAnswer(a.sentences, [](int n) { return n; });
    return a;
  }

 private:
  const std::vector<Candidate>& all_;
  const std::vector<search::Passage>& passages_;
  const ExtractiveOptions& options_;
  std::vector<size_t> picked_;
  std::set<std::string> texts_;
  size_t chars_ = 0;
  size_t items_ = 0;  // list items among picked_
};

// Adds what sentence `i` needs to be read: the sentence before it when it opens by referring
// back ("이것은 ...", "He ..."), whose subject is often what the question asks for; then what
// continues it within its passage: the list its colon introduces, or one sentence that opens
// with a pronoun or connective.
void AddContinuation(const std::vector<Candidate>& all, size_t i, AnswerBuilder& builder) {
  const Sentence& head = all[i].sentence;
  // Back through a chain of such sentences ("그는 ... . 이것은 ...") to the one that names.
  for (size_t j = i; all[j].sentence.refers_back && j > 0; --j) {
    const Sentence& before = all[j - 1].sentence;
    if (before.passage != head.passage || before.heading || before.question ||
        !builder.Add(j - 1, /*before=*/j)) {
      break;
    }
  }
  if (head.ends_with_colon) {
    for (size_t j = i + 1; j < all.size() && all[j].sentence.passage == head.passage; ++j) {
      if (!all[j].sentence.list_item || !builder.Add(j, std::nullopt, /*item=*/true)) break;
    }
  } else if (i + 1 < all.size() && all[i + 1].sentence.passage == head.passage &&
             head.chars < kContinueBelowChars && all[i + 1].sentence.continues) {
    builder.Add(i + 1);
  }
}

}  // namespace

constexpr std::string_view kSentenceEnds[] = {".", "!", "?", ":", "。", "다", "요"};

std::string JoinAnswer(const std::vector<AnswerSentence>& sentences,
                       const std::function<int(int)>& number) {
  std::string out;
  for (size_t k = 0; k < sentences.size(); ++k) {
    const AnswerSentence& s = sentences[k];
    // Rows run on with "; "; after the sentence that introduced them, a space.
    if (k > 0) {
      const std::string_view before = sentences[k - 1].text;
      const bool closed = std::any_of(std::begin(kSentenceEnds), std::end(kSentenceEnds),
                                      [&](std::string_view e) { return before.ends_with(e); });
      out += s.item && !closed ? "; " : " ";
    }
    out += s.text;
    const bool block_goes_on = k + 1 < sentences.size() && sentences[k + 1].item &&
                               sentences[k + 1].citation == s.citation;
    if (const int n = number(s.citation); n > 0 && !block_goes_on) {
      out += " [" + std::to_string(n) + "]";
    }
  }
  return out;
}

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
  double best_score = 0;
  for (const search::Passage& p : passages) best_score = std::max(best_score, p.score);
  for (size_t p = 0; p < passages.size(); ++p) {
    const PassageContext context = MakePassageContext(passages[p], best_score);
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
