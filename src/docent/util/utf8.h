// UTF-8 decoding, validation and repair. Every byte string from outside (files, requests)
// passes through ToValidUtf8 before any other module sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace docent::util {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one code point at `pos`; advances `pos`. Returns kReplacementChar and advances by
// one byte on a malformed sequence (overlong, surrogate, > U+10FFFF, truncated).
char32_t DecodeUtf8(std::string_view s, size_t& pos);
// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value).
void AppendUtf8(char32_t cp, std::string& out);

// Appends UTF-16LE `bytes` (an odd last byte ignored) as UTF-8; an unpaired surrogate
// becomes U+FFFD. For the binary formats that store text so (HWP, OLE2 names).
void AppendUtf16Le(std::string_view bytes, std::string& out);

// Skips whole eight-byte words of ASCII from p (never past end): the scans over large texts
// spend their time on ASCII, and one 64-bit test covers eight bytes.
inline const unsigned char* SkipAsciiWords(const unsigned char* p, const unsigned char* end) {
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if ((word & 0x8080808080808080ull) != 0) break;
    p += 8;
  }
  return p;
}

// True when `bytes` is well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

// Replaces each malformed sequence with U+FFFD; `replaced` counts them and `first_bad`
// receives the byte offset of the first one (both optional).
std::string ToValidUtf8(std::string_view bytes, size_t* replaced = nullptr,
                        size_t* first_bad = nullptr);

// Number of code points in valid UTF-8.
size_t CountCodePoints(std::string_view utf8);

// Byte offset of code point index `cp_index` (clamped to the end).
size_t ByteOffsetOfCodePoint(std::string_view utf8, size_t cp_index);

// Terminal columns the text takes (Unicode East Asian Width, through utf8proc): two for a
// Hangul syllable or a CJK ideograph, none for a combining mark or a control, one otherwise.
size_t DisplayWidth(std::string_view utf8);

// The text cut or padded with spaces to exactly `width` columns, so table columns line up
// whatever the script; a cut text ends in "…".
std::string FitToWidth(std::string_view utf8, size_t width);

}  // namespace docent::util
