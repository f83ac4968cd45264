// util::DisplayWidth and util::FitToWidth against widths counted by hand: a Hangul syllable
// takes two terminal columns, a combining mark none, "…" one.
#include <gtest/gtest.h>

#include <string>

#include "docent/util/utf8.h"

namespace docent::util {
namespace {

TEST(DisplayWidthTest, CountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("한글"), 4u);
  EXPECT_EQ(DisplayWidth("a한 b"), 5u);            // 1 + 2 + 1 + 1
  EXPECT_EQ(DisplayWidth("e\u0301"), 1u);          // e and a combining acute accent
  EXPECT_EQ(DisplayWidth("연차 휴가 규정"), 14u);  // six syllables, two spaces
  EXPECT_EQ(DisplayWidth("\u2026"), 1u);
}

TEST(DisplayWidthTest, FitPadsTextThatFits) {
  EXPECT_EQ(FitToWidth("abc", 5), "abc  ");
  EXPECT_EQ(FitToWidth("한글", 5), "한글 ");
  EXPECT_EQ(FitToWidth("연차휴가", 8), "연차휴가");
  EXPECT_EQ(FitToWidth("e\u0301", 3), "e\u0301  ");
  EXPECT_EQ(FitToWidth("", 2), "  ");
}

TEST(DisplayWidthTest, FitCutsWithAnEllipsis) {
  // 연 and 차 take four columns, the ellipsis the fifth; 휴 would need a sixth and seventh.
  EXPECT_EQ(FitToWidth("연차휴가", 5), "연차…");
  // 연 (2) and the ellipsis (1) leave one column, too narrow for 차: a space fills it.
  EXPECT_EQ(FitToWidth("연차휴가", 4), "연… ");
  EXPECT_EQ(FitToWidth("abcdefgh", 6), "abcde…");
  EXPECT_EQ(FitToWidth("abc", 1), "…");
  EXPECT_EQ(FitToWidth("abc", 0), "");
}

TEST(DisplayWidthTest, FitAlwaysGivesExactlyTheWidth) {
  for (const char* text : {"", "abc", "한글", "연차 휴가 규정", "e\u0301x", "Travel policy"}) {
    for (size_t width = 0; width <= 16; ++width) {
      EXPECT_EQ(DisplayWidth(FitToWidth(text, width)), width) << text << " in " << width;
    }
  }
}

}  // namespace
}  // namespace docent::util
