// NFC normalisation tests: composition (Hangul jamo, Latin accents), the fast path for text
// that is already NFC, and repair of invalid UTF-8 before normalising.
#include "docent/text/normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace docent::text {
namespace {

TEST(NormalizeTest, ConjoiningJamoComposeToSyllables) {
  // ᄒ ᅡ ᆫ (choseong, jungseong, jongseong) is 한 (U+D55C).
  EXPECT_EQ(NormalizeNfc("\u1112\u1161\u11AB"), "\uD55C");
  // A precomposed LV syllable followed by a trailing consonant composes too: 하 + ᆫ = 한.
  EXPECT_EQ(NormalizeNfc("\uD558\u11AB"), "\uD55C");
  EXPECT_EQ(NormalizeNfc("\u1112\u1172\u1100\u1161 \uD734\uAC00"), "\uD734\uAC00 \uD734\uAC00");
}

TEST(NormalizeTest, CombiningAccentsCompose) {
  EXPECT_EQ(NormalizeNfc("Cafe\u0301"), "Caf\u00E9");
  // Singleton decomposition: the Angstrom sign becomes Å.
  EXPECT_EQ(NormalizeNfc("\u212B"), "\u00C5");
}

TEST(NormalizeTest, AlreadyNfcTextIsUnchanged) {
  for (const char* s : {"", "plain ASCII text", "연차휴가는 15일입니다.", "東京 – “quoted” …",
                        "Ελληνικά and Кириллица"}) {
    EXPECT_EQ(NormalizeNfc(s), s);
  }
}

TEST(NormalizeTest, InvalidUtf8IsRepairedFirst) {
  EXPECT_EQ(NormalizeNfc("a\xff"
                         "b"),
            "a\uFFFD"
            "b");
  // A truncated sequence (one U+FFFD, as util::ToValidUtf8 repairs it) next to a
  // decomposed accent: repaired, then composed.
  EXPECT_EQ(NormalizeNfc("\xE1\x84"
                         "e\u0301"),
            "\uFFFD\u00E9");
}

}  // namespace
}  // namespace docent::text
