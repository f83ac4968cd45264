// The answer cache alone: keys, values that round-trip, LRU eviction within the byte budget,
// retirement of a workspace's older versions, and a damaged entry read as a miss.
#include "docent/answer/answer_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "support/temp_dir.h"

namespace docent::answer {
namespace {

AnswerKey Key(const std::string& question, int64_t version = 1, int64_t ws = 2) {
  AnswerKey k;
  k.workspace_id = ws;
  k.workspace_version = version;
  k.question = question;
  k.generator = "extractive";
  k.k = 8;
  return k;
}

CachedAnswer Answer(const std::string& text, size_t padding = 0) {
  CachedAnswer a;
  a.pieces = {text + " [1] ", std::string(padding, 'x')};
  a.found = true;
  a.finish_reason = "stop";
  a.context_cache = "off";
  search::Passage p;
  p.chunk_id = 11;
  p.doc_id = 3;
  p.doc_title = "Leave";
  p.doc_path = "upload:leave.md";
  p.location = "p. 2";
  p.text = "Annual leave is 15 days.";
  p.char_begin = 4;
  p.char_end = 28;
  p.score = 1.25;
  a.sources.push_back({1, p});
  a.cited = {1};
  return a;
}

TEST(NormalizeQuestionTest, CollapsesWhitespaceAndComposes) {
  EXPECT_EQ(NormalizeQuestion("  a \t b\u3000c\n"), "a b c");
  EXPECT_EQ(NormalizeQuestion("e\u0301"), "\u00e9");
  EXPECT_EQ(NormalizeQuestion("\u1100\u1161"), "\uAC00");  // ᄀ + ᅡ = 가
  EXPECT_EQ(NormalizeQuestion(""), "");
}

TEST(AnswerKeyTest, EverySettingIsPartOfTheKey) {
  const AnswerKey base = Key("q");
  std::vector<AnswerKey> variants(7, base);
  variants[0].workspace_id = 3;
  variants[1].workspace_version = 2;
  variants[2].question = "q ";
  variants[3].generator = "local:abc";
  variants[4].k = 9;
  variants[5].sampling = llm::SamplingParams{};
  variants[6].sampling = llm::SamplingParams{};
  variants[6].sampling->seed = 1;
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_NE(variants[i].Text(), base.Text()) << i;
    for (size_t j = i + 1; j < variants.size(); ++j)
      EXPECT_NE(variants[i].Text(), variants[j].Text()) << i << " " << j;
  }
  // Length prefixes: a question cannot forge the fields after it.
  AnswerKey forged = base;
  forged.question = "q\ngenerator=9:extractive";
  EXPECT_NE(forged.Text(), base.Text());
}

TEST(AnswerCacheTest, RoundTripsAnAnswer) {
  testing::TempDir dir;
  auto cache = AnswerCache::Open(dir / "c.db", 1 << 20);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_FALSE((*cache)->Lookup(Key("q")).has_value());
  (*cache)->Put(Key("q"), Answer("Fifteen days."));
  auto hit = (*cache)->Lookup(Key("q"));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->pieces, Answer("Fifteen days.").pieces);
  ASSERT_EQ(hit->sources.size(), 1u);
  EXPECT_EQ(hit->sources[0].passage.doc_path, "upload:leave.md");
  EXPECT_EQ(hit->sources[0].passage.score, 1.25);
  EXPECT_EQ(hit->sources[0].passage.char_end, 28u);
  EXPECT_EQ(hit->cited, std::vector<int>{1});
  const AnswerCache::Stats s = (*cache)->stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.entries, 1u);
}

TEST(AnswerCacheTest, EvictsTheLeastRecentlyUsedToStayInItsBudget) {
  testing::TempDir dir;
  constexpr uint64_t kBudget = 16 << 10;
  auto opened = AnswerCache::Open(dir / "c.db", kBudget);
  ASSERT_TRUE(opened.ok());
  AnswerCache& cache = **opened;
  for (int i = 0; i < 40; ++i) {
    cache.Put(Key("q" + std::to_string(i)), Answer("a", 1000));
    // q0 is used after every put, so it is always the most recent.
    if (i > 0) {
      ASSERT_TRUE(cache.Lookup(Key("q0")).has_value()) << i;
    }
    EXPECT_LE(cache.stats().bytes, kBudget);
  }
  EXPECT_GT(cache.stats().evictions, 0u);
  EXPECT_TRUE(cache.Lookup(Key("q39")).has_value());
  EXPECT_FALSE(cache.Lookup(Key("q1")).has_value());
  // An answer bigger than the whole budget is not kept (and evicts nothing).
  const uint64_t entries = cache.stats().entries;
  cache.Put(Key("huge"), Answer("a", kBudget));
  EXPECT_FALSE(cache.Lookup(Key("huge")).has_value());
  EXPECT_EQ(cache.stats().entries, entries);
  // Reopened with a smaller budget, it shrinks at once.
  opened->reset();
  auto smaller = AnswerCache::Open(dir / "c.db", 4 << 10);
  ASSERT_TRUE(smaller.ok());
  EXPECT_LE((*smaller)->stats().bytes, 4u << 10);
}

TEST(AnswerCacheTest, ANewVersionRetiresTheWorkspacesOlderEntries) {
  testing::TempDir dir;
  auto opened = AnswerCache::Open(dir / "c.db", 1 << 20);
  ASSERT_TRUE(opened.ok());
  AnswerCache& cache = **opened;
  cache.Put(Key("a", 1, 2), Answer("x"));
  cache.Put(Key("b", 1, 2), Answer("x"));
  cache.Put(Key("a", 1, 5), Answer("x"));  // another workspace
  EXPECT_EQ(cache.stats().entries, 3u);
  cache.Put(Key("c", 2, 2), Answer("x"));
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_FALSE(cache.Lookup(Key("a", 1, 2)).has_value());
  EXPECT_TRUE(cache.Lookup(Key("a", 1, 5)).has_value());
  cache.DropWorkspace(5);
  EXPECT_FALSE(cache.Lookup(Key("a", 1, 5)).has_value());
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST(AnswerCacheTest, ADamagedEntryIsAMiss) {
  testing::TempDir dir;
  {
    auto cache = AnswerCache::Open(dir / "c.db", 1 << 20);
    ASSERT_TRUE(cache.ok());
    (*cache)->Put(Key("q"), Answer("x"));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "c.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE answers SET value = x'a1ff'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto cache = AnswerCache::Open(dir / "c.db", 1 << 20);
  ASSERT_TRUE(cache.ok());
  EXPECT_FALSE((*cache)->Lookup(Key("q")).has_value());
}

}  // namespace
}  // namespace docent::answer
