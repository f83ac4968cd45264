// Passage -> lines -> units -> sentences, each indexed with the search analyzer's terms.
#include "docent/rag/passage_sentences.h"

#include <algorithm>

#include "docent/rag/hangul.h"
#include "docent/text/analyzer.h"
#include "docent/text/normalize.h"
#include "docent/text/sentences.h"
#include "docent/util/utf8.h"

namespace docent::rag {
namespace {

// A line shorter than this (Hangul and CJK count double) ends its unit: in wrapped text only
// a paragraph's last line is that short, and an unpunctuated short line is a heading.
constexpr size_t kShortLineWidth = 50;

bool IsSpaceByte(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

struct Line {
  size_t begin = 0, end = 0;  // trimmed byte range
};

char32_t LastCodePoint(std::string_view s) {
  size_t pos = s.size();
  while (pos > 0 && (static_cast<unsigned char>(s[pos - 1]) & 0xC0) == 0x80) --pos;
  if (pos > 0) --pos;
  return s.empty() ? 0 : util::DecodeUtf8(s, pos);
}

// The length in bytes of a symbol bullet and the space after it ("- ", "• "), else 0.
size_t BulletLength(std::string_view s) {
  static constexpr std::string_view kBullets[] = {"-", "*", "•", "·", "▪", "◦", "○", "●", "■",
                                                  "□", "–", "—", "※", "▶", "►", "✓", "+"};
  for (std::string_view b : kBullets) {
    if (s.size() > b.size() && s.starts_with(b) && s[b.size()] == ' ') return b.size() + 1;
  }
  return 0;
}

// Symbol bullets, "1." / "2)" / "(3)" / "a)", and the Korean 가. 나. 다. enumeration.
bool StartsWithListMarker(std::string_view s) {
  if (BulletLength(s) > 0) return true;
  size_t i = s.starts_with("(") ? 1 : 0;
  size_t digits = i;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits > i && digits + 1 < s.size() && (s[digits] == '.' || s[digits] == ')') &&
      s[digits + 1] == ' ') {
    return true;
  }
  if (s.size() > 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] == ')' && s[2] == ' ') return true;
  size_t pos = 0;
  char32_t first = s.empty() ? 0 : util::DecodeUtf8(s, pos);
  static constexpr std::u32string_view kEnumerators = U"가나다라마바사아자차카타파하";
  return kEnumerators.find(first) != std::u32string_view::npos && pos + 1 < s.size() &&
         (s[pos] == '.' || s[pos] == ')') && s[pos + 1] == ' ';
}

bool IsTableRow(std::string_view s) {
  return s.find('\t') != std::string_view::npos || s.find(" | ") != std::string_view::npos ||
         s.starts_with("|");
}

// Sentence-final punctuation, or a Korean final ending (다, 요, 까, 죠) or the nominal endings
// of bulleted Korean prose (음, 함, 됨, 임).
bool EndsSentence(std::string_view s) {
  static constexpr std::u32string_view kEnds = U".!?。！？:;다요까죠음함됨임";
  char32_t last = LastCodePoint(s);
  while ((last == U')' || last == U'"' || last == U'\'' || last == U'”' || last == U'’') &&
         !s.empty()) {
    s.remove_suffix(1);
    last = LastCodePoint(s);
  }
  return last != 0 && kEnds.find(last) != std::u32string_view::npos;
}

bool BreaksBefore(std::string_view prev, std::string_view line) {
  return StartsWithListMarker(line) || IsTableRow(line) || IsTableRow(prev) || EndsSentence(prev) ||
         util::DisplayWidth(prev) < kShortLineWidth;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// The document title and each part of the location ("p. 3 · Leave > Annual leave").
std::vector<std::string> HeadingNames(const search::Passage& p) {
  std::vector<std::string> names = {AsciiLower(CollapseSpaces(p.doc_title))};
  std::string_view loc = p.location;
  while (!loc.empty()) {
    size_t cut = std::min(loc.find(" · "), loc.find(" > "));
    names.push_back(AsciiLower(CollapseSpaces(loc.substr(0, cut))));
    loc = cut == std::string_view::npos ? std::string_view() : loc.substr(cut + 3);
  }
  std::erase(names, std::string());
  return names;
}

// How a sentence may open on the one before it: by going on with it (a connective, "However",
// "다만") or by a pronoun standing for what it names ("이것은", "He"), which the answer then
// needs too. Some openers do both ("It ", "이는").
struct Opener {
  std::string_view text;
  bool continues;    // Sentence::continues
  bool refers_back;  // Sentence::refers_back
};
constexpr Opener kOpeners[] = {
    {"It ", true, true},           {"It's ", true, true},     {"Its ", true, true},
    {"This ", true, true},         {"These ", true, true},    {"They ", true, true},
    {"Their ", true, true},        {"That ", true, false},    {"Those ", true, false},
    {"Such ", true, false},        {"However", true, false},  {"Otherwise", true, false},
    {"In that case", true, false}, {"If so", true, false},    {"In this case", true, false},
    {"He ", false, true},          {"She ", false, true},     {"His ", false, true},
    {"Her ", false, true},         {"이 ", true, false},      {"그 ", true, false},
    {"이는", true, true},          {"이때", true, false},     {"이 때", true, false},
    {"이 경우", true, false},      {"그러나", true, false},   {"다만", true, false},
    {"단,", true, false},          {"단 ", true, false},      {"또한", true, false},
    {"이를", true, false},         {"해당 ", true, false},    {"그 밖", true, false},
    {"따라서", true, false},       {"그러므로", true, false}, {"이 외", true, false},
    {"이외", true, false},         {"이것은", false, true},   {"이것이", false, true},
    {"이것을", false, true},       {"이들은", false, true},   {"이들이", false, true},
    {"그는 ", false, true},        {"그가 ", false, true},    {"그녀는", false, true},
    {"그녀가", false, true},       {"그들은", false, true},   {"그들이", false, true},
    {"이곳은", false, true},       {"이곳에", false, true},   {"그것은", false, true},
    {"그것이", false, true},       {"이 사람", false, true},  {"이 인물", false, true},
    {"그의 ", false, true},        {"그녀의 ", false, true},  {"이로 인해", false, true}};

bool Opens(std::string_view s, bool Opener::*kind) {
  return std::any_of(std::begin(kOpeners), std::end(kOpeners),
                     [&](const Opener& o) { return o.*kind && s.starts_with(o.text); });
}

bool IsQuestion(std::string_view s) {
  char32_t last = LastCodePoint(s);
  return last == U'?' || last == 0xFF1F;
}

// A short line that is a block of its own, with no sentence ending, no "key: value" colon
// and no digits past a leading section number ("3.", "제3장"): a heading, not a statement.
bool LooksLikeHeading(std::string_view s, size_t tokens) {
  if (tokens > 8 || EndsSentence(s) || s.find(':') != std::string_view::npos) return false;
  size_t first_space = std::min(s.find(' '), s.size());
  std::string_view rest = s.substr(first_space);
  return std::none_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A sentence that hands over to the list or table after it.
bool IntroducesList(std::string_view s) {
  char32_t last = LastCodePoint(s);
  if (last == U':' || last == 0xFF1A) return true;
  if (last == U'.') s.remove_suffix(1);
  static constexpr std::string_view kLeads[] = {"as follows",  "the following", "following table",
                                                "table below", "다음과 같다",   "다음과 같습니다",
                                                "표와 같다",   "표와 같습니다"};
  return std::any_of(std::begin(kLeads), std::end(kLeads),
                     [&](std::string_view l) { return s.ends_with(l); });
}

}  // namespace

std::string CollapseSpaces(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (IsSpaceByte(c) || c == '\n') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

TermIndex IndexTerms(std::string_view text, size_t* tokens) {
  std::vector<size_t> starts;  // byte offset where each whitespace token begins
  for (size_t i = 0; i < text.size(); ++i) {
    bool space = IsSpaceByte(text[i]) || text[i] == '\n';
    if (!space && (i == 0 || IsSpaceByte(text[i - 1]) || text[i - 1] == '\n')) starts.push_back(i);
  }
  auto token_of = [&](size_t byte) {
    auto it = std::upper_bound(starts.begin(), starts.end(), byte);
    return static_cast<uint32_t>(it == starts.begin() ? 0 : (it - starts.begin()) - 1);
  };
  TermIndex index;
  auto add = [&](std::string term, size_t begin) {
    std::vector<uint32_t>& at = index[std::move(term)];
    uint32_t pos = token_of(begin);
    if (at.empty() || at.back() != pos) at.push_back(pos);
  };
  text::Analyze(text, text::AnalyzeMode::kDocument,
                [&](const text::Term& t) { add(t.text, t.begin); });
  // Bigrams across one run of spaces between two Hangul syllables.
  char32_t prev = 0;
  size_t prev_begin = 0, pos = 0;
  bool gap = false;
  while (pos < text.size()) {
    size_t begin = pos;
    char32_t cp = util::DecodeUtf8(text, pos);
    if (cp == ' ' || cp == '\t' || cp == '\n') {
      gap = prev != 0;
      continue;
    }
    if (IsSyllable(cp) && gap && prev != 0) {
      std::string bigram;
      util::AppendUtf8(prev, bigram);
      util::AppendUtf8(cp, bigram);
      add(std::move(bigram), prev_begin);
    }
    gap = false;
    prev = IsSyllable(cp) ? cp : 0;
    prev_begin = begin;
  }
  if (tokens != nullptr) *tokens = starts.size();
  return index;
}

std::vector<Sentence> SplitPassage(const search::Passage& passage, size_t passage_index) {
  const std::string text = text::NormalizeNfc(passage.text);
  const std::vector<std::string> names = HeadingNames(passage);

  // Lines, grouped into blocks at blank lines.
  std::vector<std::vector<Line>> blocks(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = std::min(text.find('\n', start), text.size());
    Line line{start, nl};
    while (line.begin < line.end && IsSpaceByte(text[line.begin])) ++line.begin;
    while (line.end > line.begin && IsSpaceByte(text[line.end - 1])) --line.end;
    if (line.begin == line.end) {
      if (!blocks.back().empty()) blocks.emplace_back();
    } else {
      blocks.back().push_back(line);
    }
    start = nl + 1;
  }

  std::vector<Sentence> out;
  // The section a sentence stands under (the location until the text opens another heading)
  // and the FAQ question it answers, if any; a new heading closes the question.
  const TermIndex location = IndexTerms(passage.location);
  TermIndex section = location, faq;
  std::shared_ptr<const TermIndex> context;
  auto update_context = [&] {
    TermIndex merged = section;
    for (const auto& [term, at] : faq) merged.try_emplace(term, at);
    context = merged.empty() ? nullptr : std::make_shared<const TermIndex>(std::move(merged));
  };
  update_context();
  auto view = [&](size_t b, size_t e) { return std::string_view(text).substr(b, e - b); };
  for (const std::vector<Line>& block : blocks) {
    size_t first = 0;
    for (size_t i = 0; i < block.size(); ++i) {
      bool last = i + 1 == block.size();
      if (!last && !BreaksBefore(view(block[i].begin, block[i].end),
                                 view(block[i + 1].begin, block[i + 1].end))) {
        continue;
      }
      std::string_view unit = view(block[first].begin, block[i].end);
      const bool whole_block = first == 0 && last;
      const bool listed = StartsWithListMarker(unit) || IsTableRow(unit);
      std::vector<text::Span> spans = text::SplitSentences(unit);
      for (size_t k = 0; k < spans.size(); ++k) {
        std::string display =
            CollapseSpaces(unit.substr(spans[k].begin, spans[k].end - spans[k].begin));
        if (k == 0) display.erase(0, BulletLength(display));
        if (display.empty()) continue;
        Sentence s;
        s.passage = passage_index;
        s.position = out.size();
        s.chars = util::CountCodePoints(display);
        s.terms = IndexTerms(display, &s.tokens);
        std::string lower = AsciiLower(display);
        while (!lower.empty() && (lower.back() == ':' || lower.back() == ' ')) lower.pop_back();
        const bool named = std::find(names.begin(), names.end(), lower) != names.end();
        s.heading =
            named || (whole_block && spans.size() == 1 && LooksLikeHeading(display, s.tokens));
        s.question = IsQuestion(display);
        s.continues = Opens(display, &Opener::continues);
        s.refers_back = Opens(display, &Opener::refers_back);
        s.list_item = k == 0 && listed;
        s.ends_with_colon = IntroducesList(display);
        s.text = std::move(display);
        // A heading or an FAQ question is what the sentences after it are about. A heading
        // the location names keeps the location, which holds its parents too.
        if (s.heading) {
          section = named ? location : s.terms;
          faq.clear();
          update_context();
        } else if (s.question) {
          faq = s.terms;
          update_context();
        }
        s.context = context;
        out.push_back(std::move(s));
      }
      first = i + 1;
    }
  }
  // Each introducing sentence learns what its list says.
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].ends_with_colon) continue;
    for (size_t j = i + 1; j < out.size() && out[j].list_item; ++j) {
      if (!out[i].list_text.empty()) out[i].list_text += ' ';
      out[i].list_text += out[j].text;
    }
  }
  return out;
}

}  // namespace docent::rag
