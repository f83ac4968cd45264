// Code point classification: script ranges first (they decide how a run is cut into
// terms), then the Unicode general category for everything else.
#include "docent/text/char_class.h"

#include <utf8proc.h>

namespace docent::text {

namespace {

bool IsIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3005;
}

bool IsKana(char32_t cp) {
  // U+30FB (katakana middle dot) and U+30A0 (double hyphen) are punctuation.
  return (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x3099 && cp <= 0x309F) ||
         (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x30FC && cp <= 0x30FF) ||
         (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0xFF66 && cp <= 0xFF9F);
}

}  // namespace

CharClass Classify(char32_t cp) {
  if (cp < 0x80) {
    if ((cp | 0x20) >= U'a' && (cp | 0x20) <= U'z') return CharClass::kLetter;
    if (cp >= U'0' && cp <= U'9') return CharClass::kDigit;
    return CharClass::kSeparator;
  }
  if (cp >= 0xAC00 && cp <= 0xD7A3) return CharClass::kHangul;
  if (IsIdeograph(cp)) return CharClass::kIdeograph;
  if (IsKana(cp)) return CharClass::kKana;
  if (cp > 0x10FFFF) return CharClass::kSeparator;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND:
      return CharClass::kDigit;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CharClass::kMark;
    default:
      return CharClass::kSeparator;
  }
}

}  // namespace docent::text
