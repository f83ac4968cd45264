// Passage splitting and sentence scoring: units at blank lines, list items and table rows,
// wrapped lines read through, headings flagged; coverage, proximity and the bar.
#include "docent/rag/sentence_scorer.h"

#include <gtest/gtest.h>

#include "rag/fake_term_statistics.h"

namespace docent::rag {
namespace {

using testing::FakeTermStatistics;
using testing::MakePassage;

std::vector<std::string> Texts(const std::vector<Sentence>& sentences) {
  std::vector<std::string> out;
  for (const Sentence& s : sentences) out.push_back(s.text);
  return out;
}

TEST(PassageSentencesTest, CutsAtBlankLinesListItemsAndSentenceEnds) {
  search::Passage p = MakePassage(
      1,
      "Annual leave\n\nNew employees get 15 days of annual leave in their first year, which\n"
      "grows by one day for every two years of service. Leave is booked in the portal.\n"
      "Carry-over rules:\n- at most 5 days\n• only into the next year\n\n"
      "Name | Days\nAnnual | 15",
      "Handbook", "p. 3 · Leave policy > Annual leave");
  std::vector<Sentence> s = SplitPassage(p, 4);
  EXPECT_EQ(Texts(s), (std::vector<std::string>{
                          "Annual leave",
                          "New employees get 15 days of annual leave in their first year, which "
                          "grows by one day for every two years of service.",
                          "Leave is booked in the portal.", "Carry-over rules:", "at most 5 days",
                          "only into the next year", "Name | Days", "Annual | 15"}));
  ASSERT_EQ(s.size(), 8u);
  EXPECT_TRUE(s[0].heading);
  EXPECT_FALSE(s[1].heading);
  EXPECT_TRUE(s[3].ends_with_colon);
  EXPECT_TRUE(s[4].list_item);
  EXPECT_TRUE(s[5].list_item);
  EXPECT_FALSE(s[2].list_item);
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].passage, 4u);
    EXPECT_EQ(s[i].position, i);
  }
}

TEST(PassageSentencesTest, KoreanSentencesAndContinuations) {
  search::Passage p = MakePassage(
      1, "연차 휴가는 15일이다. 다만 수습 기간에는 주어지지 않는다.\n이 경우 월차를 쓴다.");
  std::vector<Sentence> s = SplitPassage(p, 0);
  ASSERT_EQ(s.size(), 3u) << ::testing::PrintToString(Texts(s));
  EXPECT_FALSE(s[0].continues);
  EXPECT_TRUE(s[1].continues);
  EXPECT_TRUE(s[2].continues);
  EXPECT_EQ(s[0].chars, 13u);
}

TEST(PassageSentencesTest, HeadingsAndFaqQuestionsBecomeTheContextOfWhatFollows) {
  search::Passage p = MakePassage(1,
                                  "Carry-over is allowed.\n\nBUDDY PROGRAM\n\nQ: How long does it "
                                  "last?\nA: Eight weeks.\n\n8. 보안 사고 신고\n\n즉시 신고한다.",
                                  "Handbook", "Leave > Carry-over");
  std::vector<Sentence> s = SplitPassage(p, 0);
  ASSERT_EQ(Texts(s), (std::vector<std::string>{"Carry-over is allowed.", "BUDDY PROGRAM",
                                                "Q: How long does it last?", "A: Eight weeks.",
                                                "8. 보안 사고 신고", "즉시 신고한다."}));
  ASSERT_NE(s[0].context, nullptr);
  EXPECT_TRUE(s[0].context->contains("carri"));  // the location, until the text says more
  EXPECT_TRUE(s[1].heading);
  EXPECT_TRUE(s[2].question);
  EXPECT_FALSE(s[2].heading);
  EXPECT_TRUE(s[3].context->contains("last"));  // under the FAQ question
  EXPECT_FALSE(s[3].context->contains("carri"));
  EXPECT_TRUE(s[4].heading);
  EXPECT_TRUE(s[5].context->contains("사고"));
  EXPECT_FALSE(s[5].heading);
}

TEST(PassageSentencesTest, IndexTermsBridgesKoreanSpacing) {
  size_t tokens = 0;
  TermIndex idx = IndexTerms("연차 휴가는 입사 후", &tokens);
  EXPECT_EQ(tokens, 4u);
  ASSERT_TRUE(idx.contains("차휴"));  // 연차|휴가는
  EXPECT_EQ(idx["차휴"], (std::vector<uint32_t>{0}));
  EXPECT_EQ(idx["휴가"], (std::vector<uint32_t>{1}));
  EXPECT_TRUE(idx.contains("연차"));
  EXPECT_FALSE(idx.contains("연차휴가"));  // the compound term itself is not invented
  TermIndex english = IndexTerms("Leave, leaves; LEAVE");
  EXPECT_EQ(english["leav"], (std::vector<uint32_t>{0, 1, 2}));
}

class SentenceScorerTest : public ::testing::Test {
 protected:
  SentenceScore Score(std::string_view question, std::string sentence_text,
                      std::string location = "", size_t rank = 0) {
    question_ = AnalyzeQuestion(question, stats_);
    search::Passage p = MakePassage(1, std::move(sentence_text), "Handbook", std::move(location));
    std::vector<Sentence> s = SplitPassage(p, rank);
    EXPECT_EQ(s.size(), 1u);
    return ScoreSentence(question_, s.at(0), MakePassageContext(p), options_);
  }

  FakeTermStatistics stats_{{{"remot", 2.0}, {"work", 1.0}, {"approv", 1.0}, {"compani", 0.2}}};
  ExtractiveOptions options_;
  QuestionTerms question_;
};

TEST_F(SentenceScorerTest, CoverageIsTheIdfShareOfQuestionWords) {
  SentenceScore s = Score("remote work approval", "Remote work is popular here.");
  EXPECT_DOUBLE_EQ(s.coverage, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(s.own_coverage, 3.0 / 4.0);
  EXPECT_TRUE(s.content_match);
  EXPECT_TRUE(IsAnswerWorthy(s, options_));
}

TEST_F(SentenceScorerTest, CloserMatchesScoreHigher) {
  SentenceScore close =
      Score("remote work approval",
            "Remote work approval comes from the manager of the team you are in.");
  SentenceScore far = Score("remote work approval",
                            "Remote staff may work from home after the approval of the manager.");
  EXPECT_DOUBLE_EQ(close.coverage, far.coverage);
  EXPECT_DOUBLE_EQ(close.proximity, 1.0);
  EXPECT_LT(far.proximity, close.proximity);
  EXPECT_GT(close.score, far.score);
}

TEST_F(SentenceScorerTest, HeadingWordsCountHalfAndTitleGivesABonus) {
  SentenceScore plain = Score("remote work approval", "Approval is needed first.");
  SentenceScore headed =
      Score("remote work approval", "Approval is needed first.", "Policies > Remote work");
  EXPECT_DOUBLE_EQ(plain.coverage, 1.0 / 4.0);
  EXPECT_DOUBLE_EQ(headed.coverage, (1.0 + 0.5 * 3.0) / 4.0);
  EXPECT_DOUBLE_EQ(headed.own_coverage, plain.own_coverage);
  EXPECT_GT(headed.score, plain.score + (headed.coverage - plain.coverage));
}

TEST_F(SentenceScorerTest, QuestionsAndHeadingsAreNeverAnswers) {
  SentenceScore q = Score("remote work", "Is remote work allowed?");
  EXPECT_GE(q.coverage, 1.0);
  EXPECT_TRUE(q.heading);
  EXPECT_FALSE(IsAnswerWorthy(q, options_));
  SentenceScore h = Score("remote work", "REMOTE WORK");
  EXPECT_TRUE(h.heading);
  EXPECT_FALSE(IsAnswerWorthy(h, options_));
}

TEST_F(SentenceScorerTest, AMissingIdentifierIsAnotherTopic) {
  SentenceScore s = Score("remote work v2 approval", "Remote work approval is quick.");
  EXPECT_FALSE(s.identifiers_found);
  EXPECT_FALSE(IsAnswerWorthy(s, options_));
  SentenceScore titled =
      Score("remote work v2 approval", "Remote work approval is quick.", "Remote work v2");
  EXPECT_TRUE(titled.identifiers_found);
}

TEST_F(SentenceScorerTest, CommonWordsDoNotMakeAContentMatch) {
  SentenceScore s = Score("company", "The company was founded long ago.");
  EXPECT_DOUBLE_EQ(s.coverage, 1.0);
  EXPECT_FALSE(s.content_match);
  EXPECT_FALSE(IsAnswerWorthy(s, options_));
}

TEST_F(SentenceScorerTest, FragmentsAndEarlierPassages) {
  SentenceScore fragment = Score("remote work", "Remote work.");
  SentenceScore full = Score("remote work", "Remote work is allowed.");
  EXPECT_LT(fragment.score, full.score);
  SentenceScore later = Score("remote work", "Remote work is allowed.", "", 3);
  EXPECT_LT(later.score, full.score);
}

}  // namespace
}  // namespace docent::rag
