// Question analysis: which words of a question carry content, how Korean endings are
// trimmed, and how each word's forms and weight come out of the index analyzer.
#include "docent/rag/question_terms.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "docent/rag/question_lexicon.h"
#include "rag/fake_term_statistics.h"

namespace docent::rag {
namespace {

using testing::FakeTermStatistics;

std::vector<std::string> Surfaces(const QuestionTerms& q) {
  std::vector<std::string> out;
  for (const QuestionWord& w : q.words) out.push_back(w.surface);
  return out;
}

TEST(QuestionTermsTest, EnglishQuestionWordsCarryNoContent) {
  for (std::string_view w :
       {"What", "how", "MANY", "does", "Is", "long", "I", "my", "What's", "don't", "can’t"}) {
    EXPECT_TRUE(IsContentFreeToken(w)) << w;
  }
  for (std::string_view w : {"leave", "days", "employees", "company's", "VPN"}) {
    EXPECT_FALSE(IsContentFreeToken(w)) << w;
  }
}

TEST(QuestionTermsTest, KoreanInterrogativesWithTheirEndings) {
  for (std::string_view w :
       {"무엇인가요", "언제부터", "어디에서", "누구에게", "어떻게", "며칠인가요", "얼마나", "몇",
        "왜", "뭐예요", "무슨", "어느", "수", "알려주세요"}) {
    EXPECT_TRUE(IsContentFreeToken(w)) << w;
  }
  for (std::string_view w : {"왜곡된", "휴가", "연차휴가는", "회사", "몇몇사례에서는"}) {
    EXPECT_FALSE(IsContentFreeToken(w)) << w;
  }
}

TEST(QuestionTermsTest, TrimsKoreanQuestionEndings) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"신청하나요", "신청"},
      {"있나요", ""},
      {"필요한가요", "필요"},
      {"있습니까", ""},
      {"필요합니까", "필요"},
      {"받을까요", ""},
      {"휴가인가요", "휴가"},
      {"지급되나요", "지급"},
      {"주어지나요", "주어지"},
      {"정책이에요", "정책"},
      {"가능한가요", "가능"},
      {"연차휴가는", "연차휴가는"},
      {"휴가요", "휴가요"},
      {"ISO27001인가요", "ISO27001"},
      {"회사", "회사"},
      {"변경할까요", "변경"},
      {"되나요", ""},
      // The written style: -는가, -었는가, -했나, -한가.
      {"주장했는가", "주장"},
      {"있는가", ""},
      {"되었는가", ""},
      {"기록했나", "기록"},
      {"받았나", ""},
      {"불가능한가", "불가능"},
      {"지휘하였는가", "지휘"},
      {"전문가", "전문가"},
      {"재미있나요", "재미있"},
      {"의미있습니까", "의미있"},
  };
  for (const Case& c : cases) EXPECT_EQ(TrimQuestionEnding(c.in), c.out) << c.in;
}

TEST(QuestionTermsTest, EnglishQuestionKeepsItsContentStems) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("How many days of annual leave do new employees get?", stats);
  EXPECT_EQ(Surfaces(q),
            (std::vector<std::string>{"day", "annual", "leav", "new", "employe", "get"}));
  EXPECT_DOUBLE_EQ(q.total_weight, 5 * 4.0 + kFrameWeight * 4.0);  // "get" is a frame word
  EXPECT_TRUE(q.wants_quantity);
}

TEST(QuestionTermsTest, KoreanWordIsOneWordWithBigramForms) {
  FakeTermStatistics stats({{"연차", 2.0}, {"차휴", 3.0}, {"휴가", 1.0}});
  QuestionTerms q = AnalyzeQuestion("연차휴가는 며칠인가요?", stats);
  ASSERT_EQ(q.words.size(), 1u);
  const QuestionWord& w = q.words[0];
  EXPECT_EQ(w.surface, "연차휴가는");
  ASSERT_EQ(w.forms.size(), 1u);  // 는 is unambiguous: only the stripped 연차휴가
  EXPECT_EQ(w.forms[0].terms, (std::vector<std::string>{"연차", "차휴", "휴가"}));
  EXPECT_DOUBLE_EQ(w.weight, 2.0);  // the mean of its bigrams' IDF
}

TEST(QuestionTermsTest, AmbiguousEndingKeepsBothForms) {
  FakeTermStatistics stats({{"회사", 0.2}, {"사가", 3.0}});
  QuestionTerms q = AnalyzeQuestion("회사가 제공하는 것", stats);
  ASSERT_GE(q.words.size(), 1u);
  const QuestionWord& w = q.words[0];
  ASSERT_EQ(w.forms.size(), 2u);  // 회사 (가 stripped) and 회사가 (가 part of the noun)
  EXPECT_EQ(w.forms[0].terms, (std::vector<std::string>{"회사"}));
  EXPECT_EQ(w.forms[1].terms, (std::vector<std::string>{"회사", "사가"}));
  // Its weight is its cheapest reading's: a common noun stays a common noun.
  EXPECT_DOUBLE_EQ(w.weight, 0.2);
}

TEST(QuestionTermsTest, PredicateAndCounterWordsAreDropped) {
  FakeTermStatistics stats;
  EXPECT_EQ(Surfaces(AnalyzeQuestion("직원은 몇 명인가요?", stats)),
            (std::vector<std::string>{"직원은"}));
  EXPECT_EQ(Surfaces(AnalyzeQuestion("연차를 이월할 수 있나요?", stats)),
            (std::vector<std::string>{"연차를", "이월할"}));
  EXPECT_EQ(Surfaces(AnalyzeQuestion("출장비는 어떻게 신청하나요?", stats)),
            (std::vector<std::string>{"출장비는", "신청"}));
}

TEST(QuestionTermsTest, MixedAndRepeatedWords) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("Is ISO27001 audit leave, leaves or LEAVE?", stats);
  EXPECT_EQ(Surfaces(q), (std::vector<std::string>{"iso27001", "audit", "leav"}));
  ASSERT_EQ(q.words[0].forms.size(), 2u);
  EXPECT_EQ(q.words[0].forms[1].terms, (std::vector<std::string>{"iso", "27001"}));
  EXPECT_EQ(Surfaces(AnalyzeQuestion("VPN 접속은 어떻게 하나요?", stats)),
            (std::vector<std::string>{"vpn", "접속은"}));
}

TEST(QuestionTermsTest, KoreanPredicateStemMatchesItsConjugations) {
  FakeTermStatistics stats({{"잠기", 2.0}});
  QuestionTerms q = AnalyzeQuestion("화면은 자동으로 잠기나요?", stats);
  ASSERT_EQ(Surfaces(q), (std::vector<std::string>{"화면은", "자동으로", "잠기"}));
  const QuestionWord& verb = q.words[2];
  ASSERT_EQ(verb.forms.size(), 5u);  // 잠기, 잠긴, 잠길, 잠깁, and the past 잠겼
  EXPECT_EQ(verb.forms[1].terms, (std::vector<std::string>{"잠긴"}));
  EXPECT_EQ(verb.forms[4].terms, (std::vector<std::string>{"잠겼"}));
  EXPECT_DOUBLE_EQ(verb.weight, 2.0);
  EXPECT_DOUBLE_EQ(verb.rank_weight, kPredicateWeight * 2.0);
  // A connective ending marks a predicate too; a copula ending leaves a noun.
  EXPECT_EQ(Surfaces(AnalyzeQuestion("12시간이 지나면 끊기나요?", stats)),
            (std::vector<std::string>{"12시간", "지나", "끊기"}));
  QuestionTerms noun = AnalyzeQuestion("반차는 오후까지인가요?", stats);
  ASSERT_EQ(noun.words.size(), 2u);
  EXPECT_EQ(noun.words[1].forms[0].terms, (std::vector<std::string>{"오후"}));
}

TEST(QuestionTermsTest, FrameWordsAndCountersCountLittleOrNothing) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("What is the minimum password length?", stats);
  ASSERT_EQ(Surfaces(q), (std::vector<std::string>{"minimum", "password", "length"}));
  EXPECT_DOUBLE_EQ(q.words[0].weight, kFrameWeight * 4.0);
  EXPECT_DOUBLE_EQ(q.words[1].weight, 4.0);
  ASSERT_EQ(q.words[0].forms.size(), 3u);
  EXPECT_EQ(q.words[0].forms[1].terms, (std::vector<std::string>{"least"}));
  EXPECT_EQ(Surfaces(AnalyzeQuestion("오후 반차는 몇 시부터 몇 시까지인가요?", stats)),
            (std::vector<std::string>{"오후", "반차는"}));
  EXPECT_EQ(Surfaces(AnalyzeQuestion("VPN 세션은 몇 시간 후에 끊기나요?", stats)),
            (std::vector<std::string>{"vpn", "세션은", "끊기"}));
}

TEST(QuestionTermsTest, NumberWordsAlsoMatchDigitsAndDigitsMarkIdentifiers) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("five days for G1 on firmware 2.3", stats);
  ASSERT_EQ(Surfaces(q), (std::vector<std::string>{"five", "day", "g1", "firmwar", "2.3"}));
  ASSERT_EQ(q.words[0].forms.size(), 2u);
  EXPECT_EQ(q.words[0].forms[1].terms, (std::vector<std::string>{"5"}));
  EXPECT_FALSE(q.words[0].identifier);
  EXPECT_TRUE(q.words[2].identifier);
  EXPECT_EQ(q.words[2].forms.size(), 1u);  // no fallback to the lone "1"
  EXPECT_TRUE(q.words[4].identifier);
}

TEST(QuestionTermsTest, InterrogativesTellTheFormOfTheAnswer) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("연차는 언제까지 써야 하나요?", stats);
  EXPECT_TRUE(q.wants_quantity);
  EXPECT_EQ(q.answer_particles, (std::vector<std::string>{"까지"}));
  EXPECT_FALSE(AnalyzeQuestion("Who approves leave?", stats).wants_quantity);
  EXPECT_TRUE(AnalyzeQuestion("Who approves leave?", stats).wants_name);
  EXPECT_TRUE(AnalyzeQuestion("How long is the probation?", stats).wants_quantity);
  EXPECT_TRUE(AnalyzeQuestion("In what year was it built?", stats).wants_date);
  EXPECT_TRUE(AnalyzeQuestion("Where was Tesla born?", stats).asked_tokens.contains("tesla"));
}

TEST(QuestionTermsTest, PastTenseStemsAndRelativeClauses) {
  // The past contracts into an open syllable (hand-derived: ㅣ+ㅓ -> ㅕ, ㅗ+ㅏ -> ㅘ, 하 -> 했).
  EXPECT_EQ(ConjugatedStems(U"다치").back(), U"다쳤");
  EXPECT_EQ(ConjugatedStems(U"맞서").back(), U"맞섰");
  EXPECT_EQ(ConjugatedStems(U"보").back(), U"봤");
  EXPECT_EQ(ConjugatedStems(U"기록하").back(), U"기록했");
  EXPECT_EQ(ConjugatedStems(U"받").size(), 1u);  // a closed syllable takes -았 apart
  EXPECT_EQ(StemOfAdnominal(U"맞선").stem, U"맞서");
  EXPECT_EQ(StemOfAdnominal(U"쳐낸").stem, U"쳐내");
  const AdnominalStem light = StemOfAdnominal(U"집필한");
  EXPECT_EQ(light.stem, U"집필");
  EXPECT_TRUE(light.light_verb);
  EXPECT_TRUE(StemOfAdnominal(U"사건은").stem.empty());  // a noun with its topic particle
  EXPECT_TRUE(StemOfAdnominal(U"연차휴가는").stem.empty());
  EXPECT_TRUE(StemOfAdnominal(U"휴가").stem.empty());

  // 맞선, which no chunk holds, in the middle of a question is also read as the verb the
  // document states, 맞섰다; a noun that ends in ㄴ and is indexed (자산) is not.
  FakeTermStatistics stats;
  stats.PresentOnly({"최익", "익현", "맞섰", "상대", "자산", "규모"});
  QuestionTerms nouns = AnalyzeQuestion("총 자산 규모는?", stats);
  for (const QuestionWord& w : nouns.words) EXPECT_EQ(w.forms.size(), 1u) << w.surface;
  QuestionTerms q = AnalyzeQuestion("최익현과 맞선 상대는?", stats);
  ASSERT_GE(q.words.size(), 2u);
  const QuestionWord& verb = q.words[1];
  EXPECT_TRUE(std::any_of(verb.forms.begin(), verb.forms.end(), [](const WordForm& f) {
    return f.terms == std::vector<std::string>{"맞섰"};
  }));
}

TEST(QuestionTermsTest, AnswerTypeNounsCloseTheQuestion) {
  FakeTermStatistics stats;
  // 곳 is dropped; 연도 counts as a frame word; the same noun elsewhere counts in full.
  EXPECT_EQ(Surfaces(AnalyzeQuestion("나폴레옹이 선택한 곳은?", stats)),
            (std::vector<std::string>{"나폴레옹이", "선택한"}));
  QuestionTerms q = AnalyzeQuestion("아파트가 세워진 연도는?", stats);
  ASSERT_EQ(q.words.size(), 3u);
  EXPECT_DOUBLE_EQ(q.words[2].weight, kFrameWeight * 4.0);
  EXPECT_TRUE(q.wants_date);
  QuestionTerms mid = AnalyzeQuestion("연도는 어떻게 표기하나요?", stats);
  ASSERT_FALSE(mid.words.empty());
  EXPECT_DOUBLE_EQ(mid.words[0].weight, 4.0);
}

TEST(QuestionTermsTest, NumbersWithUnitsNeedOnlyTheirNumber) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("2011년 8월경 무역수지는?", stats);
  ASSERT_GE(q.words.size(), 2u);
  const QuestionWord& month = q.words[1];
  EXPECT_TRUE(month.identifier);
  EXPECT_EQ(month.number_terms, (std::vector<std::vector<std::string>>{{"8"}}));
  EXPECT_TRUE(std::any_of(month.forms.begin(), month.forms.end(), [](const WordForm& f) {
    return f.terms == std::vector<std::string>{"8월"};
  }));
  // Separators between digits also read as the runs apart ("2·26 사건" is indexed 2, 26).
  QuestionTerms incident = AnalyzeQuestion("2.26사건 이후", stats);
  ASSERT_FALSE(incident.words.empty());
  EXPECT_EQ(incident.words[0].number_terms,
            (std::vector<std::vector<std::string>>{{"2.26"}, {"2", "26"}}));
  // A Hangul name with a digit inside is covered through its parts, not demanded whole.
  QuestionTerms name = AnalyzeQuestion("개포주공1단지아파트가 세워진 해는?", stats);
  ASSERT_FALSE(name.words.empty());
  EXPECT_FALSE(name.words[0].identifier);
  EXPECT_GE(name.words[0].forms.size(), 2u);
  // Only a one-syllable unit joins the number as a form: 3개월 gives no "3개".
  QuestionTerms months = AnalyzeQuestion("3개월 수습 기간", stats);
  ASSERT_FALSE(months.words.empty());
  EXPECT_TRUE(months.words[0].identifier);
  for (const WordForm& f : months.words[0].forms) {
    EXPECT_NE(f.terms, std::vector<std::string>{"3개"});
  }
  // Digits then Latin letters are a code, demanded whole, not the number 2.
  QuestionTerms code = AnalyzeQuestion("Is 2fa required?", stats);
  ASSERT_FALSE(code.words.empty());
  EXPECT_TRUE(code.words[0].identifier);
  EXPECT_TRUE(code.words[0].number_terms.empty());
  // The question's numbers are remembered by their digits, particles or not.
  EXPECT_TRUE(AnalyzeQuestion("1998년에 누가 우승했나?", stats).asked_numbers.contains("1998"));
  // A bound is no identifier: another bound answers "above 300 euros".
  QuestionTerms bound = AnalyzeQuestion("Who approves a request above 300 euros?", stats);
  const auto it = std::find_if(bound.words.begin(), bound.words.end(),
                               [](const QuestionWord& w) { return w.surface == "300"; });
  ASSERT_NE(it, bound.words.end());
  EXPECT_FALSE(it->identifier);
}

TEST(QuestionTermsTest, EnglishNumberWordsMatchTheirDigits) {
  // The stems are the analyzer's own: "twelve" -> twelv, "forty" -> forti.
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("twelve or forty days", stats);
  ASSERT_GE(q.words.size(), 2u);
  EXPECT_EQ(q.words[0].forms.back().terms, (std::vector<std::string>{"12"}));
  EXPECT_EQ(q.words[1].forms.back().terms, (std::vector<std::string>{"40"}));
  EXPECT_TRUE(IsEnglishNumberWord("hundred"));
  EXPECT_FALSE(IsEnglishNumberWord("hundreds of"));
}

TEST(QuestionTermsTest, IrregularPastFormsMatchTheirBase) {
  FakeTermStatistics stats;
  QuestionTerms q = AnalyzeQuestion("How long are receipts kept?", stats);
  ASSERT_EQ(Surfaces(q), (std::vector<std::string>{"receipt", "kept"}));
  EXPECT_EQ(q.words[1].forms.back().terms, (std::vector<std::string>{"keep"}));
}

TEST(QuestionTermsTest, AnUnknownWordOneEditFromAnIndexedOneIsATypo) {
  // 영햐 is indexed nowhere, 영향 is: the final consonant slipped.
  FakeTermStatistics stats({{"영향", 2.5}});
  stats.PresentOnly({"영향", "미치", "accomplish", "goal"});
  QuestionTerms q = AnalyzeQuestion("큰 영햐을 미친 분은?", stats);
  const auto typo = std::find_if(q.words.begin(), q.words.end(),
                                 [](const QuestionWord& w) { return w.surface == "영햐을"; });
  ASSERT_NE(typo, q.words.end());
  EXPECT_FALSE(typo->unknown);
  EXPECT_TRUE(typo->corrected);
  EXPECT_EQ(typo->forms.back().terms, (std::vector<std::string>{"영향"}));
  EXPECT_DOUBLE_EQ(typo->weight, 2.5);  // weighs as the word it stands for

  QuestionTerms english = AnalyzeQuestion("How to accomlish the goal?", stats);
  ASSERT_FALSE(english.words.empty());
  EXPECT_TRUE(english.words[0].corrected);
  EXPECT_EQ(english.words[0].forms.back().terms, (std::vector<std::string>{"accomplish"}));
  EXPECT_FALSE(english.has_unknown_word);

  // Two syllables are one bigram: only the final consonant may differ (생일 is not 행일).
  FakeTermStatistics small;
  small.PresentOnly({"행일", "대표", "표이", "이사"});
  QuestionTerms birthday = AnalyzeQuestion("대표이사 생일은 언제인가요?", small);
  EXPECT_TRUE(birthday.has_unknown_word);

  // Truly absent words stay unknown.
  FakeTermStatistics closed;
  closed.PresentOnly({"leav"});
  EXPECT_TRUE(AnalyzeQuestion("How many stock options vest?", closed).has_unknown_word);
}

TEST(QuestionTermsTest, NothingLeftMeansNoWords) {
  FakeTermStatistics stats;
  EXPECT_TRUE(AnalyzeQuestion("What is it?", stats).words.empty());
  EXPECT_TRUE(AnalyzeQuestion("무엇인가요?", stats).words.empty());
  EXPECT_TRUE(AnalyzeQuestion("", stats).words.empty());
  EXPECT_TRUE(AnalyzeQuestion("  ???  ", stats).words.empty());
}

TEST(QuestionTermsTest, HangulBigrams) {
  EXPECT_EQ(HangulBigrams(U"연차휴가"), (std::vector<std::string>{"연차", "차휴", "휴가"}));
  EXPECT_EQ(HangulBigrams(U"책"), (std::vector<std::string>{"책"}));
  EXPECT_TRUE(HangulBigrams(U"").empty());
}

}  // namespace
}  // namespace docent::rag
