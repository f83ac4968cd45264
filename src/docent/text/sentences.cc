// Sentence splitting: a single forward scan over decoded code points that looks for
// terminal punctuation, blank lines, list items and Korean final endings at line ends.
// Rule-based on purpose: it must be deterministic, fast, and the same on every machine.
#include "docent/text/sentences.h"

#include <utf8proc.h>

#include <cstdint>
#include <string>

#include "docent/text/char_class.h"
#include "docent/util/utf8.h"

namespace docent::text {
namespace {

struct Cp {
  char32_t c;
  size_t begin;
  size_t end;
};

bool IsTerminal(char32_t c) {
  return c == U'.' || c == U'!' || c == U'?' || c == 0x3002 || c == 0xFF01 || c == 0xFF1F ||
         c == 0xFF0E || c == 0x2026 || c == 0x203C || c == 0x2047 || c == 0x2048 || c == 0x2049;
}

bool IsCloser(char32_t c) {
  return c == U'"' || c == U'\'' || c == U')' || c == U']' || c == U'}' || c == 0x2019 ||
         c == 0x201D || c == 0x00BB || c == 0x203A || c == 0x300D || c == 0x300F || c == 0x3009 ||
         c == 0x300B || c == 0x3011 || c == 0xFF09;
}

bool IsHangul(char32_t c) {
  return c >= 0xAC00 && c <= 0xD7A3;
}

// The syllables Korean documents enumerate with (가. 나. 다. ...).
bool IsHangulLabel(char32_t c) {
  static constexpr std::u32string_view kLabels = U"가나다라마바사아자차카타파하";
  return kLabels.find(c) != std::u32string_view::npos;
}

bool IsAsciiLetter(char32_t c) {
  return (c | 0x20) >= U'a' && (c | 0x20) <= U'z';
}

// Final syllables of Korean sentence endings (…다, …요, …까, …죠, and the nominal 음/함/됨/임
// of reports and minutes) that end a sentence at a line break even without punctuation.
bool IsKoreanFinal(char32_t c) {
  switch (c) {
    case U'다':
    case U'요':
    case U'까':
    case U'죠':
    case U'음':
    case U'함':
    case U'됨':
    case U'임':
    case U'네':
    case U'오':
    case U'라':
    case U'니':
      return true;
    default:
      return false;
  }
}

bool IsBulletChar(char32_t c) {
  switch (c) {
    case 0x2022:
    case 0x00B7:
    case 0x25E6:
    case 0x25AA:
    case 0x25AB:
    case 0x25CF:
    case 0x25CB:
    case 0x25A0:
    case 0x25A1:
    case 0x25C6:
    case 0x25C7:
    case 0x25B6:
    case 0x25BA:
    case 0x25B8:
    case 0x27A2:
    case 0x2713:
    case 0x2714:
    case 0x2013:
    case 0x2014:
    case 0x203B:
    case 0x2023:
    case 0x2043:
    case 0x30FB:
      return true;
    default:
      return (c >= 0x2460 && c <= 0x24FF) || (c >= 0x3260 && c <= 0x327F);  // ①, ㉠, ㉮
  }
}

// Abbreviations after which a period never ends a sentence (lowercase, no final dot).
constexpr std::string_view kAbbreviations[] = {
    "mr",  "mrs", "ms",   "dr",   "prof",   "sr",  "jr",   "st",  "mt",  "vs",
    "cf",  "e.g", "i.e",  "al",   "approx", "ca",  "dept", "est", "gen", "col",
    "lt",  "sgt", "capt", "rev",  "hon",    "jan", "feb",  "mar", "apr", "jun",
    "jul", "aug", "sep",  "sept", "oct",    "nov", "dec",  "resp"};
// Abbreviations that end a sentence unless a number follows ("No. 5", "Fig. 3", "p. 12").
constexpr std::string_view kNumberAbbreviations[] = {
    "no", "nos", "fig", "figs", "eq", "vol", "vols", "p", "pp", "ch", "sec", "art", "op"};

bool InList(std::string_view w, const std::string_view* list, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (list[i] == w) return true;
  }
  return false;
}

class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {
    cps_.reserve(text.size() / 2 + 8);  // mixed Korean/English; growth covers the rest
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t b = pos;
      const char32_t c = DecodeUtf8Fast(text, pos);
      cps_.push_back({c, b, pos});
    }
  }

  std::vector<Span> Run();

 private:
  char32_t At(size_t i) const { return i < cps_.size() ? cps_[i].c : 0; }
  size_t SkipHorizontalSpace(size_t i) const;
  size_t AfterLineBreak(size_t i) const;
  bool StartsListItem(size_t i) const;
  bool PeriodEnds(size_t dot, size_t next) const;
  bool IsListLabel(size_t b, size_t e) const;
  void Cut();  // ends the current sentence at its last non-space code point

  std::string_view text_;
  std::vector<Cp> cps_;
  std::vector<Span> out_;
  size_t start_ = SIZE_MAX;  // first code point of the current sentence
  size_t last_ = 0;          // last non-space code point seen in it
};

size_t Splitter::SkipHorizontalSpace(size_t i) const {
  while (i < cps_.size() && IsSpace(cps_[i].c) && !IsLineBreak(cps_[i].c)) ++i;
  return i;
}

// The first code point after the line break at `i` ("\r\n" counts as one).
size_t Splitter::AfterLineBreak(size_t i) const {
  if (cps_[i].c == U'\r' && At(i + 1) == U'\n') return i + 2;
  return i + 1;
}

// A list item at `i`: "- ", "* ", "+ ", "• ", "1. ", "12) ", "(3) ", "a) ", "가. ", "①".
bool Splitter::StartsListItem(size_t i) const {
  const char32_t c = At(i);
  if (c == 0) return false;
  if (IsBulletChar(c)) return true;
  if (c == U'-' || c == U'*' || c == U'+' || c == U'>') return IsSpace(At(i + 1));
  size_t j = i;
  if (c == U'(') ++j;
  const size_t digits_begin = j;
  while (j < cps_.size() && IsAsciiDigit(cps_[j].c) && j - digits_begin < 3) ++j;
  if (j == digits_begin) {
    // One letter or syllable as the label.
    const char32_t l = At(j);
    if (!IsAsciiLetter(l) && !IsHangulLabel(l)) return false;
    ++j;
  }
  const char32_t close = At(j);
  if (c == U'(') return close == U')';
  return (close == U'.' || close == U')') && IsSpace(At(j + 1));
}

// Whether [b, e) is a list label ("1", "12", "a", "가") that a period follows ("1. Scope").
bool Splitter::IsListLabel(size_t b, size_t e) const {
  if (e - b == 1 && (IsHangulLabel(cps_[b].c) || IsAsciiLetter(cps_[b].c))) return true;
  if (e - b > 3) return false;
  for (size_t i = b; i < e; ++i) {
    if (!IsAsciiDigit(cps_[i].c)) return false;
  }
  return e > b;
}

// Whether the period at `dot` (the last of its run) ends a sentence; `next` is the first
// non-space code point after it.
bool Splitter::PeriodEnds(size_t dot, size_t next) const {
  const char32_t n = At(next);
  // A lowercase word after a period continues the sentence ("approx. three", "... and").
  if (n != 0 && utf8proc_category(static_cast<utf8proc_int32_t>(n)) == UTF8PROC_CATEGORY_LL) {
    return false;
  }
  if (dot == 0 || cps_[dot - 1].c == U'.') return true;  // an ellipsis run
  // The word before the period, lowercased, with inner periods ("e.g", "U.S").
  std::string word;
  size_t i = dot;
  bool inner_dot = false;
  while (i > 0) {
    const char32_t c = cps_[i - 1].c;
    if (c == U'.') {
      inner_dot = true;
    } else if (!IsAsciiLetter(c)) {
      break;
    }
    --i;
    if (dot - i > 12) return true;
  }
  if (i < dot && cps_[i].c == U'.') return true;
  for (size_t k = i; k < dot; ++k) word += static_cast<char>(cps_[k].c | 0x20);
  if (word.empty()) return true;
  if (word.size() == 1 && cps_[i].c >= U'A' && cps_[i].c <= U'Z') return false;  // initial
  if (inner_dot) return false;
  if (InList(word, kAbbreviations, std::size(kAbbreviations))) return false;
  if (InList(word, kNumberAbbreviations, std::size(kNumberAbbreviations))) {
    return !IsAsciiDigit(n);
  }
  return true;
}

void Splitter::Cut() {
  if (start_ != SIZE_MAX) out_.push_back({cps_[start_].begin, cps_[last_].end});
  start_ = SIZE_MAX;
}

std::vector<Span> Splitter::Run() {
  const size_t n = cps_.size();
  size_t i = 0;
  while (i < n) {
    const char32_t c = cps_[i].c;
    if (IsLineBreak(c)) {
      const size_t k = SkipHorizontalSpace(AfterLineBreak(i));
      if (start_ != SIZE_MAX && ((k < n && IsLineBreak(cps_[k].c)) || StartsListItem(k) ||
                                 IsKoreanFinal(cps_[last_].c))) {
        Cut();
      }
      i = k;
      continue;
    }
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (start_ == SIZE_MAX) start_ = i;
    last_ = i;
    if (!IsTerminal(c)) {
      ++i;
      continue;
    }
    // A run of terminals, then closing quotes and brackets.
    size_t j = i;
    while (j < n && IsTerminal(cps_[j].c)) ++j;
    size_t k = j;
    while (k < n && IsCloser(cps_[k].c)) ++k;
    last_ = k - 1;
    bool only_periods = true;
    bool ideographic = false;  // 。！？ end a sentence even with no space after them
    for (size_t m = i; m < j; ++m) {
      const char32_t t = cps_[m].c;
      if (t != U'.' && t != 0xFF0E && t != 0x2026) only_periods = false;
      if (t == 0x3002 || t == 0xFF01 || t == 0xFF1F) ideographic = true;
    }
    if (ideographic) {
      Cut();
    } else if (k == n || IsSpace(cps_[k].c)) {
      const size_t next = SkipHorizontalSpace(k);
      size_t first_word = next;
      while (first_word < n && IsSpace(cps_[first_word].c)) ++first_word;
      const bool label = c == U'.' && j == i + 1 && IsListLabel(start_, i);
      if (!label && (!only_periods || PeriodEnds(j - 1, first_word))) Cut();
    } else if (i > 0 && IsHangul(cps_[i - 1].c) && IsHangul(cps_[k].c)) {
      Cut();  // "했습니다.다음": Korean text sometimes omits the space after a period
    }
    i = k;
  }
  if (start_ != SIZE_MAX) Cut();
  return std::move(out_);
}

}  // namespace

std::vector<Span> SplitSentences(std::string_view text) {
  return Splitter(text).Run();
}

}  // namespace docent::text
