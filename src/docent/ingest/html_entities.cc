// HTML character references. The full HTML table has 2,231 names; this holds the ones that
// occur in real documents (Latin-1, typography, arrows, math basics). An unknown name is
// left as written, which is what a reader would see in a browser that lacked it.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "docent/ingest/extractors.h"
#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

struct Entity {
  std::string_view name;
  char32_t cp;
};

// Sorted by name (byte order) for binary search.
constexpr std::array kEntities = std::to_array<Entity>({
    {"AElig", 0xC6},    {"Aacute", 0xC1},   {"Acirc", 0xC2},    {"Agrave", 0xC0},
    {"Alpha", 0x391},   {"Aring", 0xC5},    {"Atilde", 0xC3},   {"Auml", 0xC4},
    {"Beta", 0x392},    {"Ccedil", 0xC7},   {"Delta", 0x394},   {"ETH", 0xD0},
    {"Eacute", 0xC9},   {"Ecirc", 0xCA},    {"Egrave", 0xC8},   {"Euml", 0xCB},
    {"Gamma", 0x393},   {"Iacute", 0xCD},   {"Icirc", 0xCE},    {"Igrave", 0xCC},
    {"Iuml", 0xCF},     {"Lambda", 0x39B},  {"Ntilde", 0xD1},   {"Oacute", 0xD3},
    {"Ocirc", 0xD4},    {"Ograve", 0xD2},   {"Omega", 0x3A9},   {"Oslash", 0xD8},
    {"Otilde", 0xD5},   {"Ouml", 0xD6},     {"Phi", 0x3A6},     {"Pi", 0x3A0},
    {"Prime", 0x2033},  {"Psi", 0x3A8},     {"Sigma", 0x3A3},   {"THORN", 0xDE},
    {"Theta", 0x398},   {"Uacute", 0xDA},   {"Ucirc", 0xDB},    {"Ugrave", 0xD9},
    {"Uuml", 0xDC},     {"Yacute", 0xDD},   {"aacute", 0xE1},   {"acirc", 0xE2},
    {"acute", 0xB4},    {"aelig", 0xE6},    {"agrave", 0xE0},   {"alpha", 0x3B1},
    {"amp", '&'},       {"and", 0x2227},    {"ang", 0x2220},    {"apos", '\''},
    {"aring", 0xE5},    {"asymp", 0x2248},  {"atilde", 0xE3},   {"auml", 0xE4},
    {"bdquo", 0x201E},  {"beta", 0x3B2},    {"brvbar", 0xA6},   {"bull", 0x2022},
    {"cap", 0x2229},    {"ccedil", 0xE7},   {"cedil", 0xB8},    {"cent", 0xA2},
    {"check", 0x2713},  {"chi", 0x3C7},     {"circ", 0x2C6},    {"clubs", 0x2663},
    {"copy", 0xA9},     {"crarr", 0x21B5},  {"cup", 0x222A},    {"curren", 0xA4},
    {"dArr", 0x21D3},   {"dagger", 0x2020}, {"darr", 0x2193},   {"deg", 0xB0},
    {"delta", 0x3B4},   {"diams", 0x2666},  {"divide", 0xF7},   {"eacute", 0xE9},
    {"ecirc", 0xEA},    {"egrave", 0xE8},   {"empty", 0x2205},  {"emsp", 0x2003},
    {"ensp", 0x2002},   {"epsilon", 0x3B5}, {"equiv", 0x2261},  {"eta", 0x3B7},
    {"eth", 0xF0},      {"euml", 0xEB},     {"euro", 0x20AC},   {"exist", 0x2203},
    {"forall", 0x2200}, {"frac12", 0xBD},   {"frac14", 0xBC},   {"frac34", 0xBE},
    {"frasl", 0x2044},  {"gamma", 0x3B3},   {"ge", 0x2265},     {"gt", '>'},
    {"hArr", 0x21D4},   {"harr", 0x2194},   {"hearts", 0x2665}, {"hellip", 0x2026},
    {"iacute", 0xED},   {"icirc", 0xEE},    {"iexcl", 0xA1},    {"igrave", 0xEC},
    {"infin", 0x221E},  {"int", 0x222B},    {"iota", 0x3B9},    {"iquest", 0xBF},
    {"isin", 0x2208},   {"iuml", 0xEF},     {"kappa", 0x3BA},   {"lArr", 0x21D0},
    {"lambda", 0x3BB},  {"lang", 0x27E8},   {"laquo", 0xAB},    {"larr", 0x2190},
    {"lceil", 0x2308},  {"ldquo", 0x201C},  {"le", 0x2264},     {"lfloor", 0x230A},
    {"lowast", 0x2217}, {"loz", 0x25CA},    {"lrm", 0x200E},    {"lsaquo", 0x2039},
    {"lsquo", 0x2018},  {"lt", '<'},        {"macr", 0xAF},     {"mdash", 0x2014},
    {"micro", 0xB5},    {"middot", 0xB7},   {"minus", 0x2212},  {"mu", 0x3BC},
    {"nabla", 0x2207},  {"nbsp", 0xA0},     {"ndash", 0x2013},  {"ne", 0x2260},
    {"ni", 0x220B},     {"not", 0xAC},      {"notin", 0x2209},  {"nsub", 0x2284},
    {"ntilde", 0xF1},   {"nu", 0x3BD},      {"oacute", 0xF3},   {"ocirc", 0xF4},
    {"oelig", 0x153},   {"ograve", 0xF2},   {"oline", 0x203E},  {"omega", 0x3C9},
    {"omicron", 0x3BF}, {"oplus", 0x2295},  {"or", 0x2228},     {"ordf", 0xAA},
    {"ordm", 0xBA},     {"oslash", 0xF8},   {"otilde", 0xF5},   {"otimes", 0x2297},
    {"ouml", 0xF6},     {"para", 0xB6},     {"part", 0x2202},   {"permil", 0x2030},
    {"perp", 0x22A5},   {"phi", 0x3C6},     {"pi", 0x3C0},      {"piv", 0x3D6},
    {"plusmn", 0xB1},   {"pound", 0xA3},    {"prime", 0x2032},  {"prod", 0x220F},
    {"prop", 0x221D},   {"psi", 0x3C8},     {"quot", '"'},      {"rArr", 0x21D2},
    {"radic", 0x221A},  {"rang", 0x27E9},   {"raquo", 0xBB},    {"rarr", 0x2192},
    {"rceil", 0x2309},  {"rdquo", 0x201D},  {"reg", 0xAE},      {"rfloor", 0x230B},
    {"rho", 0x3C1},     {"rlm", 0x200F},    {"rsaquo", 0x203A}, {"rsquo", 0x2019},
    {"sbquo", 0x201A},  {"scaron", 0x161},  {"sdot", 0x22C5},   {"sect", 0xA7},
    {"shy", 0xAD},      {"sigma", 0x3C3},   {"sim", 0x223C},    {"spades", 0x2660},
    {"sub", 0x2282},    {"sube", 0x2286},   {"sum", 0x2211},    {"sup", 0x2283},
    {"sup1", 0xB9},     {"sup2", 0xB2},     {"sup3", 0xB3},     {"supe", 0x2287},
    {"szlig", 0xDF},    {"tau", 0x3C4},     {"there4", 0x2234}, {"theta", 0x3B8},
    {"thinsp", 0x2009}, {"thorn", 0xFE},    {"tilde", 0x2DC},   {"times", 0xD7},
    {"trade", 0x2122},  {"uArr", 0x21D1},   {"uacute", 0xFA},   {"uarr", 0x2191},
    {"ucirc", 0xFB},    {"ugrave", 0xF9},   {"uml", 0xA8},      {"upsilon", 0x3C5},
    {"uuml", 0xFC},     {"xi", 0x3BE},      {"yacute", 0xFD},   {"yen", 0xA5},
    {"yuml", 0xFF},     {"zeta", 0x3B6},    {"zwj", 0x200D},    {"zwnj", 0x200C},
});

static_assert(std::is_sorted(kEntities.begin(), kEntities.end(),
                             [](const Entity& a, const Entity& b) { return a.name < b.name; }),
              "kEntities must stay sorted for the binary search");

// Numeric references to 0x80-0x9F mean windows-1252 characters (HTML's rule, since pages
// written on Windows used them for curly quotes and dashes).
constexpr char32_t kWindows1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

// Names that browsers accept without the ';' in running text.
bool LegacyWithoutSemicolon(std::string_view name) {
  return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "nbsp" ||
         name == "copy" || name == "reg";
}

char32_t LookUp(std::string_view name) {
  auto it = std::lower_bound(kEntities.begin(), kEntities.end(), name,
                             [](const Entity& e, std::string_view n) { return e.name < n; });
  return it != kEntities.end() && it->name == name ? it->cp : 0;
}

bool IsHex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Decodes the reference starting at text[i] == '&'; returns its length (0 when none).
size_t DecodeOne(std::string_view text, size_t i, std::string& out) {
  size_t j = i + 1;
  if (j < text.size() && text[j] == '#') {
    const bool hex = j + 1 < text.size() && (text[j + 1] == 'x' || text[j + 1] == 'X');
    size_t k = j + (hex ? 2 : 1);
    const size_t digits_start = k;
    uint64_t value = 0;
    while (k < text.size() && (hex ? IsHex(text[k]) : IsDigit(text[k]))) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[k])));
      value = value * (hex ? 16 : 10) + static_cast<uint64_t>(IsDigit(c) ? c - '0' : c - 'a' + 10);
      value = std::min<uint64_t>(value, 0x110000);  // saturate: no overflow on long digit runs
      ++k;
    }
    if (k == digits_start) return 0;
    if (k < text.size() && text[k] == ';') ++k;
    char32_t cp = static_cast<char32_t>(value);
    if (cp >= 0x80 && cp <= 0x9F) cp = kWindows1252[cp - 0x80];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = util::kReplacementChar;
    util::AppendUtf8(cp, out);
    return k - i;
  }
  size_t k = j;
  while (k < text.size() && k - j < 32 && IsAlnum(text[k])) ++k;
  const std::string_view name = text.substr(j, k - j);
  if (name.empty()) return 0;
  const bool semicolon = k < text.size() && text[k] == ';';
  if (!semicolon && !LegacyWithoutSemicolon(name)) return 0;
  const char32_t cp = LookUp(name);
  if (cp == 0) return 0;
  util::AppendUtf8(cp, out);
  return k - i + (semicolon ? 1 : 0);
}

}  // namespace

std::string DecodeHtmlEntities(std::string_view text) {
  if (text.find('&') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      if (const size_t n = DecodeOne(text, i, out); n > 0) {
        i += n;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace docent::ingest
