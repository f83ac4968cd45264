// Small Hangul and UTF-32 helpers for the extractive answerer (private to rag/): syllable
// tests, final-consonant arithmetic for trimming question endings, and run extraction.
#pragma once

#include <string>
#include <string_view>

#include "docent/util/utf8.h"

namespace docent::rag {

// Final-consonant (jongseong) indices of a precomposed syllable: (cp - U+AC00) % 28.
constexpr int kJamoN = 4;    // ㄴ
constexpr int kJamoL = 8;    // ㄹ
constexpr int kJamoB = 17;   // ㅂ
constexpr int kJamoSS = 20;  // ㅆ, the past tense's final (했, 갔, 쳤)

inline bool IsSyllable(char32_t cp) {
  return cp >= 0xAC00 && cp <= 0xD7A3;
}

// Any Hangul: syllables and the jamo blocks (a question typed as "ㅇㅇ" is still Korean).
inline bool IsHangul(char32_t cp) {
  return IsSyllable(cp) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
         (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF);
}

// Whether UTF-8 text holds any Hangul: what decides that a question is Korean.
inline bool ContainsHangul(std::string_view utf8) {
  size_t pos = 0;
  while (pos < utf8.size()) {
    if (IsHangul(util::DecodeUtf8(utf8, pos))) return true;
  }
  return false;
}

inline int FinalJamo(char32_t syllable) {
  return IsSyllable(syllable) ? static_cast<int>((syllable - 0xAC00) % 28) : -1;
}

inline char32_t WithoutFinal(char32_t syllable) {
  return IsSyllable(syllable) ? syllable - static_cast<char32_t>(FinalJamo(syllable)) : syllable;
}

// Jamo indexes of a precomposed syllable (cp - U+AC00 = (initial * 21 + vowel) * 28 + final):
// initial 0-18, vowel 0-20 (ㅏ 0 ... ㅣ 20), final 0-27 (0: none).
inline int InitialJamo(char32_t syllable) {
  return IsSyllable(syllable) ? static_cast<int>((syllable - 0xAC00) / (21 * 28)) : -1;
}
inline int VowelJamo(char32_t syllable) {
  return IsSyllable(syllable) ? static_cast<int>((syllable - 0xAC00) / 28 % 21) : -1;
}

// The syllable of these jamo indexes.
inline char32_t ComposeSyllable(int initial, int vowel, int final_jamo) {
  return static_cast<char32_t>(0xAC00 + (initial * 21 + vowel) * 28 + final_jamo);
}

// `syllable` with its vowel replaced by `vowel` and its final by `final_jamo`.
inline char32_t WithVowelAndFinal(char32_t syllable, int vowel, int final_jamo) {
  return ComposeSyllable(InitialJamo(syllable), vowel, final_jamo);
}

// ASCII letters lower-cased; everything else as it was.
inline std::u32string AsciiLower(std::u32string_view s) {
  std::u32string out(s);
  for (char32_t& c : out) {
    if (c >= U'A' && c <= U'Z') c += 32;
  }
  return out;
}

inline std::u32string ToU32(std::string_view utf8) {
  std::u32string out;
  size_t pos = 0;
  while (pos < utf8.size()) out += util::DecodeUtf8(utf8, pos);
  return out;
}

// The run of Hangul syllables that starts at byte `begin` of `utf8` (empty when none does).
inline std::u32string HangulRunAt(std::string_view utf8, size_t begin) {
  std::u32string run;
  size_t pos = begin;
  while (pos < utf8.size()) {
    char32_t cp = util::DecodeUtf8(utf8, pos);
    if (!IsSyllable(cp)) break;
    run += cp;
  }
  return run;
}

}  // namespace docent::rag
