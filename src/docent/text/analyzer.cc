// The analyzer: one pass that decodes each code point once, gathers word tokens, and turns
// each token into terms (see analyzer.h for the rules). Written by hand because this is
// the product's edge: no packaged tokenizer does Hangul bigrams plus particle stripping.
#include "docent/text/analyzer.h"

#include <utf8proc.h>

#include <array>
#include <cstdint>

#include "docent/text/char_class.h"
#include "docent/text/english.h"
#include "docent/text/korean.h"
#include "docent/util/utf8.h"

namespace docent::text {
namespace {

// A token longer than this is cut: no real word is, and it bounds the scratch buffers.
constexpr size_t kMaxTokenCps = 256;

constexpr uint8_t kSkip = 1;  // a joiner kept in the token's span but not in its term text

struct Cp {
  char32_t c;
  CharClass cls;
  uint8_t flags;
  size_t begin;  // byte span in the input
  size_t end;
};

enum class PartKind : uint8_t { kLetters, kDigits, kHangul };

struct Part {
  size_t first;  // [first, last) into the token's code points
  size_t last;
  PartKind kind;
};

PartKind KindOf(CharClass cls) {
  if (cls == CharClass::kDigit) return PartKind::kDigits;
  if (cls == CharClass::kHangul) return PartKind::kHangul;
  return PartKind::kLetters;
}

// Per-thread buffers, reused across calls so the hot loop never allocates once warm.
struct Scratch {
  std::vector<Cp> word;
  std::vector<Cp> kana;
  std::vector<Part> parts;
  std::u32string syllables;
  Term term;
  bool in_use = false;
};

class Analyzer {
 public:
  Analyzer(std::string_view text, const std::function<void(const Term&)>& emit, Scratch& s)
      : text_(text), emit_(emit), s_(s) {
    s_.word.clear();
    s_.kana.clear();
  }

  void Run();

 private:
  void OnSeparator(char32_t c, size_t begin, size_t end);
  void FlushWord();
  void FlushKana();
  void EmitPart(const Part& p, bool mixed);
  void EmitRunBigrams(const std::vector<Cp>& run, size_t first, size_t last, bool eojeol);
  // Returns true when every letter is Latin script; sets *ascii when all are ASCII.
  bool AppendFolded(const Part& p, std::string& out, bool* ascii) const;
  void AppendDigits(const Part& p, std::string& out) const;
  void LoadSyllables(const Part& p);
  void Fire(size_t begin, size_t end, bool colocated);
  std::string_view Bytes(size_t begin, size_t end) const {
    return text_.substr(begin, end - begin);
  }
  char32_t PeekCodePoint(size_t pos) const;

  std::string_view text_;
  const std::function<void(const Term&)>& emit_;
  Scratch& s_;
  bool colocate_next_ = false;  // the next term shares the previous one's position
};

char32_t Analyzer::PeekCodePoint(size_t pos) const {
  if (pos >= text_.size()) return 0;
  return FoldWidth(DecodeUtf8Fast(text_, pos));
}

void Analyzer::Run() {
  const size_t n = text_.size();
  size_t pos = 0;
  while (pos < n) {
    const size_t begin = pos;
    char32_t c = static_cast<unsigned char>(text_[pos]);
    if (c < 0x80) {
      ++pos;
    } else {
      c = FoldWidth(DecodeUtf8Fast(text_, pos));
    }
    const CharClass cls = Classify(c);
    switch (cls) {
      case CharClass::kLetter:
      case CharClass::kDigit:
      case CharClass::kHangul:
        if (!s_.kana.empty()) FlushKana();
        if (s_.word.size() >= kMaxTokenCps) FlushWord();
        s_.word.push_back({c, cls, 0, begin, pos});
        break;
      case CharClass::kMark:
        // A combining mark belongs to the letter before it; anywhere else it separates.
        if (!s_.word.empty() && s_.word.back().cls == CharClass::kLetter) {
          s_.word.push_back({c, CharClass::kLetter, 0, begin, pos});
        } else if (!s_.kana.empty()) {
          s_.kana.push_back({c, CharClass::kKana, 0, begin, pos});
        } else {
          OnSeparator(c, begin, pos);
        }
        break;
      case CharClass::kKana:
        FlushWord();
        s_.kana.push_back({c, cls, 0, begin, pos});
        break;
      case CharClass::kIdeograph:
        FlushWord();
        FlushKana();
        s_.term.text.assign(Bytes(begin, pos));
        Fire(begin, pos, false);
        break;
      case CharClass::kSeparator:
        OnSeparator(c, begin, pos);
        break;
    }
  }
  FlushWord();
  FlushKana();
}

// Joiners stay inside a token: "3.5", "1,000" (a comma followed by exactly three digits),
// and an apostrophe between letters ("don't"). Anything else ends the token.
void Analyzer::OnSeparator(char32_t c, size_t begin, size_t end) {
  std::vector<Cp>& w = s_.word;
  if (!w.empty()) {
    const size_t n = text_.size();
    const CharClass last = w.back().cls;
    auto digit_at = [&](size_t i) {
      return i < n && IsAsciiDigit(static_cast<unsigned char>(text_[i]));
    };
    if (c == U'.' && last == CharClass::kDigit && digit_at(end)) {
      w.push_back({c, CharClass::kDigit, 0, begin, end});
      return;
    }
    if (c == U',' && last == CharClass::kDigit && digit_at(end) && digit_at(end + 1) &&
        digit_at(end + 2) && !digit_at(end + 3)) {
      w.push_back({c, CharClass::kDigit, kSkip, begin, end});
      return;
    }
    if ((c == U'\'' || c == 0x2019) && last == CharClass::kLetter &&
        Classify(PeekCodePoint(end)) == CharClass::kLetter) {
      w.push_back({c, CharClass::kLetter, kSkip, begin, end});
      return;
    }
  }
  FlushWord();
  FlushKana();
}

void Analyzer::Fire(size_t begin, size_t end, bool colocated) {
  s_.term.begin = begin;
  s_.term.end = end;
  s_.term.colocated = colocated || colocate_next_;
  colocate_next_ = false;
  emit_(s_.term);
}

bool Analyzer::AppendFolded(const Part& p, std::string& out, bool* ascii) const {
  bool latin = true;
  *ascii = true;
  for (size_t i = p.first; i < p.last; ++i) {
    const Cp& cp = s_.word[i];
    if (cp.flags & kSkip) continue;
    if (cp.c < 0x80) {
      char ch = static_cast<char>(cp.c);
      out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + ('a' - 'A')) : ch;
      continue;
    }
    *ascii = false;
    if (!IsLatinLetter(cp.c)) latin = false;
    // Full case folding ("Straße" ~ "STRASSE"); accents stay, as NFC gave them.
    std::array<utf8proc_int32_t, 4> folded{};
    int boundclass = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp.c), folded.data(),
                                                 folded.size(), UTF8PROC_CASEFOLD, &boundclass);
    if (k < 1 || k > static_cast<utf8proc_ssize_t>(folded.size())) {
      util::AppendUtf8(cp.c, out);
      continue;
    }
    for (utf8proc_ssize_t j = 0; j < k; ++j)
      util::AppendUtf8(static_cast<char32_t>(folded[j]), out);
  }
  return latin;
}

void Analyzer::AppendDigits(const Part& p, std::string& out) const {
  for (size_t i = p.first; i < p.last; ++i) {
    const Cp& cp = s_.word[i];
    if (cp.flags & kSkip) continue;
    util::AppendUtf8(cp.c, out);
  }
}

void Analyzer::LoadSyllables(const Part& p) {
  s_.syllables.clear();
  for (size_t i = p.first; i < p.last; ++i) s_.syllables += s_.word[i].c;
}

void Analyzer::FlushWord() {
  std::vector<Cp>& w = s_.word;
  if (w.empty()) return;
  std::vector<Part>& parts = s_.parts;
  parts.clear();
  for (size_t i = 0; i < w.size(); ++i) {
    PartKind kind = KindOf(w[i].cls);
    if (parts.empty() || parts.back().kind != kind) {
      parts.push_back({i, i + 1, kind});
    } else {
      parts.back().last = i + 1;
    }
  }
  // Possessive: "company's" indexes as "company".
  const Part& tail = parts.back();
  if (tail.kind == PartKind::kLetters && tail.last - tail.first >= 3 &&
      (w[tail.last - 2].flags & kSkip) && (w[tail.last - 1].c | 0x20) == U's') {
    w[tail.last - 1].flags |= kSkip;
  }
  // A particle after a Latin word or a number ("API는", "3.5로") is dropped.
  if (parts.size() > 1 && parts.back().kind == PartKind::kHangul) {
    LoadSyllables(parts.back());
    if (IsParticle(s_.syllables)) parts.pop_back();
  }

  if (parts.size() == 1) {
    EmitPart(parts[0], /*mixed=*/false);
  } else {
    // The whole token first, then each part at the same position.
    std::string& out = s_.term.text;
    out.clear();
    size_t end = w[parts.back().last - 1].end;
    for (size_t k = 0; k < parts.size(); ++k) {
      const Part& p = parts[k];
      if (p.kind == PartKind::kLetters) {
        bool ascii;
        AppendFolded(p, out, &ascii);
      } else if (p.kind == PartKind::kDigits) {
        AppendDigits(p, out);
      } else {
        LoadSyllables(p);
        size_t keep =
            k + 1 == parts.size() ? StripParticle(s_.syllables).stem_len : p.last - p.first;
        out += Bytes(w[p.first].begin, w[p.first + keep - 1].end);
        if (k + 1 == parts.size()) end = w[p.first + keep - 1].end;
      }
    }
    Fire(w[0].begin, end, false);
    for (const Part& p : parts) {
      colocate_next_ = true;
      EmitPart(p, /*mixed=*/true);
    }
    colocate_next_ = false;
  }
  w.clear();
}

void Analyzer::EmitPart(const Part& p, bool mixed) {
  const std::vector<Cp>& w = s_.word;
  std::string& out = s_.term.text;
  const size_t begin = w[p.first].begin;
  const size_t end = w[p.last - 1].end;
  switch (p.kind) {
    case PartKind::kLetters: {
      out.clear();
      bool ascii;
      const bool latin = AppendFolded(p, out, &ascii);
      // A lone letter beside digits ("v2.3", "A4") is noise on its own.
      if (mixed && util::CountCodePoints(out) == 1) return;
      if (ascii && IsEnglishStopword(out)) return;
      if (latin) StemEnglishInPlace(out);
      Fire(begin, end, false);
      return;
    }
    case PartKind::kDigits:
      out.clear();
      AppendDigits(p, out);
      Fire(begin, end, false);
      return;
    case PartKind::kHangul:
      EmitRunBigrams(w, p.first, p.last, /*eojeol=*/true);
      return;
  }
}

// Bigrams over a run of syllables (or kana); a one-character run yields itself. With
// `eojeol`, the run's particle-stripped form follows the first bigram at its position.
void Analyzer::EmitRunBigrams(const std::vector<Cp>& run, size_t first, size_t last, bool eojeol) {
  std::string& out = s_.term.text;
  const size_t n = last - first;
  if (n == 1) {
    out.assign(Bytes(run[first].begin, run[first].end));
    Fire(run[first].begin, run[first].end, false);
    return;
  }
  for (size_t i = first; i + 1 < last; ++i) {
    out.assign(Bytes(run[i].begin, run[i + 1].end));
    Fire(run[i].begin, run[i + 1].end, false);
    if (i != first || !eojeol) continue;
    s_.syllables.clear();
    for (size_t j = first; j < last; ++j) s_.syllables += run[j].c;
    const ParticleMatch m = StripParticle(s_.syllables);
    const size_t stem_end = run[first + m.stem_len - 1].end;
    out.assign(Bytes(run[first].begin, stem_end));
    Fire(run[first].begin, stem_end, true);
    // An ambiguous ending may be part of the noun (연차휴가): keep the whole eojeol too,
    // unless it is the first bigram already.
    if (m.stripped && m.ambiguous && n > 2) {
      out.assign(Bytes(run[first].begin, run[last - 1].end));
      Fire(run[first].begin, run[last - 1].end, true);
    }
  }
}

void Analyzer::FlushKana() {
  if (s_.kana.empty()) return;
  EmitRunBigrams(s_.kana, 0, s_.kana.size(), /*eojeol=*/false);
  s_.kana.clear();
}

}  // namespace

bool IsHangulSyllable(char32_t cp) {
  return cp >= 0xAC00 && cp <= 0xD7A3;
}

void Analyze(std::string_view text, AnalyzeMode mode,
             const std::function<void(const Term&)>& emit) {
  (void)mode;  // queries and documents are analysed alike; see analyzer.h
  thread_local Scratch scratch;
  if (scratch.in_use) {
    // `emit` re-entered Analyze on this thread: give the inner call its own buffers.
    Scratch inner;
    inner.in_use = true;
    Analyzer(text, emit, inner).Run();
    return;
  }
  scratch.in_use = true;
  struct Release {
    Scratch& s;
    ~Release() { s.in_use = false; }
  } release{scratch};
  Analyzer(text, emit, scratch).Run();
}

std::vector<Term> AnalyzeToVector(std::string_view text, AnalyzeMode mode) {
  std::vector<Term> terms;
  Analyze(text, mode, [&](const Term& t) { terms.push_back(t); });
  return terms;
}

}  // namespace docent::text
