// Question analysis: content-free words out, question endings trimmed, then the index's own
// analyzer turns each remaining word into the forms a sentence can cover it by.
#include "docent/rag/question_terms.h"

#include <algorithm>
#include <set>

#include "docent/rag/hangul.h"
#include "docent/rag/question_lexicon.h"
#include "docent/text/analyzer.h"
#include "docent/util/utf8.h"

namespace docent::rag {
namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x3000 ||
         (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F;
}

// Punctuation that may cling to a word's edge ("leave?", "(연차)", "“휴가”").
bool IsEdgePunct(char32_t cp) {
  if (cp < 0x80)
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  return (cp >= 0xA1 && cp <= 0xBF) || (cp >= 0x2010 && cp <= 0x205E) ||
         (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65);
}

struct Token {
  std::u32string text;
  bool before_question_mark = false;
};

std::vector<Token> SplitTokens(std::string_view q) {
  std::vector<Token> tokens;
  std::u32string cur;
  auto flush = [&] {
    size_t b = 0, e = cur.size();
    bool qmark = false;
    while (e > b && IsEdgePunct(cur[e - 1])) qmark |= cur[--e] == U'?' || cur[e] == 0xFF1F;
    while (b < e && IsEdgePunct(cur[b])) ++b;
    if (b < e) tokens.push_back({cur.substr(b, e - b), qmark});
    cur.clear();
  };
  size_t pos = 0;
  while (pos < q.size()) {
    char32_t cp = util::DecodeUtf8(q, pos);
    if (IsSpace(cp)) {
      flush();
    } else {
      cur += cp;
    }
  }
  flush();
  return tokens;
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) util::AppendUtf8(c, out);
  return out;
}

WordForm MakeForm(std::vector<std::string> terms, const TermStatistics& stats) {
  WordForm f;
  for (std::string& t : terms) {
    if (std::find(f.terms.begin(), f.terms.end(), t) != f.terms.end()) continue;
    double idf = std::max(0.0, stats.Idf(t));
    f.total_idf += idf;
    f.idf.push_back(idf);
    f.known = f.known || stats.Known(t);
    f.terms.push_back(std::move(t));
  }
  return f;
}

// Adds the words of one token. Korean runs become one word each, whose forms are the eojeol
// terms the analyzer emitted (stripped and, for ambiguous endings, whole), matched through
// their bigrams so that spacing variants (연차휴가 / 연차 휴가) still match. Other terms group
// with their colocated alternatives (iso27001 | iso 27001).
void AddTokenWords(const std::string& tok, const TermStatistics& stats,
                   std::vector<QuestionWord>& words) {
  std::vector<text::Term> terms = text::AnalyzeToVector(tok, text::AnalyzeMode::kQuery);
  size_t i = 0;
  while (i < terms.size()) {
    const text::Term& head = terms[i];
    QuestionWord w;
    // A Hangul run: the head is its first bigram (or its only syllable).
    std::u32string run = HangulRunAt(tok, head.begin);
    size_t j = i + 1;
    if (AllHangul(ToU32(head.text)) && !run.empty() && run.starts_with(ToU32(head.text))) {
      std::vector<std::u32string> forms;
      for (; j < terms.size() && terms[j].colocated; ++j) forms.push_back(ToU32(terms[j].text));
      // The bigrams that follow belong to the same run.
      size_t run_end = head.begin + ToUtf8(run).size();
      while (j < terms.size() && !terms[j].colocated && terms[j].begin < run_end) ++j;
      if (run.size() <= 2 && std::find(forms.begin(), forms.end(), run) == forms.end()) {
        forms.push_back(run);
      }
      if (forms.size() > 1) {
        std::erase_if(forms, [](const std::u32string& f) { return f.size() < 2; });
      }
      // Weighted as its cheapest reading: 회사가 may be 회사 + 가, and then it is common.
      w.weight = -1;
      for (const std::u32string& f : forms) {
        w.forms.push_back(MakeForm(HangulBigrams(f), stats));
        double mean = w.forms.back().total_idf / static_cast<double>(w.forms.back().terms.size());
        w.weight = w.weight < 0 ? mean : std::min(w.weight, mean);
      }
      w.surface = ToUtf8(run);
    } else {
      std::vector<std::string> parts;
      for (; j < terms.size() && terms[j].colocated; ++j) parts.push_back(terms[j].text);
      // The later bigrams of a Hangul part (12시간이 -> 간이) lie inside the head's span.
      while (j < terms.size() && terms[j].begin < head.end) ++j;
      // Of a unit's Hangul alternatives (2024년에 -> 년에, 년) keep the stripped one.
      std::vector<std::string> hangul;
      std::erase_if(parts, [&](const std::string& p) {
        if (!AllHangul(ToU32(p))) return false;
        hangul.push_back(p);
        return true;
      });
      if (!hangul.empty()) {
        parts.push_back(*std::min_element(hangul.begin(), hangul.end(),
                                          [](auto& a, auto& b) { return a.size() < b.size(); }));
      }
      // The token itself decides the weight; its parts are a fallback for "ISO 27001"
      // written apart, and only when they are not reduced to a single generic part ("1" of
      // "G1", whose lone letter the analyzer skips).
      w.forms.push_back(MakeForm({head.text}, stats));
      w.weight = w.forms[0].total_idf;
      if (parts.size() >= 2) w.forms.push_back(MakeForm(parts, stats));
      w.surface = head.text;
      w.identifier = std::any_of(head.text.begin(), head.text.end(),
                                 [](char c) { return c >= '0' && c <= '9'; });
    }
    i = j;
    if (const FrameWord* frame = FindFrameWord(w.surface); frame != nullptr) {
      for (std::string_view alt : frame->alternatives) {
        if (alt.empty()) continue;
        // A Hangul alternative is matched like any Korean word, through its bigrams.
        std::u32string alt32 = ToU32(alt);
        w.forms.push_back(MakeForm(
            AllHangul(alt32) ? HangulBigrams(alt32) : std::vector<std::string>{std::string(alt)},
            stats));
      }
      w.weight *= kFrameWeight;
    }
    if (std::string_view digits = NumberWordDigits(w.surface); !digits.empty()) {
      w.forms.push_back(MakeForm({std::string(digits)}, stats));
    }
    w.rank_weight = w.weight;
    if (w.weight >= 0 && !w.forms.empty()) words.push_back(std::move(w));
  }
}

// A Korean predicate stem from a question ending is one word whose forms are its
// conjugated stems; the analyzer's eojeol forms would be wrong for it (잠기 is no noun).
QuestionWord PredicateWord(const std::u32string& stem, const TermStatistics& stats) {
  QuestionWord w;
  w.surface = ToUtf8(stem);
  for (const std::u32string& s : ConjugatedStems(stem)) {
    w.forms.push_back(MakeForm(HangulBigrams(s), stats));
  }
  // Weighted as the stem itself: the conjugated bigrams are rarer only by spelling.
  w.weight = w.forms[0].total_idf / static_cast<double>(w.forms[0].terms.size());
  w.rank_weight = kPredicateWeight * w.weight;
  return w;
}

}  // namespace

std::vector<std::string> HangulBigrams(std::u32string_view run) {
  std::vector<std::string> out;
  if (run.size() == 1) out.push_back(ToUtf8(run));
  for (size_t k = 0; k + 1 < run.size(); ++k) out.push_back(ToUtf8(run.substr(k, 2)));
  return out;
}

bool IsContentFreeToken(std::string_view token) {
  return IsContentFree(ToU32(token));
}

std::string TrimQuestionEnding(std::string_view token) {
  return ToUtf8(TrimEnding(ToU32(token)).text);
}

QuestionTerms AnalyzeQuestion(std::string_view question_nfc, const TermStatistics& stats) {
  std::vector<Token> tokens = SplitTokens(question_nfc);
  size_t last_hangul = tokens.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (HasHangul(tokens[i].text)) last_hangul = i;
  }
  QuestionTerms out;
  std::set<std::vector<std::string>> seen;
  bool after_how_many = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::u32string tok = tokens[i].text;
    const bool counter_slot = after_how_many;  // the token after 몇 is its counter (몇 명)
    after_how_many = tok == U"몇";
    out.wants_quantity |= AsksForQuantity(tok);
    if (std::u32string_view p = InterrogativeParticle(tok); !p.empty()) {
      out.answer_particles.push_back(ToUtf8(p));
    }
    if (IsContentFree(tok)) continue;
    Trimmed t{std::move(tok)};
    if (i == last_hangul || tokens[i].before_question_mark) t = TrimEnding(std::move(t.text));
    t = TrimConnective(std::move(t));
    if (t.text.empty() || IsContentFree(t.text)) continue;
    // The counter after 몇 (몇 명, 몇 시부터, 몇 퍼센트인가요) only says what is counted.
    if (counter_slot && AllHangul(t.text) && t.text.size() <= 4) continue;
    std::vector<QuestionWord> words;
    if (t.predicate) {
      words.push_back(PredicateWord(t.text, stats));
    } else {
      AddTokenWords(ToUtf8(t.text), stats, words);
    }
    for (QuestionWord& w : words) {
      std::vector<std::string> signature;
      for (const WordForm& f : w.forms)
        signature.insert(signature.end(), f.terms.begin(), f.terms.end());
      std::sort(signature.begin(), signature.end());
      if (!seen.insert(signature).second) continue;
      w.unknown = std::none_of(w.forms.begin(), w.forms.end(),
                               [](const WordForm& f) { return f.known; });
      out.has_unknown_word = out.has_unknown_word || w.unknown;
      out.total_weight += w.weight;
      out.total_rank_weight += w.rank_weight;
      out.words.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace docent::rag
