#include "docent/search/bm25_search.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace docent::search {
namespace {

class Bm25SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  void Put(const std::string& source, const std::string& title,
           const std::vector<std::string>& bodies, const std::string& heading = "") {
    store::DocumentToPut d;
    d.source = source;
    d.title = title;
    d.format = "txt";
    d.content_hash = source + std::to_string(bodies.size());
    for (const auto& b : bodies) {
      text::Chunk c;
      c.text = b;
      c.heading_path = heading;
      d.chunked.chunks.push_back(c);
    }
    ASSERT_TRUE(store_->PutDocument(d).ok());
  }

  std::vector<std::string> Sources(const std::string& q, int k = 10) {
    SearchOptions o;
    o.k = k;
    auto r = SearchBm25(*store_, docent::store::kDefaultWorkspaceId, q, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& p : *r) out.push_back(p.doc_path);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(Bm25SearchTest, RanksTheRarerMatchFirst) {
  Put("a", "Notes", {"The office opens at nine. The office has a kitchen."});
  Put("b", "Notes", {"The office VPN requires multi-factor authentication."});
  Put("c", "Notes", {"Lunch is at noon."});
  auto s = Sources("VPN office");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "b");
}

TEST_F(Bm25SearchTest, TitleOutweighsBody) {
  Put("body", "General notes", {"Expenses are mentioned once here among other words and topics."});
  Put("title", "Expenses", {"Claims go through the portal along with other words and topics."});
  auto s = Sources("expenses");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "title");
}

TEST_F(Bm25SearchTest, TiesBreakByChunkIdAndRepeatIdentically) {
  for (int i = 0; i < 5; ++i)
    Put("d" + std::to_string(i), "Same", {"identical passage about badges"});
  auto first = Sources("badges");
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(first, (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4"}));
  EXPECT_EQ(Sources("badges"), first);
  EXPECT_EQ(Sources("badges", 2), (std::vector<std::string>{"d0", "d1"}));
}

TEST_F(Bm25SearchTest, KoreanParticlesAndMixedTokens) {
  Put("ko", "휴가 규정", {"연차 휴가는 입사 1년 후 15일이 주어진다."});
  Put("iso", "Security", {"We are certified to ISO27001 since 2024년 3월."});
  EXPECT_EQ(Sources("연차휴가를 며칠"), std::vector<std::string>{"ko"});
  EXPECT_EQ(Sources("iso27001"), std::vector<std::string>{"iso"});
  // "1년" shares the counter 년, so the other passage may follow, but the exact token leads.
  auto year = Sources("2024년");
  ASSERT_FALSE(year.empty());
  EXPECT_EQ(year[0], "iso");
}

TEST_F(Bm25SearchTest, QueriesWithoutTermsOrWithQuotesAreSafe) {
  Put("a", "Notes", {"quoted \"words\" here"});
  EXPECT_TRUE(Sources("the of and").empty());
  EXPECT_TRUE(Sources("   ").empty());
  EXPECT_EQ(Sources("\"words\" AND OR NEAR("), std::vector<std::string>{"a"});
}

TEST(MatchExpressionTest, QuotesAndOrsTerms) {
  EXPECT_EQ(MatchExpression({"a", "b\"c"}), "\"a\" OR \"b\"\"c\"");
  EXPECT_EQ(MatchExpression({}), "");
}

}  // namespace
}  // namespace docent::search
