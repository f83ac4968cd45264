// The term-index ranker against two references on random mixed Korean/English corpora:
// a brute-force BM25 over every chunk (computed here from the analyzer alone), and FTS5's
// own bm25() on the same store. Top-k ids must agree exactly, scores to 1e-9.
#include "docent/search/bm25_ranker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/text/analyzer.h"
#include "support/temp_dir.h"

namespace docent::search {
namespace {

const char* const kWords[] = {
    "policy", "leave",  "annual", "vpn",    "office",   "remote",     "the",      "expense",
    "report", "travel", "laptop", "3.5",    "ISO27001", "연차휴가는", "회사에서", "보고서를",
    "출장비", "휴가",   "회사",   "정책이", "원격근무", "노트북을",   "2024년에", "API는"};

std::string RandomText(std::mt19937_64& rng, int words) {
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (!s.empty()) s += ' ';
    s += kWords[pick(rng)];
  }
  return s;
}

struct Row {
  int64_t id;
  std::string cols[3];
};

// Brute force: analyze every chunk from scratch and score it with the BM25 of fts5_aux.c.
std::vector<RankedChunk> BruteForce(const std::vector<Row>& rows,
                                    const std::vector<std::string>& terms, const Bm25Weights& w,
                                    int k) {
  const double weight[3] = {w.title, w.heading, w.body};
  std::vector<std::map<std::string, double>> freq(rows.size());
  std::vector<double> len(rows.size(), 0);
  double total = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int c = 0; c < 3; ++c) {
      bool first = true;
      for (const text::Term& t :
           text::AnalyzeToVector(rows[r].cols[c], text::AnalyzeMode::kDocument)) {
        if (first || !t.colocated) len[r] += 1;
        first = false;
        freq[r][t.text] += weight[c];
      }
    }
    total += len[r];
  }
  const double n = static_cast<double>(rows.size());
  const double avgdl = total / n;
  std::vector<RankedChunk> all;
  for (size_t r = 0; r < rows.size(); ++r) {
    double score = 0;
    bool match = false;
    for (const std::string& t : terms) {
      double hits = 0;
      for (const auto& f : freq) hits += f.count(t) ? 1 : 0;
      auto it = freq[r].find(t);
      if (it == freq[r].end()) continue;
      match = true;
      double idf = std::log((n - hits + 0.5) / (hits + 0.5));
      if (idf <= 0) idf = 1e-6;
      score += idf * (it->second * 2.2) / (it->second + 1.2 * (0.25 + 0.75 * len[r] / avgdl));
    }
    if (match) all.push_back({rows[r].id, score});
  }
  std::sort(all.begin(), all.end(), [](const RankedChunk& a, const RankedChunk& b) {
    return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
  });
  if (all.size() > static_cast<size_t>(k)) all.resize(static_cast<size_t>(k));
  return all;
}

class Bm25RankerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::Open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  void PutRandom(std::mt19937_64& rng, const std::string& source, int chunks) {
    store::DocumentToPut d;
    d.source = source;
    d.title = RandomText(rng, 3);
    d.format = "txt";
    d.content_hash = source + std::to_string(rng());
    for (int i = 0; i < chunks; ++i) {
      text::Chunk c;
      c.text = RandomText(rng, 5 + static_cast<int>(rng() % 40));
      if (rng() % 2) c.heading_path = RandomText(rng, 2);
      d.chunked.chunks.push_back(c);
    }
    auto r = store_->PutDocument(d);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::vector<Row> Rows() {
    std::lock_guard lock(store_->mutex());
    auto st = store_->db().Prepare("SELECT id, title, heading, body FROM chunks ORDER BY id");
    EXPECT_TRUE(st.ok());
    std::vector<Row> rows;
    for (;;) {
      auto row = st->Step();
      if (!row.ok() || !*row) break;
      rows.push_back({st->Int(0), {st->Text(1), st->Text(2), st->Text(3)}});
    }
    return rows;
  }

  std::vector<RankedChunk> Fts5(const std::vector<std::string>& terms, const Bm25Weights& w,
                                int k) {
    std::lock_guard lock(store_->mutex());
    auto st = store_->db().Prepare(
        "SELECT rowid, bm25(chunks_fts, ?2, ?3, ?4) AS s FROM chunks_fts WHERE chunks_fts MATCH ?1 "
        "ORDER BY s, rowid LIMIT ?5");
    EXPECT_TRUE(st.ok());
    st->Bind(1, MatchExpression(terms)).Bind(2, w.title).Bind(3, w.heading).Bind(4, w.body);
    st->Bind(5, static_cast<int64_t>(k));
    std::vector<RankedChunk> out;
    if (terms.empty()) return out;  // an empty MATCH is an FTS5 syntax error
    for (;;) {
      auto row = st->Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      out.push_back({st->Int(0), -st->Double(1)});
    }
    return out;
  }

  void ExpectSame(const std::vector<RankedChunk>& want, const std::vector<Passage>& got,
                  const std::string& what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(want[i].chunk_id, got[i].chunk_id) << what << " rank " << i;
      EXPECT_NEAR(want[i].score, got[i].score, 1e-9 * std::max(1.0, std::abs(want[i].score)))
          << what << " rank " << i;
    }
  }

  // Whether searches now rank on a current term index.
  bool IndexLive() {
    auto session = store_->Read(docent::store::kDefaultWorkspaceId, /*with_index=*/true);
    EXPECT_TRUE(session.ok());
    return session.ok() && (*session)->index() != nullptr;
  }

  void CheckQueries(std::mt19937_64& rng, int n) {
    const std::vector<Row> rows = Rows();
    for (int q = 0; q < n; ++q) {
      const std::string query = RandomText(rng, 1 + static_cast<int>(rng() % 5));
      SearchOptions o;
      o.k = 1 + static_cast<int>(rng() % 12);
      if (q % 3 == 1) o.weights = {3.0, 0.5, 1.0};
      const auto terms = QueryTerms(query);
      auto got = SearchBm25(*store_, docent::store::kDefaultWorkspaceId, query, o);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ExpectSame(BruteForce(rows, terms, o.weights, o.k), *got, "brute force: " + query);
      ExpectSame(Fts5(terms, o.weights, o.k), *got, "fts5: " + query);
      // The FTS5 ranking path, which one-shot commands take on large stores, agrees too.
      SearchOptions via_fts5 = o;
      via_fts5.index = IndexUse::kFts5;
      if (!IndexLive()) {
        auto fts = SearchBm25(*store_, docent::store::kDefaultWorkspaceId, query, via_fts5);
        ASSERT_TRUE(fts.ok());
        ExpectSame(BruteForce(rows, terms, o.weights, o.k), *fts, "fts5 path: " + query);
      }
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

// The ranker caches each thread's length norms per index. An index dropped and another built
// in its place (often at the same address, with the same generation and size) must not be
// ranked with the old one's norms: the two below differ only in their chunks' lengths.
TEST(Bm25RankerCacheTest, ARebuiltIndexIsNotRankedWithTheOldOnesNorms) {
  const std::vector<std::string> terms = QueryTerms("apple");
  std::vector<RankedChunk> first, second;
  {
    auto a = std::make_unique<store::TermIndex>();
    a->Add(a->AnalyzeChunk(1, "", "", "apple"));
    a->Add(a->AnalyzeChunk(2, "", "", "apple pear plum fig kiwi lime"));
    first = RankBm25(*a, terms, Bm25Weights{}, 2);
  }
  auto b = std::make_unique<store::TermIndex>();
  b->Add(b->AnalyzeChunk(1, "", "", "apple pear plum fig kiwi lime"));
  b->Add(b->AnalyzeChunk(2, "", "", "apple"));
  second = RankBm25(*b, terms, Bm25Weights{}, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  // The shorter chunk ranks first in each (BM25's length norm).
  EXPECT_EQ(first[0].chunk_id, 1);
  EXPECT_EQ(second[0].chunk_id, 2);
  EXPECT_EQ(first[0].score, second[0].score);
}

TEST_F(Bm25RankerTest, AgreesWithBruteForceAndFts5) {
  std::mt19937_64 rng(11);
  for (int d = 0; d < 60; ++d) PutRandom(rng, "doc" + std::to_string(d), 1 + d % 4);
  CheckQueries(rng, 150);
}

TEST_F(Bm25RankerTest, TheFts5PathGivesTheSameListBeforeTheIndexExists) {
  std::mt19937_64 rng(21);
  for (int d = 0; d < 40; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);
  const std::vector<Row> rows = Rows();
  for (int q = 0; q < 60; ++q) {
    const std::string query = RandomText(rng, 1 + static_cast<int>(rng() % 5));
    SearchOptions o;
    o.k = 1 + static_cast<int>(rng() % 12);
    o.index = IndexUse::kFts5;
    auto got = SearchBm25(*store_, docent::store::kDefaultWorkspaceId, query, o);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSame(BruteForce(rows, QueryTerms(query), o.weights, o.k), *got, "fts5 path: " + query);
  }
  EXPECT_FALSE(IndexLive()) << "kFts5 never builds the index";
}

TEST_F(Bm25RankerTest, StaysExactAcrossReplaceAndRemove) {
  std::mt19937_64 rng(5);
  for (int d = 0; d < 30; ++d) PutRandom(rng, "doc" + std::to_string(d), 3);
  CheckQueries(rng, 20);  // the term index is live from here on
  for (int d = 0; d < 30; d += 3) PutRandom(rng, "doc" + std::to_string(d), 2);  // replaced
  for (int64_t id = 2; id < 20; id += 5) ASSERT_TRUE(store_->RemoveDocument(id).ok());
  for (int d = 30; d < 40; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);
  CheckQueries(rng, 60);
}

TEST_F(Bm25RankerTest, WarmingBuildsTheIndexFromASnapshotAndStaysExact) {
  std::mt19937_64 rng(33);
  for (int d = 0; d < 30; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);
  ASSERT_TRUE(store_->WarmTermIndex(docent::store::kDefaultWorkspaceId).ok());
  ASSERT_TRUE(IndexLive());
  CheckQueries(rng, 30);
  for (int d = 30; d < 36; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);  // applied live
  ASSERT_TRUE(store_->RemoveDocument(3).ok());
  CheckQueries(rng, 30);
}

TEST_F(Bm25RankerTest, ACancelledWarmUpLeavesNoIndexAndSearchStillWorks) {
  std::mt19937_64 rng(44);
  for (int d = 0; d < 10; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);
  std::atomic<bool> cancel{true};
  EXPECT_EQ(store_->WarmTermIndex(docent::store::kDefaultWorkspaceId, &cancel).code(),
            StatusCode::kCancelled);
  EXPECT_FALSE(IndexLive());
  CheckQueries(rng, 10);  // builds the index on demand and agrees with brute force
}

TEST_F(Bm25RankerTest, SeesCommitsFromAnotherConnection) {
  std::mt19937_64 rng(9);
  for (int d = 0; d < 10; ++d) PutRandom(rng, "doc" + std::to_string(d), 2);
  CheckQueries(rng, 5);
  {
    auto other = store::Store::Open(dir_.path());
    ASSERT_TRUE(other.ok());
    store::DocumentToPut d;
    d.source = "other";
    d.title = "zebra";
    d.format = "txt";
    d.content_hash = "h";
    text::Chunk c;
    c.text = "zebra crossing";
    d.chunked.chunks.push_back(c);
    ASSERT_TRUE((*other)->PutDocument(d).ok());
  }
  auto got = SearchBm25(*store_, docent::store::kDefaultWorkspaceId, "zebra");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].doc_path, "other");
  CheckQueries(rng, 20);
}

}  // namespace
}  // namespace docent::search

namespace docent::search {
namespace {

// Regression test for the server's promise that ingestion never blocks queries: a write
// parked inside its transaction must not stop a search, which sees the state before it.
TEST(ReadDuringWriteTest, SearchesGoOnWhileADocumentIsBeingWritten) {
  testing::TempDir dir;
  auto opened = store::Store::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  store::Store& store = **opened;
  auto put = [&](const std::string& source, const std::string& text) {
    store::DocumentToPut d;
    d.source = source;
    d.title = source;
    d.format = "txt";
    d.content_hash = text;
    text::Chunk c;
    c.text = text;
    d.chunked.chunks.push_back(c);
    return store.PutDocument(d);
  };
  ASSERT_TRUE(put("old", "giraffe habitat notes").ok());
  ASSERT_EQ(SearchBm25(store, docent::store::kDefaultWorkspaceId, "giraffe")->size(),
            1u);  // the term index is live from here

  std::mutex mu;
  std::condition_variable cv;
  bool parked = false, go = false;
  store.TEST_SetBeforeCommit([&] {
    std::unique_lock lock(mu);
    parked = true;
    cv.notify_all();
    cv.wait(lock, [&] { return go; });
  });
  std::thread writer([&] { EXPECT_TRUE(put("new", "giraffe feeding schedule").ok()); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return parked; });
  }
  auto during = SearchBm25(store, docent::store::kDefaultWorkspaceId,
                           "giraffe");  // would hang here if reads waited for writes
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->size(), 1u) << "the uncommitted document is not visible";
  {
    // Answers' statistics read apart too (and, holding the term index, are let go of before
    // the write may commit).
    rag::StoreTermStatistics stats(store, docent::store::kDefaultWorkspaceId);
    auto term = [](const char* word) {
      return text::AnalyzeToVector(word, text::AnalyzeMode::kQuery).at(0).text;
    };
    EXPECT_TRUE(stats.Known(term("giraffe")));
    EXPECT_FALSE(stats.Known(term("feeding"))) << "the uncommitted document is not counted";
  }
  {
    std::lock_guard lock(mu);
    go = true;
  }
  cv.notify_all();
  writer.join();
  store.TEST_SetBeforeCommit(nullptr);
  auto after = SearchBm25(store, docent::store::kDefaultWorkspaceId, "giraffe");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 2u);
}

}  // namespace
}  // namespace docent::search
