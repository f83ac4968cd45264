// Question analysis: content-free words out, question endings trimmed, then the index's own
// analyzer turns each remaining word into the forms a sentence can cover it by.
#include "docent/rag/question_terms.h"

#include <algorithm>
#include <cctype>
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

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// The number a token opens with, separators between digits included ("2.26" of "2.26사건",
// "2011" of "2011년도에"); empty when it does not open with a digit, or when a Latin letter
// follows the digits: "2fa", "5g" and "4k" are codes, to be mentioned whole.
std::string_view LeadingNumber(std::string_view token) {
  size_t end = 0;
  while (end < token.size() &&
         (IsDigit(token[end]) ||
          (end > 0 && end + 1 < token.size() && IsDigit(token[end + 1]) &&
           std::string_view(".:,/-").find(token[end]) != std::string_view::npos))) {
    ++end;
  }
  if (end < token.size() && std::isalpha(static_cast<unsigned char>(token[end]))) return {};
  return token.substr(0, end);
}

// Whether the Hangul after a number is a one-syllable unit that "8월경" or "25인에" carry
// before other syllables (8월, 25인), not the start of a longer unit (3개월, 5시간, 1980년대).
bool OneSyllableUnit(std::u32string_view tail) {
  static constexpr std::u32string_view kUnits = U"년월일시분초세위명인개회차층호번권장점원주";
  static constexpr std::u32string_view kLongerUnits[] = {U"개월", U"시간", U"분기", U"년대",
                                                         U"세기", U"주년", U"주일", U"년간"};
  if (tail.size() < 2 || kUnits.find(tail[0]) == std::u32string_view::npos) return false;
  return std::none_of(std::begin(kLongerUnits), std::end(kLongerUnits),
                      [&](std::u32string_view u) { return tail.starts_with(u); });
}

// The digit runs of `number` ("2.26" -> "2", "26").
std::vector<std::string> DigitRuns(std::string_view number) {
  std::vector<std::string> runs(1);
  for (char c : number) {
    if (IsDigit(c)) {
      runs.back() += c;
    } else if (!runs.back().empty()) {
      runs.emplace_back();
    }
  }
  if (runs.back().empty()) runs.pop_back();
  return runs;
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

// The identifier reading of an analyzer term with a digit. A number, with or without the
// Hangul after it, must be mentioned by its number alone ("8월경" by "8월의", "4개" by "4당의",
// the unit counting only toward coverage), and as the number with its unit ("8월"). A code
// of letters and digits (G1, E07, ISO27001) must be mentioned whole. A Hangul name with a
// digit inside (개포주공1단지아파트) is no identifier: it is covered through its parts.
void AddNumberForms(const std::string& term, const TermStatistics& stats, QuestionWord& w) {
  if (std::none_of(term.begin(), term.end(), IsDigit)) return;
  const std::string_view number = LeadingNumber(term);
  if (!number.empty()) {
    w.identifier = true;
    w.number_terms.push_back({std::string(number)});
    if (std::vector<std::string> runs = DigitRuns(number); runs.size() > 1) {
      w.number_terms.push_back(std::move(runs));
    }
    const std::u32string tail = ToU32(std::string_view(term).substr(number.size()));
    if (OneSyllableUnit(tail)) {
      w.forms.push_back(MakeForm({std::string(number) + ToUtf8(tail.substr(0, 1))}, stats));
    }
    return;
  }
  if (!HasHangul(ToU32(term))) {
    w.identifier = true;
    return;
  }
  // The Hangul runs' bigrams and the runs of letters or digits between them.
  std::vector<std::string> parts;
  std::u32string run, other;
  auto flush = [&] {
    for (std::string& b : HangulBigrams(run)) parts.push_back(std::move(b));
    if (!other.empty()) parts.push_back(ToUtf8(other));
    run.clear();
    other.clear();
  };
  for (char32_t c : ToU32(term)) {
    if (IsSyllable(c)) {
      if (!other.empty()) flush();
      run += c;
    } else {
      if (!run.empty()) flush();
      if (c < 0x80 && std::isalnum(static_cast<unsigned char>(c))) {
        other += static_cast<char32_t>(std::tolower(static_cast<int>(c)));
      } else if (!other.empty()) {
        flush();
      }
    }
  }
  flush();
  if (parts.size() >= 2) w.forms.push_back(MakeForm(std::move(parts), stats));
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
      // A one-syllable noun with its particle (알이, 땅은, 열을) keeps its stem: the index holds
      // the stem of every noun-and-particle eojeol at its place, so 알이 finds 알은 and 알을,
      // which the bigram 알이 alone misses (and a miss everywhere made it a typo of 아이).
      // Longer runs drop one-syllable readings: 회사가 is not about 회.
      if (forms.size() > 1 && run.size() > 2) {
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
      AddNumberForms(head.text, stats, w);
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
    if (std::string_view base = IrregularVerbBase(w.surface); !base.empty()) {
      std::vector<text::Term> stem = text::AnalyzeToVector(base, text::AnalyzeMode::kQuery);
      if (!stem.empty()) w.forms.push_back(MakeForm({stem[0].text}, stats));
    }
    w.rank_weight = w.weight;
    if (w.weight >= 0 && !w.forms.empty()) words.push_back(std::move(w));
  }
}

// The Hangul word a form's bigrams spell (연차, 차휴, 휴가 -> 연차휴가); empty when they do not
// chain (a form of other terms, or one whose repeated bigram was dropped).
std::u32string SpelledWord(const WordForm& f) {
  std::u32string word;
  for (const std::string& t : f.terms) {
    std::u32string b = ToU32(t);
    if (b.size() != 2 || !AllHangul(b)) return {};
    if (word.empty()) {
      word = b;
    } else if (word.back() == b[0]) {
      word += b[1];
    } else {
      return {};
    }
  }
  return word;
}

double MeanIdf(const WordForm& f) {
  return f.terms.empty() ? 0.0 : f.total_idf / static_cast<double>(f.terms.size());
}

// The indexed words one edit from `w`'s forms: for a Korean word, one jamo of one syllable
// changed (영햐 -> 영향) with every bigram known; for a Latin word of five or more letters, one
// letter deleted, swapped with the next, replaced or inserted (accomlish, snowbaord).
std::vector<std::vector<std::string>> OneEditAway(const QuestionWord& w,
                                                  const TermStatistics& stats) {
  std::vector<std::vector<std::string>> out;
  auto all_known = [&](const std::vector<std::string>& terms) {
    return std::all_of(terms.begin(), terms.end(),
                       [&](const std::string& t) { return stats.Known(t); });
  };
  for (const WordForm& f : w.forms) {
    if (std::u32string word = SpelledWord(f); word.size() >= 2) {
      for (size_t k = 0; k < word.size(); ++k) {
        const char32_t was = word[k];
        const int initial = InitialJamo(was), vowel = VowelJamo(was), final_jamo = FinalJamo(was);
        auto try_syllable = [&](int l, int v, int t) {
          const char32_t c = ComposeSyllable(l, v, t);
          if (c == was) return;
          word[k] = c;
          std::vector<std::string> terms = HangulBigrams(word);
          if (all_known(terms)) out.push_back(std::move(terms));
          word[k] = was;
        };
        // A two-syllable word is one bigram, and some syllable away from it is almost always
        // indexed (생일 -> 행일 of 시행일): there only the final consonant, the commonest slip
        // (영햐 -> 영향), may differ.
        if (word.size() > 2) {
          for (int l = 0; l < 19; ++l) try_syllable(l, vowel, final_jamo);
          for (int v = 0; v < 21; ++v) try_syllable(initial, v, final_jamo);
        }
        for (int t = 0; t < 28; ++t) try_syllable(initial, vowel, t);
      }
      continue;
    }
    if (f.terms.size() != 1) continue;
    const std::string& term = f.terms[0];
    if (term.size() < 5 ||
        !std::all_of(term.begin(), term.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      continue;
    }
    auto consider = [&](std::string edit) {
      if (edit != term && stats.Known(edit)) out.push_back({std::move(edit)});
    };
    for (size_t k = 0; k < term.size(); ++k) {
      consider(term.substr(0, k) + term.substr(k + 1));
      if (k + 1 < term.size()) {
        std::string swapped = term;
        std::swap(swapped[k], swapped[k + 1]);
        consider(std::move(swapped));
      }
    }
    for (size_t k = 0; k <= term.size(); ++k) {
      for (char c = 'a'; c <= 'z'; ++c) {
        if (k < term.size()) {
          std::string replaced = term;
          replaced[k] = c;
          consider(std::move(replaced));
        }
        consider(term.substr(0, k) + c + term.substr(k));
      }
    }
  }
  return out;
}

// An unknown word that is one edit from an indexed word is taken for a typo of it: the
// commonest such word (the lowest mean IDF; the first on ties) becomes one of its forms and
// the word weighs no more than it. Returns whether one was found.
bool CorrectTypo(QuestionWord& w, const TermStatistics& stats) {
  std::vector<std::vector<std::string>> edits = OneEditAway(w, stats);
  if (edits.empty()) return false;
  WordForm best;
  bool have = false;
  for (std::vector<std::string>& terms : edits) {
    WordForm f = MakeForm(std::move(terms), stats);
    if (!have || MeanIdf(f) < MeanIdf(best)) best = std::move(f);
    have = true;
  }
  const double scale = w.weight > 0 ? w.rank_weight / w.weight : 1.0;
  w.weight = std::min(w.weight, MeanIdf(best));
  w.rank_weight = scale * w.weight;
  w.forms.push_back(std::move(best));
  return true;
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

QuestionTerms AnalyzeQuestion(std::string_view question_nfc, const TermStatistics& stats,
                              bool correct_typos) {
  std::vector<Token> tokens = SplitTokens(question_nfc);
  size_t last_hangul = tokens.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (HasHangul(tokens[i].text)) last_hangul = i;
  }
  // The last token that is not content-free: the answer's slot when it names the kind of
  // answer (... 세워진 연도는?, ... 사람은 누구인가?).
  size_t last_content = tokens.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!IsContentFree(tokens[i].text)) last_content = i;
  }
  QuestionTerms out;
  std::set<std::vector<std::string>> seen;
  bool after_how_many = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::u32string tok = tokens[i].text;
    // 떄 is a slip for 때 (질떄, 떄는): no Korean word is spelt with it.
    std::replace(tok.begin(), tok.end(), U'\uB584', U'\uB54C');
    const bool counter_slot = after_how_many;  // the token after 몇 is its counter (몇 명)
    after_how_many = tok == U"몇";
    out.wants_quantity |= AsksForQuantity(tok);
    // 몇 written together with its counter (몇골을, 몇개에): the counter only says what is
    // counted.
    if (tok.size() >= 2 && tok[0] == U'\uBA87' && AllHangul(tok.substr(1))) {
      out.wants_quantity = true;
      if (tok.size() <= 5) continue;
    }
    out.wants_date |= AsksForDate(tok);
    out.wants_name |= AsksForName(tok);
    const std::string utf8 = ToUtf8(AsciiLower(tok));
    out.asked_tokens.insert(utf8);
    for (std::string& run : DigitRuns(LeadingNumber(utf8)))
      out.asked_numbers.insert(std::move(run));
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
    double frame = 1.0;
    if (i == last_content && AllHangul(t.text)) {
      if (std::u32string_view noun = AnswerTypeNounOf(t.text); !noun.empty()) {
        if (noun.size() == 1) continue;  // 곳은, 해는: the bigram with its particle is noise
        frame = kFrameWeight;
      }
    }
    // A number after "above" or before "이상" is a bound: another bound still answers.
    const bool bound = (i > 0 && IsComparator(tokens[i - 1].text)) ||
                       (i + 1 < tokens.size() && IsComparator(tokens[i + 1].text));
    std::vector<QuestionWord> words;
    if (t.predicate) {
      words.push_back(PredicateWord(t.text, stats));
    } else {
      AddTokenWords(ToUtf8(t.text), stats, words);
      // A relative clause's verb (맞선, 다친, 집필한) is also read as the finite verb the
      // document states (맞섰다, 다쳤다, 집필했다). Many nouns end in ㄴ too (자산, 인간): unless
      // the ending is a light verb's (한, 된), only a word no chunk holds is read so.
      const AdnominalStem a = StemOfAdnominal(t.text);
      if (!a.stem.empty() && words.size() == 1) {
        QuestionWord& w = words[0];
        if (a.light_verb) {
          w.forms.push_back(MakeForm(HangulBigrams(a.stem), stats));
        } else if (std::none_of(w.forms.begin(), w.forms.end(),
                                [](const WordForm& f) { return f.known; })) {
          for (const std::u32string& stem : ConjugatedStems(a.stem)) {
            w.forms.push_back(MakeForm(HangulBigrams(stem), stats));
          }
        }
      }
    }
    for (QuestionWord& w : words) {
      std::vector<std::string> signature;
      for (const WordForm& f : w.forms)
        signature.insert(signature.end(), f.terms.begin(), f.terms.end());
      std::sort(signature.begin(), signature.end());
      if (!seen.insert(signature).second) continue;
      w.weight *= frame;
      w.rank_weight *= frame;
      if (bound && !w.number_terms.empty()) w.identifier = false;
      w.unknown =
          std::none_of(w.forms.begin(), w.forms.end(), [](const WordForm& f) { return f.known; });
      if (w.unknown && correct_typos && CorrectTypo(w, stats)) {
        w.unknown = false;
        w.corrected = true;
      }
      out.has_unknown_word = out.has_unknown_word || w.unknown;
      out.total_weight += w.weight;
      out.total_rank_weight += w.rank_weight;
      out.words.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace docent::rag
