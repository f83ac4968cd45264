// Sentence splitter tests: English abbreviations and numbers, Korean endings with and
// without punctuation, line structure (blank lines, list items), and span trimming.
#include "docent/text/sentences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace docent::text {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  for (const Span& s : SplitSentences(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SentencesTest, EnglishTerminalPunctuation) {
  EXPECT_EQ(Split("It rained. We stayed in! Did you? Yes."),
            (V{"It rained.", "We stayed in!", "Did you?", "Yes."}));
}

TEST(SentencesTest, AbbreviationsDoNotEndSentences) {
  EXPECT_EQ(Split("Dr. Smith met Mr. Lee at 5 p.m. yesterday. They talked."),
            (V{"Dr. Smith met Mr. Lee at 5 p.m. yesterday.", "They talked."}));
  EXPECT_EQ(Split("Bring tools, e.g. hammers. Or not, i.e. never."),
            (V{"Bring tools, e.g. hammers.", "Or not, i.e. never."}));
  EXPECT_EQ(Split("Apples vs. Oranges is old. Fine."), (V{"Apples vs. Oranges is old.", "Fine."}));
}

TEST(SentencesTest, NumberAbbreviationsDependOnWhatFollows) {
  EXPECT_EQ(Split("See No. 5 and Fig. 3 here. The answer is no. It is not."),
            (V{"See No. 5 and Fig. 3 here.", "The answer is no.", "It is not."}));
}

TEST(SentencesTest, InitialsAndLowercaseContinuations) {
  EXPECT_EQ(Split("J. K. Rowling wrote it. Fine."), (V{"J. K. Rowling wrote it.", "Fine."}));
  EXPECT_EQ(Split("It costs approx. three dollars. Next."),
            (V{"It costs approx. three dollars.", "Next."}));
}

TEST(SentencesTest, DecimalsAndVersionsStayWhole) {
  EXPECT_EQ(Split("Version v2.3 is out. Pay 3.5 dollars. Visit example.com today."),
            (V{"Version v2.3 is out.", "Pay 3.5 dollars.", "Visit example.com today."}));
}

TEST(SentencesTest, ClosingQuotesStayWithTheirSentence) {
  EXPECT_EQ(Split("He said \"Stop.\" Then he left. (It was late.) Done."),
            (V{"He said \"Stop.\"", "Then he left.", "(It was late.)", "Done."}));
}

TEST(SentencesTest, KoreanEndingsWithPunctuation) {
  EXPECT_EQ(Split("연차휴가는 15일입니다. 다음 규정을 따릅니다."),
            (V{"연차휴가는 15일입니다.", "다음 규정을 따릅니다."}));
  EXPECT_EQ(Split("신청했어요? 네, 맞아요!"), (V{"신청했어요?", "네, 맞아요!"}));
  // No space after the period, between two Hangul syllables.
  EXPECT_EQ(Split("승인됩니다.다음 단계"), (V{"승인됩니다.", "다음 단계"}));
  // A decimal inside Korean text is not an end.
  EXPECT_EQ(Split("비율은 3.5배입니다."), (V{"비율은 3.5배입니다."}));
}

TEST(SentencesTest, KoreanEndingsAtLineBreaks) {
  EXPECT_EQ(Split("규정이 있다\n다음 항목을 본다\n끝"),
            (V{"규정이 있다", "다음 항목을 본다", "끝"}));
  EXPECT_EQ(Split("결재 완료함\r\n담당자 확인됨\n"), (V{"결재 완료함", "담당자 확인됨"}));
  // A line that does not end in a final ending continues on the next line.
  EXPECT_EQ(Split("휴가 신청은\n인사팀에 합니다."), (V{"휴가 신청은\n인사팀에 합니다."}));
}

TEST(SentencesTest, EnglishHardWrapsDoNotSplit) {
  EXPECT_EQ(Split("This line wraps\nin the middle. Next."),
            (V{"This line wraps\nin the middle.", "Next."}));
}

TEST(SentencesTest, BlankLinesSplit) {
  EXPECT_EQ(Split("Title line\n\nBody text\n \t\nMore"), (V{"Title line", "Body text", "More"}));
  EXPECT_EQ(Split("Title\r\n\r\nBody"), (V{"Title", "Body"}));
}

TEST(SentencesTest, ListItemsStartSentences) {
  EXPECT_EQ(Split("Items:\n- first item\n* second item\n1. third\n12) fourth\n(3) fifth\n"
                  "• sixth\n① seventh\n가. 여덟째\nnot a list"),
            (V{"Items:", "- first item", "* second item", "1. third", "12) fourth", "(3) fifth",
               "• sixth", "① seventh", "가. 여덟째\nnot a list"}));
  // A minus sign glued to a number is not a bullet.
  EXPECT_EQ(Split("Temperature\n-5 degrees"), (V{"Temperature\n-5 degrees"}));
}

TEST(SentencesTest, ListLabelsAreNotSentences) {
  EXPECT_EQ(Split("1. Scope of the policy\n2. Terms used"),
            (V{"1. Scope of the policy", "2. Terms used"}));
  EXPECT_EQ(Split("가. 목적\n나. 적용 범위"), (V{"가. 목적", "나. 적용 범위"}));
  // A one-syllable sentence that is not an enumeration label still ends.
  EXPECT_EQ(Split("네. 알겠습니다."), (V{"네.", "알겠습니다."}));
}

TEST(SentencesTest, SpansExcludeSurroundingWhitespace) {
  const std::string text = "  Hello world.  Next one.  ";
  std::vector<Span> spans = SplitSentences(text);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].begin, 2u);
  EXPECT_EQ(spans[0].end, 14u);
  EXPECT_EQ(spans[1].begin, 16u);
  EXPECT_EQ(spans[1].end, 25u);
}

TEST(SentencesTest, EmptyAndBlankInput) {
  EXPECT_TRUE(SplitSentences("").empty());
  EXPECT_TRUE(SplitSentences(" \n\t\u3000").empty());
}

TEST(SentencesTest, CjkFullStopEndsWithoutSpace) {
  EXPECT_EQ(Split("東京に行きました。明日帰ります。"), (V{"東京に行きました。", "明日帰ります。"}));
}

TEST(SentencesTest, EveryNonSpaceByteIsInASpan) {
  const std::string text = "A. b? C!! \"D.\"\n\n- e\n감사합니다.다음\n3.5 ok… fine";
  std::vector<Span> spans = SplitSentences(text);
  std::vector<bool> covered(text.size(), false);
  size_t prev_end = 0;
  for (const Span& s : spans) {
    ASSERT_LE(prev_end, s.begin);
    ASSERT_LT(s.begin, s.end);
    for (size_t i = s.begin; i < s.end; ++i) covered[i] = true;
    prev_end = s.end;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ' ' && text[i] != '\n') {
      EXPECT_TRUE(covered[i]) << "byte " << i;
    }
  }
}

}  // namespace
}  // namespace docent::text
