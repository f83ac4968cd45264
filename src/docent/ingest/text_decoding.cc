// Encoding detection for plain-text formats. Korean organisations still hold many CP949
// (EUC-KR superset) files written by older Windows tools, so CP949 is detected rather than
// shown as replacement characters; everything else that is not UTF-8 is repaired.
#include "docent/ingest/text_decoding.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

// A file with more NULs or malformed sequences than these shares is taken for binary data
// (an image or archive renamed .txt), which no repair would turn into useful text.
constexpr double kMaxNulShare = 0.01;
constexpr double kMaxInvalidShare = 0.30;
// CP949 is accepted when at least this share of the non-ASCII letters it yields is Hangul;
// Latin-1 or random bytes that happen to convert come out as rare Hanja and symbols.
constexpr double kMinHangulShare = 0.6;

bool IsHangul(char32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
         (cp >= 0x3130 && cp <= 0x318F);
}

// Punctuation that Korean text uses beside Hangul (CJK symbols, full-width forms, general
// punctuation such as '·' and curly quotes): neither evidence for nor against CP949.
bool IsNeutralSymbol(char32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFF00 && cp <= 0xFFEF) || cp == 0x00B7;
}

bool MostlyHangul(std::string_view utf8) {
  size_t hangul = 0, other = 0;
  size_t pos = 0;
  while (pos < utf8.size()) {
    const char32_t cp = util::DecodeUtf8(utf8, pos);
    if (cp < 0x80 || IsNeutralSymbol(cp)) continue;
    (IsHangul(cp) ? hangul : other)++;
  }
  return hangul > 0 && static_cast<double>(hangul) >= kMinHangulShare * (hangul + other);
}

void NormalizeNewlines(std::string& text) {
  if (text.find('\r') == std::string::npos) return;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  text.swap(out);
}

// UTF-16 by hand rather than through iconv: iconv stops at the first unpaired surrogate,
// while a damaged file should lose one character, not the rest of its text.
std::string DecodeUtf16(std::string_view bytes, bool little_endian, size_t* bad) {
  std::string out;
  out.reserve(bytes.size());
  *bad = 0;
  auto unit = [&](size_t i) -> char32_t {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const auto b = static_cast<unsigned char>(bytes[i + 1]);
    return little_endian ? (b << 8 | a) : (a << 8 | b);
  };
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    const char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
      const char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        util::AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), out);
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      ++*bad;
      util::AppendUtf8(util::kReplacementChar, out);
    } else {
      util::AppendUtf8(u, out);
    }
  }
  if (i < bytes.size()) ++*bad;  // an odd trailing byte
  return out;
}

// UTF-16 without a BOM shows as NULs in every other byte of mostly-ASCII text.
std::optional<bool> LooksLikeUtf16(std::string_view bytes) {
  if (bytes.size() < 4 || bytes.size() % 2 != 0) return std::nullopt;
  size_t even_nul = 0, odd_nul = 0;
  const size_t n = std::min<size_t>(bytes.size(), 4096);
  for (size_t i = 0; i < n; ++i) {
    if (bytes[i] == '\0') (i % 2 == 0 ? even_nul : odd_nul)++;
  }
  const size_t pairs = n / 2;
  if (odd_nul * 10 >= pairs * 7 && even_nul * 10 < pairs) return true;   // little-endian
  if (even_nul * 10 >= pairs * 7 && odd_nul * 10 < pairs) return false;  // big-endian
  return std::nullopt;
}

// Maps the names HTML pages use to the iconv names glibc knows; EUC-KR and its aliases are
// read as CP949, its superset, as browsers do.
std::string CanonicalCharset(std::string_view declared) {
  std::string name;
  for (char c : declared) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "euc-kr" || name == "euckr" || name == "ks_c_5601-1987" || name == "ksc5601" ||
      name == "ks_c_5601" || name == "windows-949" || name == "x-windows-949" || name == "cp949" ||
      name == "uhc") {
    return "CP949";
  }
  // Browsers read Latin-1 labels as windows-1252, which only adds characters in 0x80-0x9F.
  if (name == "iso-8859-1" || name == "latin1" || name == "iso8859-1" || name == "us-ascii") {
    return "WINDOWS-1252";
  }
  return name;
}

bool IsUtf8Label(std::string_view name) {
  return name == "utf-8" || name == "utf8" || name == "unicode-1-1-utf-8";
}

DecodedText Finish(std::string text, std::string encoding, std::vector<std::string> warnings) {
  NormalizeNewlines(text);
  DecodedText decoded;
  decoded.text.swap(text);
  decoded.encoding.swap(encoding);
  decoded.warnings.swap(warnings);
  return decoded;
}

}  // namespace

std::optional<std::string> ConvertToUtf8(std::string_view bytes, std::string_view charset) {
  // The name reaches iconv_open, which loads conversion modules by name: allow plain names only.
  if (charset.empty() || charset.size() > 40) return std::nullopt;
  for (char c : charset) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':') {
      return std::nullopt;
    }
  }
  const std::string from(charset);
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
  size_t in_left = bytes.size();
  size_t done = 0;
  bool ok = true;
  while (in_left > 0) {
    char* out_ptr = out.data() + done;
    size_t out_left = out.size() - done;
    const size_t r = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    done = out.size() - out_left;
    if (r != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    ok = false;  // EILSEQ or EINVAL: not this charset
    break;
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(done);
  return out;
}

Result<DecodedText> DecodeText(std::string_view bytes, std::string_view declared_charset) {
  size_t skipped = 0;  // BOM bytes, so reported offsets are offsets in the file
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
    skipped = 3;
  }
  std::optional<bool> utf16_le;
  if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
    utf16_le = true;
    bytes.remove_prefix(2);
  } else if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
    utf16_le = false;
    bytes.remove_prefix(2);
  } else {
    utf16_le = LooksLikeUtf16(bytes);
  }
  if (utf16_le) {
    size_t bad = 0;
    std::string text = DecodeUtf16(bytes, *utf16_le, &bad);
    std::string name = *utf16_le ? "UTF-16LE" : "UTF-16BE";
    std::vector<std::string> warnings = {"converted from " + name};
    if (bad > 0) warnings.push_back(std::to_string(bad) + " invalid UTF-16 units replaced");
    return Finish(std::move(text), std::move(name), std::move(warnings));
  }

  // NULs are valid UTF-8 but never part of text.
  const size_t nuls = static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\0'));
  if (static_cast<double>(nuls) > kMaxNulShare * static_cast<double>(bytes.size())) {
    return Unsupported("binary content, not text");
  }
  if (util::IsValidUtf8(bytes)) {
    // Valid UTF-8 wins over a declared charset: pages that declare Latin-1 but hold UTF-8
    // are common, while legacy bytes that happen to form valid UTF-8 are rare.
    return Finish(std::string(bytes), "UTF-8", {});
  }

  const std::string declared = CanonicalCharset(declared_charset);
  if (!declared.empty() && !IsUtf8Label(declared)) {
    if (auto converted = ConvertToUtf8(bytes, declared)) {
      return Finish(std::move(*converted), declared, {"converted from " + declared});
    }
  }
  if (auto converted = ConvertToUtf8(bytes, "CP949"); converted && MostlyHangul(*converted)) {
    return Finish(std::move(*converted), "CP949", {"converted from CP949"});
  }

  size_t replaced = 0, first_bad = 0;
  std::string text = util::ToValidUtf8(bytes, &replaced, &first_bad);
  if (bytes.size() >= 16 &&
      static_cast<double>(replaced) > kMaxInvalidShare * static_cast<double>(bytes.size())) {
    return Unsupported("binary content, not text (" + std::to_string(replaced) +
                       " invalid UTF-8 sequences)");
  }
  std::string warning = "invalid UTF-8 replaced at byte " + std::to_string(first_bad + skipped);
  if (replaced > 1) warning += " (" + std::to_string(replaced) + " sequences)";
  return Finish(std::move(text), "UTF-8", {std::move(warning)});
}

}  // namespace docent::ingest
