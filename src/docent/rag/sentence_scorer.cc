// Sentence scoring: per-word IDF coverage, the smallest window over matched words, and the
// small passage-level bonuses; see sentence_scorer.h for the formula.
#include "docent/rag/sentence_scorer.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>
#include <utility>

#include "docent/rag/question_lexicon.h"

namespace docent::rag {
namespace {

struct Cover {
  double share = 0;
  const WordForm* form = nullptr;
};

// The best-covered form of `word`: each of its terms counts its IDF when `index` holds it,
// and `credit` of it when only one of the `context` indexes does.
Cover BestCover(const QuestionWord& word, const TermIndex& index,
                std::initializer_list<const TermIndex*> context = {}, double credit = 0) {
  Cover best;
  for (const WordForm& f : word.forms) {
    if (f.terms.empty()) continue;
    double matched = 0, count = 0;
    for (size_t i = 0; i < f.terms.size(); ++i) {
      double found = index.contains(f.terms[i]) ? 1.0 : 0.0;
      for (const TermIndex* c : context) {
        if (found < credit && c->contains(f.terms[i])) found = credit;
      }
      matched += found * f.idf[i];
      count += found;
    }
    // A form whose terms all have IDF 0 (they are in every chunk) is covered by count.
    double share =
        f.total_idf > 0 ? matched / f.total_idf : count / static_cast<double>(f.terms.size());
    if (share > best.share) best = {share, &f};
  }
  return best;
}

// What kinds of answer a sentence states beyond what the question says: a number, a date,
// a name (a capitalised word past the first; Korean names have no such mark).
struct StatedForms {
  bool number = false, date = false, name = false;
};

StatedForms FormsStated(std::string_view text, const QuestionTerms& question) {
  auto is_punct = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0 && u < 0x80 && !std::isalnum(u);
  };
  static constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
                                                 "may",       "june",     "july",     "august",
                                                 "september", "october",  "november", "december"};
  StatedForms out;
  size_t index = 0, pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view tok = text.substr(pos, end - pos);
    pos = end;
    const size_t k = index++;
    while (!tok.empty() && is_punct(tok.front())) tok.remove_prefix(1);
    while (!tok.empty() && is_punct(tok.back())) tok.remove_suffix(1);
    if (tok.empty()) continue;
    std::string lower(tok);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (question.asked_tokens.contains(lower)) continue;
    // A number is new unless the question states it ("1998년에" and "1998년" alike).
    std::string digits;
    size_t longest = 0, run = 0;
    bool asked = false;
    for (size_t i = 0; i <= tok.size(); ++i) {
      if (i < tok.size() && std::isdigit(static_cast<unsigned char>(tok[i]))) {
        digits += tok[i];
        longest = std::max(longest, ++run);
        continue;
      }
      if (!digits.empty()) asked = asked || question.asked_numbers.contains(digits);
      digits.clear();
      run = 0;
    }
    if (longest > 0 && !asked) {
      out.number = true;
      // A year (four digits) or a Korean date unit right after the digits: 1989년, 8월, 20일.
      const size_t unit = tok.find_first_not_of("0123456789");
      const std::string_view after = unit == std::string_view::npos ? "" : tok.substr(unit);
      if (longest == 4 || after.starts_with("년") || after.starts_with("월") ||
          after.starts_with("일") || after.starts_with("세기")) {
        out.date = true;
      }
    }
    if (IsEnglishNumberWord(lower)) out.number = true;
    if (std::find(std::begin(kMonths), std::end(kMonths), lower) != std::end(kMonths)) {
      out.date = true;
    }
    if (k > 0 && tok[0] >= 'A' && tok[0] <= 'Z') out.name = true;
  }
  return out;
}

// The smallest number of consecutive tokens holding a position of every word in `at`
// (word -> sorted positions); 0 when fewer than two words are given.
size_t SmallestWindow(const std::vector<std::vector<uint32_t>>& at) {
  if (at.size() < 2) return 0;
  std::vector<std::pair<uint32_t, size_t>> items;
  for (size_t w = 0; w < at.size(); ++w) {
    for (uint32_t p : at[w]) items.emplace_back(p, w);
  }
  std::sort(items.begin(), items.end());
  std::vector<size_t> count(at.size(), 0);
  size_t have = 0, left = 0, best = SIZE_MAX;
  for (size_t right = 0; right < items.size(); ++right) {
    if (count[items[right].second]++ == 0) ++have;
    while (have == at.size()) {
      best = std::min<size_t>(best, items[right].first - items[left].first + 1);
      if (--count[items[left].second] == 0) --have;
      ++left;
    }
  }
  return best;
}

}  // namespace

bool NumberMentioned(const QuestionWord& w, std::initializer_list<const TermIndex*> where) {
  return std::any_of(w.number_terms.begin(), w.number_terms.end(), [&](const auto& terms) {
    return std::all_of(terms.begin(), terms.end(), [&](const std::string& t) {
      return std::any_of(where.begin(), where.end(),
                         [&](const TermIndex* index) { return index->contains(t); });
    });
  });
}

double CoverWord(const QuestionWord& word, const TermIndex& index) {
  return BestCover(word, index).share;
}

PassageContext MakePassageContext(const search::Passage& passage, double best_score) {
  PassageContext c;
  if (best_score > 0) c.relevance = std::clamp(passage.score / best_score, 0.0, 1.0);
  c.title = IndexTerms(passage.doc_title);
  c.title_and_heading = IndexTerms(passage.doc_title + "\n" + passage.location);
  c.text = IndexTerms(passage.text);
  return c;
}

TermIndex NeighbourTerms(const std::vector<Sentence>& sentences, size_t i) {
  TermIndex out;
  const size_t lo = i >= kNeighbourSpan ? i - kNeighbourSpan : 0;
  const size_t hi = std::min(sentences.size(), i + kNeighbourSpan + 1);
  for (size_t j = lo; j < hi; ++j) {
    if (j == i || sentences[j].passage != sentences[i].passage) continue;
    for (const auto& [term, at] : sentences[j].terms) out.try_emplace(term);
  }
  return out;
}

SentenceScore ScoreSentence(const QuestionTerms& question, const Sentence& sentence,
                            const PassageContext& context, const ExtractiveOptions& options,
                            const TermIndex* neighbours) {
  SentenceScore s;
  s.heading = sentence.heading || sentence.question;
  static const TermIndex kNoContext;
  const TermIndex& local = sentence.context != nullptr ? *sentence.context : kNoContext;
  const TermIndex& around = neighbours != nullptr ? *neighbours : kNoContext;
  if (question.words.empty() || question.total_weight <= 0) return s;

  double covered = 0, own = 0, titled = 0, ranked = 0;
  std::vector<std::vector<uint32_t>> positions;  // per matched word, for the window
  for (const QuestionWord& w : question.words) {
    Cover c = BestCover(w, sentence.terms);
    const double in_context = std::max(CoverWord(w, local), CoverWord(w, context.title));
    // Heading and neighbour credits are equal, so one pass over all three contexts serves.
    static_assert(kHeadingCredit == kNeighbourCredit);
    const double with_context =
        BestCover(w, sentence.terms, {&local, &context.title, &around}, kHeadingCredit).share;
    own += w.weight * c.share;
    covered += w.weight * with_context;
    ranked += w.rank_weight * with_context;
    titled += w.rank_weight * CoverWord(w, context.title_and_heading);
    if (w.identifier &&
        std::max({c.share, in_context, CoverWord(w, around), CoverWord(w, context.text)}) <
            kWordMatched &&
        !NumberMentioned(w, {&sentence.terms, &local, &context.title, &around, &context.text})) {
      s.identifiers_found = false;
    }
    if (w.corrected && std::max({c.share, in_context, CoverWord(w, around)}) < kWordMatched) {
      s.unconfirmed_typo = true;
    }
    if (c.share >= kWordMatched && w.weight >= options.min_term_idf) s.content_match = true;
    if (c.share > 0 && c.form != nullptr) {
      std::vector<uint32_t> at;
      for (const std::string& t : c.form->terms) {
        auto it = sentence.terms.find(t);
        if (it != sentence.terms.end()) at.insert(at.end(), it->second.begin(), it->second.end());
      }
      std::sort(at.begin(), at.end());
      at.erase(std::unique(at.begin(), at.end()), at.end());
      positions.push_back(std::move(at));
    }
  }
  s.coverage = covered / question.total_weight;
  s.own_coverage = own / question.total_weight;

  if (size_t window = SmallestWindow(positions); window > 0) {
    double gaps = static_cast<double>(window) - static_cast<double>(positions.size());
    double tokens = static_cast<double>(std::max<size_t>(sentence.tokens, 1));
    s.proximity = std::clamp(1.0 - gaps / tokens, 0.0, 1.0);
  }

  const double rank_total = std::max(question.total_rank_weight, 1e-9);
  s.score = ranked / rank_total + kProximityWeight * s.proximity +
            kRankWeight / (1.0 + static_cast<double>(sentence.passage)) +
            kTitleWeight * titled / rank_total + kRelevanceWeight * context.relevance;
  // The form of the answer the interrogatives ask for: a number, a deadline (까지) ...
  double cues = 0, met = 0;
  if (question.wants_quantity || question.wants_date || question.wants_name) {
    const StatedForms stated = FormsStated(
        sentence.list_text.empty() ? sentence.text : sentence.text + " " + sentence.list_text,
        question);
    for (auto [wanted, found] : {std::pair{question.wants_quantity, stated.number},
                                 std::pair{question.wants_date, stated.date},
                                 std::pair{question.wants_name, stated.name}}) {
      cues += wanted;
      met += wanted && found;
    }
  }
  for (const std::string& p : question.answer_particles) {
    cues += 1;
    met += sentence.terms.contains(p);
  }
  if (cues > 0) s.score += kAnswerFormWeight * met / cues;
  if (sentence.chars < kFragmentChars) s.score -= kFragmentPenalty;
  if (sentence.chars > kLongChars) s.score -= kLongPenalty;
  if (sentence.chars > options.max_answer_chars) s.score -= kLongPenalty;
  if (s.heading) {
    s.score -= kHeadingPenalty;
    s.content_match = false;
  }
  return s;
}

bool IsAnswerWorthy(const SentenceScore& score, const ExtractiveOptions& options) {
  const double bar = score.unconfirmed_typo
                         ? std::max(options.min_coverage, options.min_coverage_with_unknown)
                         : options.min_coverage;
  return !score.heading && score.content_match && score.identifiers_found &&
         score.coverage >= bar && score.own_coverage >= kOwnShare * bar;
}

}  // namespace docent::rag
