// The answer prompt: numbered sources with title and location, the instruction in the
// question's language, and a system message that depends only on the passages (so follow-up
// questions share it and the prefix cache can reuse it).
#include "docent/rag/generative_prompt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace docent::rag {
namespace {

using ::testing::HasSubstr;

std::vector<search::Passage> Passages() {
  search::Passage a;
  a.doc_title = "Leave policy";
  a.location = "p. 2";
  a.text = "Employees receive 15 days of annual leave.";
  search::Passage b;
  b.doc_title = "휴가 규정";
  b.text = "연차는 15일이다.";
  return {a, b};
}

TEST(GenerativePromptTest, NumbersTheSourcesAndAsksForCitations) {
  const auto messages = RagMessages(Passages(), "How many days of leave?");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].role, "system");
  EXPECT_THAT(messages[0].content,
              HasSubstr("[1] Leave policy (p. 2)\nEmployees receive 15 days of annual leave.\n"));
  EXPECT_THAT(messages[0].content, HasSubstr("[2] 휴가 규정\n연차는 15일이다.\n"));
  EXPECT_THAT(messages[0].content, HasSubstr("using only the numbered sources"));
  EXPECT_THAT(messages[0].content, HasSubstr("Answer in English"));
  EXPECT_EQ(messages[1].role, "user");
  EXPECT_EQ(messages[1].content, "How many days of leave?");
}

TEST(GenerativePromptTest, KoreanQuestionsGetKoreanInstructions) {
  EXPECT_EQ(LanguageOf("연차는 며칠인가요?"), AnswerLanguage::kKorean);
  EXPECT_EQ(LanguageOf("What about PTO (유급휴가)?"), AnswerLanguage::kKorean);
  EXPECT_EQ(LanguageOf("What is PTO? — “quoted” ½"), AnswerLanguage::kEnglish);
  const auto messages = RagMessages(Passages(), "연차는 며칠인가요?");
  EXPECT_THAT(messages[0].content, HasSubstr("한국어로"));
}

TEST(GenerativePromptTest, TheSystemMessageDependsOnlyOnThePassagesAndLanguage) {
  EXPECT_EQ(RagMessages(Passages(), "How many days?")[0].content,
            RagMessages(Passages(), "Who approves leave?")[0].content);
}

}  // namespace
}  // namespace docent::rag
