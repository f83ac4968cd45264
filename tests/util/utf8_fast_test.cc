// util::IsValidUtf8 (which skips ASCII eight bytes at a time and decodes nothing) must agree
// with the strict decoder, util::DecodeUtf8, on every input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "docent/util/utf8.h"

namespace docent::util {
namespace {

// The reference: every code point decodes (a malformed sequence decodes to U+FFFD in one
// byte; a literal U+FFFD takes three).
bool DecodesCleanly(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    if (DecodeUtf8(s, pos) == kReplacementChar && pos - start == 1) return false;
  }
  return true;
}

TEST(IsValidUtf8Test, EdgeCases) {
  const char* const cases[] = {"",
                               "a",
                               "plain ascii text, longer than eight bytes",
                               "\xC2\x80",
                               "\xC1\xBF",
                               "\xC0\x80",
                               "\xDF\xBF",
                               "\xE0\xA0\x80",
                               "\xE0\x9F\xBF",
                               "\xED\x9F\xBF",
                               "\xED\xA0\x80",
                               "\xED\xBF\xBF",
                               "\xEE\x80\x80",
                               "\xEF\xBF\xBF",
                               "\xF0\x90\x80\x80",
                               "\xF0\x8F\xBF\xBF",
                               "\xF4\x8F\xBF\xBF",
                               "\xF4\x90\x80\x80",
                               "\xF5\x80\x80\x80",
                               "\xFF",
                               "\x80",
                               "\xE2\x82",
                               "abcdefg\xE2\x82",
                               "한국어 텍스트입니다",
                               "12345678\xEA\xB0\x80",
                               "\xEA\xB0\x80\xEA\xB0",
                               "ok\xF0\x9F\x98\x80ok"};
  for (const char* c : cases) {
    const std::string s(c);
    EXPECT_EQ(IsValidUtf8(s), DecodesCleanly(s)) << testing::PrintToString(s);
  }
}

TEST(IsValidUtf8Test, AgreesOnRandomBytes) {
  std::mt19937 rng(12345);
  // Bytes drawn mostly from the ranges that matter (ASCII, continuation, lead bytes).
  const unsigned char pool[] = {'a',  ' ',  0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE2, 0xEA, 0xED,
                                0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF};
  std::uniform_int_distribution<size_t> pick(0, sizeof pool - 1), len(0, 24);
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    for (size_t n = len(rng); n > 0; --n) s += static_cast<char>(pool[pick(rng)]);
    ASSERT_EQ(IsValidUtf8(s), DecodesCleanly(s)) << testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace docent::util
