// NFC normalisation through utf8proc, with a fast path for text that is already NFC by
// construction (ASCII, Latin-1, Hangul syllables, common CJK), which is most of what we see.
#include "docent/text/normalize.h"

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

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

enum class Scan { kInert, kNeedsNfc, kInvalid };

// One pass: is the text valid UTF-8 (RFC 3629, as util::IsValidUtf8), and certainly NFC
// already? Decodes inline and skips ASCII eight bytes at a time: every chunk of every
// document comes through here. Hangul syllables are inert unless a trailing-consonant jamo
// follows, and that jamo is itself outside the inert set.
Scan ScanText(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  auto cont = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  bool inert = true;
  while ((p = util::SkipAsciiWords(p, end)) < end) {
    const unsigned char c = *p;
    char32_t cp;
    if (c < 0x80) {
      ++p;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || !cont(p[1])) return Scan::kInvalid;
      cp = (char32_t{c} & 0x1F) << 6 | (p[1] & 0x3F);
      p += 2;
    } else if ((c & 0xF0) == 0xE0) {
      if (end - p < 3 || !cont(p[1]) || !cont(p[2])) return Scan::kInvalid;
      cp = (char32_t{c} & 0x0F) << 12 | char32_t{p[1] & 0x3Fu} << 6 | (p[2] & 0x3F);
      if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return Scan::kInvalid;
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) return Scan::kInvalid;
      cp = (char32_t{c} & 0x07) << 18 | char32_t{p[1] & 0x3Fu} << 12 | char32_t{p[2] & 0x3Fu} << 6 |
           (p[3] & 0x3F);
      if (cp < 0x10000 || cp > 0x10FFFF) return Scan::kInvalid;
      p += 4;
    } else {
      return Scan::kInvalid;
    }
    if (cp >= 0xAC00 && cp <= 0xD7A3) continue;  // a following T jamo fails on its own turn
    if (!IsNfcInert(cp)) inert = false;          // keep going: validity decides the path too
  }
  return inert ? Scan::kInert : Scan::kNeedsNfc;
}

}  // namespace

std::string NormalizeNfc(std::string_view utf8) {
  std::string valid;
  Scan scan = ScanText(utf8);
  if (scan == Scan::kInvalid) {
    valid = util::ToValidUtf8(utf8);
    utf8 = valid;
    scan = ScanText(utf8);
  }
  if (scan == Scan::kInert) return std::string(utf8);

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
