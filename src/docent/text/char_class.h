// Code point classes shared by the analyzer and the sentence splitter (private to text/).
// One table lookup for ASCII, a few range checks and utf8proc's category table otherwise.
#pragma once

#include <cstdint>
#include <string_view>

#include "docent/util/utf8.h"

namespace docent::text {

enum class CharClass : uint8_t {
  kSeparator,  // spaces, punctuation, symbols, controls: they end a token
  kLetter,     // letters of alphabetic scripts, Hangul jamo, modifier letters
  kDigit,      // decimal digits (Nd)
  kMark,       // combining marks: part of the word they follow
  kHangul,     // precomposed Hangul syllables U+AC00..U+D7A3
  kIdeograph,  // CJK ideographs: one term each
  kKana,       // hiragana and katakana: bigrams
};

// Fullwidth ASCII digits and letters (U+FF10.., U+FF21.., U+FF41..) map to ASCII so that
// "ＩＳＯ２７００１" and "ISO27001" analyse alike; everything else maps to itself.
inline char32_t FoldWidth(char32_t cp) {
  if (cp >= 0xFF10 && cp <= 0xFF19) return cp - 0xFF10 + U'0';
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp - 0xFF21 + U'A';
  if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 0xFF41 + U'a';
  return cp;
}

CharClass Classify(char32_t cp);

// util::DecodeUtf8 with its two commonest cases inline (the text module decodes every code
// point of every document): ASCII, and the three-byte sequences that cannot be overlong or
// surrogates (lead bytes E1..EC, EE, EF: Hangul, most CJK and punctuation). Everything else,
// malformed bytes included, goes to util::DecodeUtf8, so the result is always the same.
inline char32_t DecodeUtf8Fast(std::string_view s, size_t& pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  const unsigned char c = p[0];
  if (c < 0x80) {
    ++pos;
    return c;
  }
  if (c >= 0xE1 && c != 0xED && c <= 0xEF && s.size() - pos >= 3 && (p[1] & 0xC0) == 0x80 &&
      (p[2] & 0xC0) == 0x80) {
    pos += 3;
    return (char32_t{c} & 0x0F) << 12 | char32_t{p[1] & 0x3Fu} << 6 | (p[2] & 0x3Fu);
  }
  return util::DecodeUtf8(s, pos);
}

// Letters the English stemmer may see: Latin script (ASCII, Latin-1, Extended-A/B, IPA,
// Latin Extended Additional).
inline bool IsLatinLetter(char32_t cp) {
  return cp < 0x250 || (cp >= 0x1E00 && cp <= 0x1EFF);
}

inline bool IsAsciiDigit(char32_t cp) {
  return cp >= U'0' && cp <= U'9';
}

// Unicode White_Space (the line and paragraph separators included).
inline bool IsSpace(char32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

inline bool IsLineBreak(char32_t cp) {
  return cp == U'\n' || cp == U'\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 || cp == 0x2028 ||
         cp == 0x2029;
}

}  // namespace docent::text
