// NFC normalisation through utf8proc, with a fast path for text that is already NFC by
// construction (ASCII, Latin-1, Hangul syllables, common CJK), which is most of what we see.
#include "docent/text/normalize.h"

#include <utf8proc.h>

#include <cstdlib>

#include "docent/util/utf8.h"

namespace docent::text {
namespace {

// True for code points that NFC never changes and that never compose with a neighbour: no
// canonical decomposition, combining class 0, and not the second half of any composition.
// Kept deliberately small; anything outside it simply goes through utf8proc.
bool IsNfcInert(char32_t cp) {
  if (cp < 0x300) return true;                    // ASCII, Latin-1, Latin Extended-A/B, IPA
  if (cp >= 0x4E00 && cp <= 0x9FFF) return true;  // CJK unified ideographs
  if (cp >= 0x2010 && cp <= 0x2027) return true;  // dashes, quotes, bullets, ellipsis
  if (cp >= 0x3000 && cp <= 0x3029) return true;  // CJK punctuation (302A.. are marks)
  return false;
}

// One pass: is the (valid) text certainly NFC already? Hangul syllables are inert unless a
// trailing-consonant jamo follows, and that jamo is itself outside the inert set.
bool CertainlyNfc(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80) {
      ++pos;
      continue;
    }
    char32_t cp = util::DecodeUtf8(s, pos);
    if (cp >= 0xAC00 && cp <= 0xD7A3) continue;  // a following T jamo fails on its own turn
    if (!IsNfcInert(cp)) return false;
  }
  return true;
}

}  // namespace

std::string NormalizeNfc(std::string_view utf8) {
  std::string valid;
  if (!util::IsValidUtf8(utf8)) {
    valid = util::ToValidUtf8(utf8);
    utf8 = valid;
  }
  if (CertainlyNfc(utf8)) return std::string(utf8);

  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                   static_cast<utf8proc_ssize_t>(utf8.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0 || out == nullptr) {
    // Only out-of-memory is possible on valid input; keeping the text beats losing it.
    std::free(out);
    return std::string(utf8);
  }
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

}  // namespace docent::text
