// UTF-8 per RFC 3629: strict decoding (no overlongs, no surrogates, nothing past U+10FFFF).
#include "docent/util/utf8.h"

#include <utf8proc.h>

namespace docent::util {

namespace {
bool IsCont(unsigned char c) {
  return (c & 0xC0) == 0x80;
}
}  // namespace

char32_t DecodeUtf8(std::string_view s, size_t& pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  unsigned char c = p[pos];
  if (c < 0x80) {
    ++pos;
    return c;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacementChar;
  }
  if (pos + len > n) {
    ++pos;
    return kReplacementChar;
  }
  for (size_t i = 1; i < len; ++i) {
    if (!IsCont(p[pos + i])) {
      ++pos;
      return kReplacementChar;
    }
    cp = (cp << 6) | (p[pos + i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return kReplacementChar;
  }
  pos += len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void AppendUtf16Le(std::string_view bytes, std::string& out) {
  const size_t units = bytes.size() / 2;
  auto unit = [&](size_t i) -> char32_t {
    return static_cast<unsigned char>(bytes[2 * i]) |
           static_cast<char32_t>(static_cast<unsigned char>(bytes[2 * i + 1])) << 8;
  };
  for (size_t i = 0; i < units; ++i) {
    char32_t c = unit(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units && unit(i + 1) >= 0xDC00 &&
        unit(i + 1) <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (unit(i + 1) - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = kReplacementChar;
    }
    AppendUtf8(c, out);
  }
}

// ASCII is skipped eight bytes at a time and nothing is decoded into code points: ingest
// checks every multi-megabyte text with this.
bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* const end = p + bytes.size();
  while ((p = SkipAsciiWords(p, end)) < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
    } else if (c >= 0xC2 && c <= 0xDF) {  // C0 and C1 would be overlong
      if (end - p < 2 || !IsCont(p[1])) return false;
      p += 2;
    } else if ((c & 0xF0) == 0xE0) {
      if (end - p < 3 || !IsCont(p[1]) || !IsCont(p[2])) return false;
      if (c == 0xE0 && p[1] < 0xA0) return false;   // overlong
      if (c == 0xED && p[1] >= 0xA0) return false;  // surrogate
      p += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4 || !IsCont(p[1]) || !IsCont(p[2]) || !IsCont(p[3])) return false;
      if (c == 0xF0 && p[1] < 0x90) return false;   // overlong
      if (c == 0xF4 && p[1] >= 0x90) return false;  // past U+10FFFF
      p += 4;
    } else {
      return false;  // a continuation byte, C0/C1, or F5..FF
    }
  }
  return true;
}

std::string ToValidUtf8(std::string_view bytes, size_t* replaced, size_t* first_bad) {
  std::string out;
  out.reserve(bytes.size());
  size_t count = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t start = pos;
    char32_t cp = DecodeUtf8(bytes, pos);
    if (cp == kReplacementChar && pos - start == 1) {
      if (count == 0 && first_bad) *first_bad = start;
      ++count;
      // Swallow the rest of a malformed sequence (its continuation bytes) as one error.
      while (pos < bytes.size() && IsCont(static_cast<unsigned char>(bytes[pos]))) ++pos;
      AppendUtf8(kReplacementChar, out);
    } else {
      out.append(bytes.substr(start, pos - start));
    }
  }
  if (replaced) *replaced = count;
  return out;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += !IsCont(c);
  return n;
}

size_t ByteOffsetOfCodePoint(std::string_view utf8, size_t cp_index) {
  size_t seen = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    if (!IsCont(static_cast<unsigned char>(utf8[i]))) {
      if (seen == cp_index) return i;
      ++seen;
    }
  }
  return utf8.size();
}

namespace {

size_t CodePointWidth(char32_t cp) {
  const int w = utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp));
  return w > 0 ? static_cast<size_t>(w) : 0;
}

}  // namespace

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0, pos = 0;
  while (pos < utf8.size()) width += CodePointWidth(DecodeUtf8(utf8, pos));
  return width;
}

std::string FitToWidth(std::string_view utf8, size_t width) {
  std::string out;
  if (DisplayWidth(utf8) <= width) {
    out.assign(utf8);
    out.append(width - DisplayWidth(utf8), ' ');
    return out;
  }
  // Room for the ellipsis (one column) at the end.
  size_t used = 0, pos = 0;
  while (pos < utf8.size()) {
    size_t next = pos;
    const size_t w = CodePointWidth(DecodeUtf8(utf8, next));
    if (used + w + 1 > width) break;
    out.append(utf8.substr(pos, next - pos));
    used += w;
    pos = next;
  }
  if (width > 0) {
    out += "\u2026";
    ++used;
  }
  out.append(width - used, ' ');
  return out;
}

}  // namespace docent::util
