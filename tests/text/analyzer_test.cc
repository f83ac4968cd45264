// Analyzer tests: golden cases from analyzer_cases.tsv, then offsets, positions and the
// properties retrieval relies on (queries and documents agree; nothing crashes on bad bytes).
#include "docent/text/analyzer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "docent/text/normalize.h"

namespace docent::text {
namespace {

// Terms joined by spaces; a colocated term is written "[term]".
std::string Render(std::string_view text, AnalyzeMode mode = AnalyzeMode::kDocument) {
  std::string out;
  for (const Term& t : AnalyzeToVector(text, mode)) {
    if (!out.empty()) out += ' ';
    out += t.colocated ? "[" + t.text + "]" : t.text;
  }
  return out;
}

struct Case {
  int line;
  std::string input;
  std::string expected;
};

std::vector<Case> LoadCases() {
  std::ifstream in(std::string(DOCENT_SOURCE_DIR) + "/tests/text/analyzer_cases.tsv");
  std::vector<Case> cases;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      ADD_FAILURE() << "analyzer_cases.tsv:" << n << ": no tab";
      continue;
    }
    cases.push_back({n, line.substr(0, tab), line.substr(tab + 1)});
  }
  return cases;
}

TEST(AnalyzerTest, GoldenCases) {
  std::vector<Case> cases = LoadCases();
  ASSERT_GE(cases.size(), 40u);
  for (const Case& c : cases) {
    EXPECT_EQ(Render(c.input), c.expected) << "analyzer_cases.tsv:" << c.line << ": " << c.input;
  }
}

TEST(AnalyzerTest, QueryModeGivesTheSameTerms) {
  for (const Case& c : LoadCases()) {
    EXPECT_EQ(Render(c.input, AnalyzeMode::kQuery), Render(c.input)) << c.input;
  }
}

TEST(AnalyzerTest, BigramOffsetsCoverTheirSyllables) {
  const std::string text = "휴가 신청은 회사에서";
  std::vector<Term> terms = AnalyzeToVector(text, AnalyzeMode::kDocument);
  ASSERT_FALSE(terms.empty());
  // Every Korean term here is a substring of the input: its span must read back as itself.
  for (const Term& t : terms) {
    ASSERT_LE(t.end, text.size());
    EXPECT_EQ(text.substr(t.begin, t.end - t.begin), t.text);
  }
  // "신청은": bigram 신청 at bytes [7, 13), 청은 at [10, 16), eojeol 신청 at [7, 13).
  EXPECT_EQ(terms[2].text, "신청");
  EXPECT_EQ(terms[2].begin, 7u);
  EXPECT_EQ(terms[2].end, 13u);
  EXPECT_EQ(terms[3].text, "신청");
  EXPECT_TRUE(terms[3].colocated);
  EXPECT_EQ(terms[4].text, "청은");
  EXPECT_EQ(terms[4].begin, 10u);
  EXPECT_EQ(terms[4].end, 16u);
}

TEST(AnalyzerTest, OffsetsOfFoldedAndMixedTokens) {
  const std::string text = "See ISO27001, don't 1,000 v2.3";
  std::vector<Term> t = AnalyzeToVector(text, AnalyzeMode::kDocument);
  // see | iso27001 [iso] [27001] | dont | 1000 | v2.3 [2.3]
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t[0].text, "see");
  EXPECT_EQ(text.substr(t[0].begin, t[0].end - t[0].begin), "See");
  EXPECT_EQ(text.substr(t[1].begin, t[1].end - t[1].begin), "ISO27001");
  EXPECT_EQ(text.substr(t[2].begin, t[2].end - t[2].begin), "ISO");
  EXPECT_EQ(text.substr(t[3].begin, t[3].end - t[3].begin), "27001");
  EXPECT_EQ(t[4].text, "dont");
  EXPECT_EQ(text.substr(t[4].begin, t[4].end - t[4].begin), "don't");
  EXPECT_EQ(t[5].text, "1000");
  EXPECT_EQ(text.substr(t[5].begin, t[5].end - t[5].begin), "1,000");
  EXPECT_EQ(t[7].text, "2.3");
  EXPECT_EQ(text.substr(t[7].begin, t[7].end - t[7].begin), "2.3");
}

TEST(AnalyzerTest, OffsetOfAStrippedEojeolEndsAtTheStem) {
  const std::string text = "연차휴가는";
  std::vector<Term> t = AnalyzeToVector(text, AnalyzeMode::kDocument);
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[1].text, "연차휴가");
  EXPECT_EQ(t[1].begin, 0u);
  EXPECT_EQ(t[1].end, 12u);
}

TEST(AnalyzerTest, FirstTermIsNeverColocated) {
  for (std::string_view s : {"ISO27001", "연차휴가는", "2024년", "v2.3 test"}) {
    std::vector<Term> t = AnalyzeToVector(s, AnalyzeMode::kDocument);
    ASSERT_FALSE(t.empty()) << s;
    EXPECT_FALSE(t[0].colocated) << s;
  }
}

TEST(AnalyzerTest, QueryAndDocumentShareTermsAcrossParticles) {
  // A bare query noun must find the noun followed by a particle through the eojeol term.
  auto has = [](std::string_view text, std::string_view term) {
    for (const Term& t : AnalyzeToVector(text, AnalyzeMode::kDocument)) {
      if (t.text == term) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("연차휴가는 15일입니다", "연차휴가"));
  EXPECT_TRUE(has("연차휴가", "연차휴가"));
  EXPECT_TRUE(has("집에 갑니다", "집"));
  EXPECT_TRUE(has("Windows는", "window"));
  EXPECT_TRUE(has("windows", "window"));
  EXPECT_TRUE(has("2024년에는", "2024"));
}

TEST(AnalyzerTest, InvalidBytesAndControlsSeparate) {
  EXPECT_EQ(Render(std::string("ab\xff\xfe"
                               "cd")),
            "ab cd");
  EXPECT_EQ(Render(std::string("x\0y", 3)), "x y");
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render("  ... --- !!! "), "");
}

TEST(AnalyzerTest, LongTokensAreCut) {
  std::string word(600, 'x');
  std::vector<Term> t = AnalyzeToVector(word, AnalyzeMode::kDocument);
  ASSERT_EQ(t.size(), 3u);  // 256 + 256 + 88 code points
  EXPECT_EQ(t[0].text.size(), 256u);
  EXPECT_EQ(t[2].text.size(), 88u);
  EXPECT_EQ(t[2].end, 600u);
}

TEST(AnalyzerTest, ReentrantEmitGetsItsOwnBuffers) {
  std::vector<std::string> outer;
  Analyze("연차휴가 policy", AnalyzeMode::kDocument, [&](const Term& t) {
    outer.push_back(t.text);
    (void)AnalyzeToVector("회사에서 nested", AnalyzeMode::kQuery);
  });
  EXPECT_EQ(outer,
            (std::vector<std::string>{"연차", "연차휴", "연차휴가", "차휴", "휴가", "polici"}));
}

// Prints throughput on ~10 MB of mixed Korean/English text; asserts nothing about time.
TEST(AnalyzerTest, Throughput) {
  const std::string para =
      "연차휴가는 입사일로부터 1년이 지난 직원에게 15일이 부여됩니다. Annual leave policies "
      "apply to all full-time employees after their first year of service. 회사에서 정한 "
      "절차에 따라 신청해야 하며, ISO27001 감사 기간에는 승인이 제한될 수 있습니다. "
      "Requests must be submitted 3.5 days in advance via the HR portal (v2.3).\n";
  std::string text;
  while (text.size() < 10u * 1000 * 1000) text += para;
  text = NormalizeNfc(text);
  size_t terms = 0;
  auto start = std::chrono::steady_clock::now();
  Analyze(text, AnalyzeMode::kDocument, [&](const Term&) { ++terms; });
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#ifdef NDEBUG
  const char* build = "optimised";
#else
  const char* build = "unoptimised (Debug) build";
#endif
  std::printf("[ analyzer ] %.1f MB in %.3f s: %.1f MB/s, %zu terms, %s\n", text.size() / 1e6, s,
              text.size() / 1e6 / s, terms, build);
  EXPECT_GT(terms, 0u);
}

}  // namespace
}  // namespace docent::text
