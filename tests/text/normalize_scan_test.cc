// NormalizeNfc's fast path (one inline scan for validity and NFC-inertness) must give what
// utf8proc gives on the repaired text, for any bytes.
#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <random>
#include <string>

#include "docent/text/normalize.h"
#include "docent/util/utf8.h"

namespace docent::text {
namespace {

std::string Reference(const std::string& bytes) {
  const std::string valid = util::ToValidUtf8(bytes);
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &out,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::string result = n < 0 ? valid : std::string(reinterpret_cast<const char*>(out), n);
  std::free(out);
  return result;
}

TEST(NormalizeScanTest, AgreesWithUtf8procOnRandomText) {
  // Pieces that exercise every branch: ASCII runs, Hangul syllables and jamo that compose
  // with them, combining marks, inert CJK, astral code points and malformed bytes.
  const std::string pool[] = {"a",
                              "e",
                              "abcdefgh",
                              " ",
                              "\xCC\x81" /*U+0301*/,
                              "한",
                              "가",
                              "\xE1\x86\xA8" /*U+11A8*/,
                              "\xE1\x84\x80" /*U+1100*/,
                              "\xE1\x85\xA1" /*U+1161*/,
                              "中",
                              "é",
                              "\xF0\x9F\x98\x80",
                              "\xFF",
                              "\x80",
                              "\xE2\x82",
                              "\xED\xA0\x80",
                              "\xC0\xAF",
                              "…",
                              "\xEF\xBC\xA1" /*U+FF21*/};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, std::size(pool) - 1), len(0, 12);
  for (int i = 0; i < 50000; ++i) {
    std::string s;
    for (size_t n = len(rng); n > 0; --n) s += pool[pick(rng)];
    ASSERT_EQ(NormalizeNfc(s), Reference(s)) << testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace docent::text
