#include "docent/util/utf8.h"

#include <gtest/gtest.h>

namespace docent::util {
namespace {

TEST(Utf8Test, ValidatesStrictly) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("연차 휴가 \xEF\xBF\xBD"));  // a literal U+FFFD is valid
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));      // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE1\x84"));           // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xB1\xE2"));              // CP949 bytes for one syllable
}

TEST(Utf8Test, RepairReplacesEachBadSequenceOnce) {
  size_t replaced = 0, first_bad = 99;
  std::string out = ToValidUtf8("ok\xFF\xFEgo\xE1\x84", &replaced, &first_bad);
  EXPECT_EQ(out, "ok\xEF\xBF\xBD\xEF\xBF\xBDgo\xEF\xBF\xBD");
  EXPECT_EQ(replaced, 3u);
  EXPECT_EQ(first_bad, 2u);
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(Utf8Test, CountsAndIndexesCodePoints) {
  std::string s = "a한b글";  // 1 + 3 + 1 + 3 bytes
  EXPECT_EQ(CountCodePoints(s), 4u);
  EXPECT_EQ(ByteOffsetOfCodePoint(s, 0), 0u);
  EXPECT_EQ(ByteOffsetOfCodePoint(s, 2), 4u);
  EXPECT_EQ(ByteOffsetOfCodePoint(s, 3), 5u);
  EXPECT_EQ(ByteOffsetOfCodePoint(s, 9), s.size());
  std::string enc;
  AppendUtf8(0xD55C, enc);
  EXPECT_EQ(enc, "한");
}

}  // namespace
}  // namespace docent::util
