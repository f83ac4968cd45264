// The extractive answerer end to end over hand-built passages and a fake IDF table: right
// sentence and citation, refusals, Korean particle variation, the budget, numbering,
// continuation and determinism.
#include "docent/rag/extractive.h"

#include <gtest/gtest.h>

#include "docent/rag/passage_sentences.h"
#include "docent/util/utf8.h"
#include "rag/fake_term_statistics.h"

namespace docent::rag {
namespace {

using testing::FakeTermStatistics;
using testing::MakePassage;

constexpr const char* kNotFoundEn = "The documents do not contain an answer to this question.";
constexpr const char* kNotFoundKo = "문서에서 이 질문에 대한 답을 찾지 못했습니다.";

// IDF as a small handbook's index would give it: staff words are everywhere, topics are not.
FakeTermStatistics HandbookStats() {
  return FakeTermStatistics({{"employe", 0.3},
                             {"compani", 0.2},
                             {"day", 1.2},
                             {"annual", 1.8},
                             {"leav", 1.2},
                             {"new", 1.5},
                             {"get", 1.0},
                             {"year", 0.8},
                             {"request", 1.2},
                             {"polici", 0.5},
                             {"offic", 0.8},
                             {"work", 0.9},
                             {"회사", 0.3},
                             {"직원", 0.4},
                             {"연차", 2.0},
                             {"휴가", 1.5},
                             {"신청", 1.2},
                             {"사내", 0.9},
                             {"주차", 2.5}});
}

std::vector<search::Passage> LeavePassages() {
  return {MakePassage(11,
                      "All laptops must use full-disk encryption. Passwords are rotated every "
                      "90 days.",
                      "Security", "Devices"),
          MakePassage(21,
                      "Annual leave\n\nNew employees get 15 days of annual leave in their "
                      "first year. Leave requests are submitted through the HR portal. "
                      "Unused leave expires at the end of the year.",
                      "Handbook", "Leave policy > Annual leave")};
}

TEST(ExtractiveTest, AnswersWithTheSentenceThatAnswersAndCitesIt) {
  FakeTermStatistics stats = HandbookStats();
  ExtractiveAnswer a = AnswerExtractively("How many days of annual leave do new employees get?",
                                          LeavePassages(), stats);
  ASSERT_TRUE(a.found) << a.text;
  ASSERT_FALSE(a.sentences.empty());
  EXPECT_EQ(a.sentences[0].text, "New employees get 15 days of annual leave in their first year.");
  EXPECT_EQ(a.text.rfind("New employees get 15 days of annual leave in their first year. [1]", 0),
            0u)
      << a.text;
  ASSERT_EQ(a.citations.size(), 1u);
  EXPECT_EQ(a.citations[0].number, 1);
  EXPECT_EQ(a.citations[0].passage.chunk_id, 21);
}

TEST(ExtractiveTest, UnrelatedQuestionIsRefused) {
  FakeTermStatistics stats = HandbookStats();
  ExtractiveAnswer a =
      AnswerExtractively("What is the parking fee at the Busan office?", LeavePassages(), stats);
  EXPECT_FALSE(a.found);
  EXPECT_EQ(a.text, kNotFoundEn);
  EXPECT_TRUE(a.sentences.empty());
  EXPECT_TRUE(a.citations.empty());
}

TEST(ExtractiveTest, NearMissWithAnUnknownKeyWordIsRefused) {
  // Every word but "paternity" is in the best sentence, and no document mentions paternity:
  // the documents do not say.
  FakeTermStatistics stats = HandbookStats();
  stats.Absent({"patern"});
  ExtractiveAnswer a = AnswerExtractively("How many days of paternity leave do new employees get?",
                                          LeavePassages(), stats);
  EXPECT_FALSE(a.found) << a.text;
}

TEST(ExtractiveTest, CommonWordsAloneNeverAnswer) {
  // Both words are in the sentence, but each is in most chunks: nothing specific matched.
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {
      MakePassage(1, "회사 직원은 모두 사원증을 패용한다.", "사규", "보안")};
  ExtractiveAnswer a = AnswerExtractively("회사 직원은?", passages, stats);
  EXPECT_FALSE(a.found) << a.text;
  EXPECT_EQ(a.text, kNotFoundKo);
}

TEST(ExtractiveTest, KoreanParticleAndSpacingVariationIsAnswered) {
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {
      MakePassage(5, "회사는 1998년에 설립되었다. 회사의 본사는 서울에 있다.", "회사 소개", "연혁"),
      MakePassage(7, "연차 휴가는 입사 1년 후 15일이 주어진다. 휴가 신청은 인사팀에 한다.",
                  "취업 규칙", "제3장 휴가")};
  ExtractiveAnswer a = AnswerExtractively("연차휴가는 며칠인가요?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_EQ(a.text, "연차 휴가는 입사 1년 후 15일이 주어진다. [1]");
  ASSERT_EQ(a.citations.size(), 1u);
  EXPECT_EQ(a.citations[0].passage.chunk_id, 7);
}

TEST(ExtractiveTest, OneSharedCommonKoreanBigramIsRefused) {
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {MakePassage(
      5, "회사는 1998년에 설립되었다. 회사의 본사는 서울에 있다.", "회사 소개", "연혁")};
  ExtractiveAnswer a = AnswerExtractively("회사 주차 요금은 얼마인가요?", passages, stats);
  EXPECT_FALSE(a.found) << a.text;
  EXPECT_EQ(a.text, kNotFoundKo);
}

TEST(ExtractiveTest, KoreanVerbMatchesItsConjugatedForm) {
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {
      MakePassage(4,
                  "VPN 세션은 12시간이 지나면 자동으로 끊긴다. 5분 동안 사용하지 않으면 화면이 "
                  "자동으로 잠긴다.",
                  "정보보안 지침", "접속")};
  ExtractiveAnswer a =
      AnswerExtractively("화면은 몇 분이 지나면 자동으로 잠기나요?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_EQ(a.sentences[0].text, "5분 동안 사용하지 않으면 화면이 자동으로 잠긴다.");
}

TEST(ExtractiveTest, KoreanNounOutweighsAParaphrasableVerb) {
  // Both sentences share two of the three words; the one sharing the noun is the answer.
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {
      MakePassage(1, "배지를 잃어버리면 즉시 보안팀에 신고해야 한다.", "온보딩", "배지"),
      MakePassage(2, "법인카드를 분실하면 24시간 안에 재무팀에 신고해야 한다.", "경비", "카드")};
  ExtractiveAnswer a =
      AnswerExtractively("법인카드를 잃어버리면 언제까지 신고해야 하나요?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_EQ(a.sentences[0].text, "법인카드를 분실하면 24시간 안에 재무팀에 신고해야 한다.");
}

TEST(ExtractiveTest, AQuestionsVerbIsStillEvidenceForTheBar) {
  // Only the noun is shared: the sentence is about laptops, not about losing one. The verb
  // weighs as much as the noun, so the sentence covers half the question: above the bar
  // while the verb occurs elsewhere in the documents, below it when no document has it.
  FakeTermStatistics stats(
      {{"노트", 3.0}, {"트북", 3.0}, {"잃어", 3.0}, {"어버", 3.0}, {"버리", 3.0}});
  std::vector<search::Passage> passages = {
      MakePassage(1, "오후에는 IT 헬프데스크에서 노트북과 계정을 설정합니다.", "온보딩")};
  std::set<std::string, std::less<>> corpus;
  for (const auto& [term, at] : IndexTerms(passages[0].text)) corpus.insert(term);
  stats.PresentOnly(corpus);
  EXPECT_FALSE(AnswerExtractively("노트북을 잃어버리면 어떻게 하나요?", passages, stats).found);
  // One verb word among three nouns the sentence has: it is answered.
  EXPECT_TRUE(AnswerExtractively("노트북 헬프데스크 계정 잃어버리면?", passages, stats).found);
}

TEST(ExtractiveTest, TheInterrogativesParticleFavoursTheSentenceWithIt) {
  // 언제까지 asks for a deadline: of two sentences with the same words, the one with 까지.
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "이월 한도를 넘는 미사용 연차는 1월 급여에서 수당으로 지급한다. 이월된 연차는 3월 31일까지 "
      "사용해야 한다.",
      "휴가 규정")};
  ExtractiveAnswer a =
      AnswerExtractively("이월된 연차는 언제까지 사용해야 하나요?", passages, stats);
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.sentences[0].text, "이월된 연차는 3월 31일까지 사용해야 한다.");
}

TEST(ExtractiveTest, FaqAnswerIsFoundUnderItsQuestion) {
  FakeTermStatistics stats({{"buddi", 2.7}, {"program", 3.2}, {"last", 2.7}, {"week", 1.5}});
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "BUDDY PROGRAM\n\nQ: What is the buddy program?\nA: Every new hire is paired with a "
      "buddy.\n\nQ: Where is the canteen?\nA: On the second floor.",
      "Onboarding FAQ")};
  ExtractiveAnswer a = AnswerExtractively("How long does the buddy program last?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_EQ(a.sentences[0].text, "A: Every new hire is paired with a buddy.");
  for (const AnswerSentence& s : a.sentences) EXPECT_EQ(s.text.find("Q:"), std::string::npos);
}

TEST(ExtractiveTest, AVersionTheSentenceDoesNotMentionIsRefused) {
  FakeTermStatistics stats({{"firmwar", 3.2}, {"updat", 2.7}, {"2.3", 2.7}});
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "Code: E11 | Meaning: Firmware version mismatch | Action: Update all robots to the same "
      "firmware version",
      "HB-200 error codes", "sheet Errors")};
  ExtractiveAnswer a =
      AnswerExtractively("How long does a firmware 2.3 update take?", passages, stats);
  EXPECT_FALSE(a.found) << a.text;
}

TEST(ExtractiveTest, MixedKoreanAndLatinQuestion) {
  FakeTermStatistics stats = HandbookStats();
  std::vector<search::Passage> passages = {MakePassage(
      3, "사내 포털 주소는 portal.example.com이다. VPN 접속은 사내 포털에서 OTP 인증 후 가능하다.",
      "IT 안내", "원격 접속")};
  ExtractiveAnswer a = AnswerExtractively("VPN 접속은 어떻게 하나요?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_EQ(a.sentences[0].text, "VPN 접속은 사내 포털에서 OTP 인증 후 가능하다.");
}

TEST(ExtractiveTest, HeadingLineDoesNotWin) {
  FakeTermStatistics stats = HandbookStats();
  ExtractiveAnswer a = AnswerExtractively("annual leave", LeavePassages(), stats);
  ASSERT_TRUE(a.found) << a.text;
  EXPECT_NE(a.sentences[0].text, "Annual leave");
  for (const AnswerSentence& s : a.sentences) EXPECT_NE(s.text, "Annual leave");
}

TEST(ExtractiveTest, CitationsAreNumberedByFirstUseAndReused) {
  FakeTermStatistics stats({{"submit", 1.5}, {"travel", 2.0}, {"expens", 2.0}, {"receipt", 2.5}});
  std::vector<search::Passage> passages = {
      MakePassage(1, "The cafeteria opens at 8 am."),
      MakePassage(2,
                  "Travel expenses are reimbursed monthly. Receipts for travel expenses are "
                  "kept for five years."),
      MakePassage(3,
                  "Submit travel expense receipts in the finance portal within 30 days. "
                  "Travel expense receipts must be originals.")};
  ExtractiveAnswer a =
      AnswerExtractively("How do I submit travel expense receipts?", passages, stats);
  ASSERT_TRUE(a.found) << a.text;
  ASSERT_EQ(a.sentences.size(), 3u) << a.text;
  EXPECT_EQ(a.sentences[0].text,
            "Submit travel expense receipts in the finance portal within 30 days.");
  ASSERT_EQ(a.citations.size(), 2u);
  EXPECT_EQ(a.citations[0].number, 1);
  EXPECT_EQ(a.citations[0].passage.chunk_id, 3);
  EXPECT_EQ(a.citations[1].number, 2);
  EXPECT_EQ(a.citations[1].passage.chunk_id, 2);
  std::vector<int> numbers;
  for (const AnswerSentence& s : a.sentences) numbers.push_back(s.citation);
  EXPECT_EQ(numbers, (std::vector<int>{1, 1, 2}));
  EXPECT_NE(a.text.find(" [1] "), std::string::npos);
  EXPECT_EQ(a.text.substr(a.text.size() - 4), " [2]");
}

TEST(ExtractiveTest, AtMostThreeSentences) {
  FakeTermStatistics stats({{"badg", 2.0}, {"visitor", 2.0}});
  std::string text;
  for (const char* floor : {"first", "second", "third", "fourth", "fifth", "sixth"}) {
    text += std::string("Visitor badges are issued at the ") + floor + " floor desk. ";
  }
  ExtractiveAnswer a = AnswerExtractively("visitor badges", {MakePassage(1, text)}, stats);
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.sentences.size(), 3u);
  ExtractiveOptions one;
  one.max_sentences = 1;
  EXPECT_EQ(
      AnswerExtractively("visitor badges", {MakePassage(1, text)}, stats, one).sentences.size(),
      1u);
}

TEST(ExtractiveTest, AnswerStaysWithinTheCharacterBudget) {
  FakeTermStatistics stats({{"badg", 2.0}, {"visitor", 2.0}});
  std::string filler(120, 'x');
  std::string text;
  for (int i = 0; i < 4; ++i) {
    text += "Visitor badges rule " + std::to_string(i) + " says " + filler + " words. ";
  }
  ExtractiveAnswer a = AnswerExtractively("visitor badges", {MakePassage(1, text)}, stats);
  ASSERT_TRUE(a.found);
  size_t chars = 0;
  for (const AnswerSentence& s : a.sentences) chars += util::CountCodePoints(s.text);
  EXPECT_LE(chars, 400u);
  EXPECT_EQ(a.sentences.size(), 2u);  // ~150 code points each: a third would overflow
  for (const AnswerSentence& s : a.sentences) EXPECT_EQ(s.text.back(), '.');  // whole sentences
}

TEST(ExtractiveTest, AnOverlongSentenceIsCutAtACodePointBoundary) {
  FakeTermStatistics stats = HandbookStats();
  std::string text = "연차 휴가는";
  while (util::CountCodePoints(text) < 700) text += " 근속 연수에 따라 가산되며";
  text += " 최대 25일까지 주어진다.";
  ExtractiveAnswer a = AnswerExtractively("연차 휴가는 며칠?", {MakePassage(1, text)}, stats);
  ASSERT_TRUE(a.found) << a.text;
  ASSERT_EQ(a.sentences.size(), 1u);
  const std::string& s = a.sentences[0].text;
  EXPECT_TRUE(util::IsValidUtf8(s));
  EXPECT_LE(util::CountCodePoints(s), 400u);
  EXPECT_GE(util::CountCodePoints(s), 200u);
  EXPECT_EQ(s.substr(s.size() - 3), "…");
  EXPECT_TRUE(util::IsValidUtf8(a.text));
}

TEST(ExtractiveTest, ShortAnswerTakesTheSentenceThatContinuesIt) {
  FakeTermStatistics stats({{"remot", 2.0}, {"work", 0.9}, {"allow", 1.5}});
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "Remote work is allowed two days a week. It requires written approval from your team "
      "lead.\nOffice hours are 9 to 6.")};
  ExtractiveAnswer a = AnswerExtractively("Is remote work allowed?", passages, stats);
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.text,
            "Remote work is allowed two days a week. [1] It requires written approval from your "
            "team lead. [1]");
}

TEST(ExtractiveTest, ColonSentenceTakesItsList) {
  FakeTermStatistics stats({{"expens", 2.0}, {"claim", 2.0}, {"need", 1.0}});
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "Expense claims need the following:\n- the original receipt\n- the project code\n\n"
      "Meals are not covered.")};
  ExtractiveAnswer a = AnswerExtractively("What do expense claims need?", passages, stats);
  ASSERT_TRUE(a.found);
  // The list is part of the sentence that introduces it: one block, one marker.
  EXPECT_EQ(a.text,
            "Expense claims need the following: the original receipt; the project code [1]");
  ASSERT_EQ(a.sentences.size(), 3u);
  EXPECT_FALSE(a.sentences[0].item);
  EXPECT_TRUE(a.sentences[1].item);
  EXPECT_TRUE(a.sentences[2].item);
}

TEST(ExtractiveTest, ATableAnswersWithItsRowsAndTheyDoNotCountAsSentences) {
  // The table's intro has no number itself; its rows do, which is the form the question asks.
  FakeTermStatistics stats({{"연차", 2.0}, {"휴가", 1.0}});
  std::vector<search::Passage> passages = {
      MakePassage(1,
                  "연차휴가 일수는 근속 기간에 따라 다음 표와 같다.\n"
                  "근속 기간: 1년 미만 | 연차 일수: 11일\n"
                  "근속 기간: 1년 이상 | 연차 일수: 15일\n"
                  "근속 기간: 3년 이상 | 연차 일수: 16일\n"
                  "근속 기간: 5년 이상 | 연차 일수: 17일\n\n"
                  "사용하지 않은 연차는 최대 5일까지 다음 휴가 연도로 이월할 수 있다.",
                  "휴가 규정")};
  ExtractiveOptions options;
  options.max_sentences = 2;
  ExtractiveAnswer a = AnswerExtractively("연차 휴가는 며칠인가요?", passages, stats, options);
  ASSERT_TRUE(a.found);
  EXPECT_TRUE(a.text.starts_with(
      "연차휴가 일수는 근속 기간에 따라 다음 표와 같다. 근속 기간: 1년 미만 | 연차 일수: 11일; "
      "근속 기간: 1년 이상 | 연차 일수: 15일; 근속 기간: 3년 이상 | 연차 일수: 16일; 근속 기간: "
      "5년 이상 | 연차 일수: 17일 [1]"))
      << a.text;
  // Four rows and the intro, and still room for a second sentence of its own.
  EXPECT_EQ(a.sentences.size(), 6u) << a.text;
}

TEST(ExtractiveTest, ASentenceThatRefersBackBringsTheOneItRefersTo) {
  FakeTermStatistics stats;
  std::vector<search::Passage> passages = {MakePassage(
      1,
      "설훈 의원이 기자회견을 통해 의혹을 제시하였다. 이것은 대선에서 이회창 후보의 이미지에 "
      "타격을 입혀 패배에 영향을 미쳤다. 선거가 끝난 뒤 조사가 이어졌다.",
      "병풍 사건")};
  ExtractiveAnswer a = AnswerExtractively(
      "이회창 후보의 이미지에 타격을 입혀 패배에 영향을 미친 사람은?", passages, stats);
  ASSERT_TRUE(a.found);
  EXPECT_EQ(a.text,
            "설훈 의원이 기자회견을 통해 의혹을 제시하였다. [1] 이것은 대선에서 이회창 후보의 "
            "이미지에 타격을 입혀 패배에 영향을 미쳤다. [1]");
}

TEST(ExtractiveTest, OverlappingChunksDoNotRepeatASentence) {
  FakeTermStatistics stats = HandbookStats();
  const std::string shared = "New employees get 15 days of annual leave in their first year.";
  std::vector<search::Passage> passages = {
      MakePassage(1, "Leave is planned with the team. " + shared),
      MakePassage(2, shared + " New employees get annual leave days after probation.")};
  ExtractiveAnswer a =
      AnswerExtractively("How many days of annual leave do new employees get?", passages, stats);
  ASSERT_TRUE(a.found);
  size_t count = 0;
  for (const AnswerSentence& s : a.sentences) count += s.text == shared;
  EXPECT_EQ(count, 1u) << a.text;
  EXPECT_EQ(a.sentences[0].citation, 1);
  EXPECT_EQ(a.citations[0].passage.chunk_id, 1);  // the earlier passage wins the tie
}

TEST(ExtractiveTest, SameInputSameBytes) {
  FakeTermStatistics stats = HandbookStats();
  for (const char* q :
       {"How many days of annual leave do new employees get?", "연차휴가는 며칠인가요?", "leave"}) {
    std::vector<search::Passage> passages = LeavePassages();
    passages.push_back(MakePassage(31,
                                   "연차 휴가는 입사 1년 후 15일이 주어진다. 연차 휴가 신청은 "
                                   "사내 포털에서 한다."));
    ExtractiveAnswer a = AnswerExtractively(q, passages, stats);
    ExtractiveAnswer b = AnswerExtractively(q, passages, stats);
    EXPECT_EQ(a.found, b.found);
    EXPECT_EQ(a.text, b.text);
    ASSERT_EQ(a.citations.size(), b.citations.size());
    for (size_t i = 0; i < a.citations.size(); ++i) {
      EXPECT_EQ(a.citations[i].passage.chunk_id, b.citations[i].passage.chunk_id);
    }
  }
}

TEST(ExtractiveTest, NoPassagesOrNoQuestionIsARefusal) {
  FakeTermStatistics stats = HandbookStats();
  EXPECT_EQ(AnswerExtractively("How many days of leave?", {}, stats).text, kNotFoundEn);
  EXPECT_EQ(AnswerExtractively("연차는 며칠인가요?", {}, stats).text, kNotFoundKo);
  EXPECT_FALSE(AnswerExtractively("", LeavePassages(), stats).found);
  EXPECT_FALSE(AnswerExtractively("What is it?", LeavePassages(), stats).found);
  EXPECT_FALSE(AnswerExtractively("leave", {MakePassage(1, "")}, stats).found);
  EXPECT_FALSE(AnswerExtractively(std::string("le\xff\xfe"), LeavePassages(), stats).found);
}

// Generated questions and passages from a fixed seed: whatever comes in, the answer is
// valid UTF-8, within its budget, numbered in order, or the plain refusal.
TEST(ExtractiveTest, ArbitraryInputKeepsTheInvariants) {
  const std::vector<std::string> pieces = {
      "연차", "휴가는", "15일",   " ",      " ",    "\n", "\n\n", ".",    "?",        ":",
      "- ",   "| ",     "leave ", "Annual", "days", "G1", "2.3",  "\xff", "\xe3\x80", "이",
      "다.",  "Q: ",    "It ",    "다만 ",  "회사", "ㅋ", "é",    "…",    "(",        "1,000"};
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  auto make = [&](size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += pieces[next() % pieces.size()];
    return out;
  };
  FakeTermStatistics stats = HandbookStats();
  ExtractiveOptions options;
  options.min_coverage = 0.3;  // let more of the noise through to the builder
  int found = 0;
  for (int round = 0; round < 300; ++round) {
    std::string question = make(1 + next() % 8);
    std::vector<search::Passage> passages;
    for (size_t p = next() % 4; p > 0; --p) {
      passages.push_back(
          MakePassage(static_cast<int64_t>(p), make(next() % 120), make(2), make(3)));
    }
    ExtractiveAnswer a = AnswerExtractively(question, passages, stats, options);
    ASSERT_TRUE(util::IsValidUtf8(a.text)) << round;
    if (!a.found) {
      EXPECT_TRUE(a.sentences.empty());
      continue;
    }
    ++found;
    EXPECT_LE(a.sentences.size(), 3u);
    size_t chars = 0;
    for (const AnswerSentence& s : a.sentences) {
      EXPECT_TRUE(util::IsValidUtf8(s.text));
      chars += util::CountCodePoints(s.text);
      EXPECT_GE(s.citation, 1);
      EXPECT_LE(s.citation, static_cast<int>(a.citations.size()));
    }
    EXPECT_LE(chars, 400u) << round;
    for (size_t i = 0; i < a.citations.size(); ++i) {
      EXPECT_EQ(a.citations[i].number, static_cast<int>(i) + 1);
    }
  }
  EXPECT_GT(found, 20);  // the invariants were exercised, not only refusals
}

TEST(ExtractiveTest, NotFoundMessageFollowsTheQuestionsLanguage) {
  EXPECT_EQ(NotFoundMessage("How many days?"), kNotFoundEn);
  EXPECT_EQ(NotFoundMessage("연차는 며칠?"), kNotFoundKo);
  EXPECT_EQ(NotFoundMessage("VPN 설정"), kNotFoundKo);
  EXPECT_EQ(NotFoundMessage("ㅇㅇ"), kNotFoundKo);
  EXPECT_EQ(NotFoundMessage(""), kNotFoundEn);
}

}  // namespace
}  // namespace docent::rag
