// Workspace isolation, the property store.h promises: a search, the term statistics and an
// extractive answer inside workspace `hr` of a store that also holds `fin` are exactly what a
// store holding `hr` alone gives, after the same writes in the same order. "Exactly" is bit for
// bit: scores are compared with ==. The reference store's results are computed independently
// of the multi-workspace code paths: it ranks through FTS5's own bm25() (a store holding one
// workspace may), and once more through its own term index.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/text/analyzer.h"
#include "support/temp_dir.h"

namespace docent::search {
namespace {

// Shared words, and words only each team uses: document frequencies differ per workspace,
// so shared statistics would show in the scores.
const char* const kShared[] = {"policy", "leave", "the", "report", "회사", "정책이", "2024년에"};
const char* const kHrOnly[] = {"annual", "vacation", "연차휴가는", "휴가", "parental", "sick"};
const char* const kFinOnly[] = {"budget", "forecast", "출장비", "revenue", "ebitda", "감사"};

std::string Words(std::mt19937_64& rng, bool hr, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (!s.empty()) s += ' ';
    const uint64_t r = rng() % 10;
    if (r < 4) {
      s += kShared[rng() % std::size(kShared)];
    } else if (hr) {
      s += kHrOnly[rng() % std::size(kHrOnly)];
    } else {
      s += kFinOnly[rng() % std::size(kFinOnly)];
    }
  }
  return s;
}

store::DocumentToPut RandomDoc(std::mt19937_64& rng, int64_t ws, bool hr, const std::string& src) {
  store::DocumentToPut d;
  d.workspace_id = ws;
  d.source = src;
  d.title = Words(rng, hr, 2);
  d.format = "txt";
  d.content_hash = src + "#" + std::to_string(rng());
  const int chunks = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < chunks; ++i) {
    text::Chunk c;
    c.text = Words(rng, hr, 4 + static_cast<int>(rng() % 30));
    if (rng() % 2) c.heading_path = Words(rng, hr, 2);
    c.char_end = static_cast<uint32_t>(c.text.size());
    d.chunked.full_text += c.text + "\n\n";
    d.chunked.chunks.push_back(std::move(c));
  }
  return d;
}

// One write, replayed on both stores.
struct Op {
  bool hr = true;
  bool remove = false;
  store::DocumentToPut doc;  // for a put
  std::string source;        // for a remove
};

// A comparable view of a result list: everything but the ids, which differ between stores.
struct Hit {
  std::string source, location, text;
  double score;
  bool operator==(const Hit& o) const {
    return source == o.source && location == o.location && text == o.text &&
           std::memcmp(&score, &o.score, sizeof score) == 0;
  }
};

std::vector<Hit> Hits(store::Store& store, int64_t ws, const std::string& q, IndexUse use) {
  SearchOptions o = SearchOptions::TopK(10);
  o.index = use;
  auto r = SearchBm25(store, ws, q, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<Hit> out;
  if (r.ok()) {
    for (const Passage& p : *r) out.push_back({p.doc_path, p.location, p.text, p.score});
  }
  return out;
}

class WorkspaceIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = store::Store::Open(dir_a_.path());
    auto b = store::Store::Open(dir_b_.path());
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = std::move(*a);
    b_ = std::move(*b);
    auto hr = a_->CreateWorkspace("hr");
    auto fin = a_->CreateWorkspace("fin");
    auto hr_b = b_->CreateWorkspace("hr");
    ASSERT_TRUE(hr.ok() && fin.ok() && hr_b.ok());
    hr_ = hr->id;
    fin_ = fin->id;
    hr_b_ = hr_b->id;
  }

  // Applies `op` to store A, and to B when it is hr's.
  void Apply(const Op& op) {
    for (store::Store* s : {a_.get(), b_.get()}) {
      if (s == b_.get() && !op.hr) continue;
      const int64_t ws = s == b_.get() ? hr_b_ : (op.hr ? hr_ : fin_);
      if (op.remove) {
        auto doc = s->FindBySource(ws, op.source);
        ASSERT_TRUE(doc.ok() && doc->has_value());
        ASSERT_TRUE(s->RemoveDocument((*doc)->id, ws).ok());
      } else {
        store::DocumentToPut d = op.doc;
        d.workspace_id = ws;
        ASSERT_TRUE(s->PutDocument(d).ok());
      }
    }
  }

  // Interleaved writes to both teams: adds, replacements and removals.
  void RandomHistory(std::mt19937_64& rng, int steps) {
    std::vector<std::string> live[2];
    for (int i = 0; i < steps; ++i) {
      Op op;
      op.hr = rng() % 2 == 0;
      std::vector<std::string>& mine = live[op.hr ? 0 : 1];
      const uint64_t kind = rng() % 10;
      if (kind < 2 && !mine.empty()) {
        const size_t at = rng() % mine.size();
        op.remove = true;
        op.source = mine[at];
        mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(at));
      } else {
        std::string src;
        if (kind < 4 && !mine.empty()) {
          src = mine[rng() % mine.size()];  // a replacement
        } else {
          src = "/docs/" + std::to_string(i) + ".txt";
          mine.push_back(src);
        }
        op.doc = RandomDoc(rng, 0, op.hr, src);
      }
      Apply(op);
      if (HasFatalFailure()) return;
    }
  }

  std::vector<std::string> Queries(std::mt19937_64& rng, int n) {
    std::vector<std::string> qs;
    for (int i = 0; i < n; ++i) {
      const bool hr = rng() % 2 == 0;
      qs.push_back(Words(rng, hr, 1 + static_cast<int>(rng() % 4)));
    }
    return qs;
  }

  testing::TempDir dir_a_, dir_b_;
  std::unique_ptr<store::Store> a_, b_;
  int64_t hr_ = 0, fin_ = 0, hr_b_ = 0;
};

TEST_F(WorkspaceIsolationTest, SearchesEqualThoseOfAStoreHoldingTheWorkspaceAlone) {
  std::mt19937_64 rng(7);
  // Part of the history before any index exists, part after (the indexes then follow the
  // writes incrementally), then a fresh Store object over A (indexes built from scratch).
  RandomHistory(rng, 60);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<std::string> queries = Queries(rng, 200);
  auto compare = [&](const char* when) {
    for (const std::string& q : queries) {
      // B holds hr alone, so FTS5's whole-table statistics are hr's: an independent reference.
      const std::vector<Hit> want = Hits(*b_, hr_b_, q, IndexUse::kFts5);
      ASSERT_EQ(Hits(*b_, hr_b_, q, IndexUse::kBuild), want) << when << ": " << q;
      ASSERT_EQ(Hits(*a_, hr_, q, IndexUse::kBuild), want) << when << ": " << q;
      // Asked to rank in FTS5, A still may not: its statistics would be the whole store's.
      ASSERT_EQ(Hits(*a_, hr_, q, IndexUse::kFts5), want) << when << ": " << q;
    }
  };
  compare("first build");
  RandomHistory(rng, 60);
  ASSERT_FALSE(HasFatalFailure());
  compare("after incremental updates");
  a_.reset();
  auto reopened = store::Store::Open(dir_a_.path());
  ASSERT_TRUE(reopened.ok());
  a_ = std::move(*reopened);
  compare("after a rebuild");
  EXPECT_TRUE(a_->CheckIntegrity().ok());
}

TEST_F(WorkspaceIsolationTest, AnotherTeamsDocumentsDoNotMoveTheScores) {
  std::mt19937_64 rng(11);
  RandomHistory(rng, 40);
  ASSERT_FALSE(HasFatalFailure());
  const std::string q = "policy leave report";
  const std::vector<Hit> before = Hits(*a_, hr_, q, IndexUse::kBuild);
  ASSERT_FALSE(before.empty());
  // fin fills up with the very words of the query: with shared statistics hr's scores would
  // fall (the words get commoner), which would tell hr what fin holds.
  for (int i = 0; i < 30; ++i) {
    store::DocumentToPut d = RandomDoc(rng, fin_, false, "/probe/" + std::to_string(i));
    d.chunked.chunks[0].text = "policy leave report policy leave report";
    ASSERT_TRUE(a_->PutDocument(d).ok());
  }
  EXPECT_EQ(Hits(*a_, hr_, q, IndexUse::kBuild), before);
  EXPECT_EQ(Hits(*a_, hr_, q, IndexUse::kFts5), before);
}

TEST_F(WorkspaceIsolationTest, TermStatisticsAndExtractiveAnswersAreTheWorkspaces) {
  std::mt19937_64 rng(23);
  RandomHistory(rng, 50);
  ASSERT_FALSE(HasFatalFailure());
  std::vector<std::string> terms;
  std::vector<const char*> words(std::begin(kShared), std::end(kShared));
  words.insert(words.end(), std::begin(kHrOnly), std::end(kHrOnly));
  words.insert(words.end(), std::begin(kFinOnly), std::end(kFinOnly));
  for (const char* w : words) {
    for (const text::Term& t : text::AnalyzeToVector(w, text::AnalyzeMode::kQuery))
      terms.push_back(t.text);
  }
  auto check = [&](const char* when) {
    rag::StoreTermStatistics want(*b_, hr_b_);
    rag::StoreTermStatistics got(*a_, hr_);
    EXPECT_EQ(got.MaxIdf(), want.MaxIdf()) << when;
    for (const std::string& t : terms) {
      EXPECT_EQ(got.Idf(t), want.Idf(t)) << when << ": " << t;
      EXPECT_EQ(got.Known(t), want.Known(t)) << when << ": " << t;
    }
  };
  check("without term indexes (FTS5 counts)");
  ASSERT_TRUE(a_->WarmAllTermIndexes().ok());
  ASSERT_TRUE(b_->WarmAllTermIndexes().ok());
  check("with term indexes");

  // A question about something only fin's documents mention is refused in hr, as it is in a
  // store that never held fin's documents.
  for (const std::string q : {"what is the ebitda forecast", "출장비 budget policy"}) {
    auto passages_a = SearchBm25(*a_, hr_, q, SearchOptions::TopK(8));
    auto passages_b = SearchBm25(*b_, hr_b_, q, SearchOptions::TopK(8));
    ASSERT_TRUE(passages_a.ok() && passages_b.ok());
    rag::StoreTermStatistics stats_a(*a_, hr_), stats_b(*b_, hr_b_);
    const rag::ExtractiveAnswer got = rag::AnswerExtractively(q, *passages_a, stats_a);
    const rag::ExtractiveAnswer want = rag::AnswerExtractively(q, *passages_b, stats_b);
    EXPECT_EQ(got.found, want.found) << q;
    EXPECT_EQ(got.text, want.text) << q;
    EXPECT_FALSE(got.found) << q;
    auto in_fin = SearchBm25(*a_, fin_, q, SearchOptions::TopK(8));
    ASSERT_TRUE(in_fin.ok());
    EXPECT_FALSE(in_fin->empty()) << "fin itself holds " << q;
  }
}

TEST_F(WorkspaceIsolationTest, ARemovedWorkspaceIsGoneAndItsNameCanBeReused) {
  std::mt19937_64 rng(5);
  RandomHistory(rng, 30);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(a_->WarmAllTermIndexes().ok());
  auto fin_docs = a_->ListDocuments(fin_);
  ASSERT_TRUE(fin_docs.ok());
  auto removed = a_->RemoveWorkspace("fin");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, static_cast<int64_t>(fin_docs->size()));
  EXPECT_EQ(SearchBm25(*a_, fin_, "budget").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(a_->CheckIntegrity().ok());
  auto again = a_->CreateWorkspace("fin");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->id, fin_);  // ids are never reused
  EXPECT_EQ(again->documents, 0);
  auto hits = SearchBm25(*a_, again->id, "budget forecast revenue");
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  // hr is untouched.
  for (const std::string& q : Queries(rng, 50)) {
    EXPECT_EQ(Hits(*a_, hr_, q, IndexUse::kBuild), Hits(*b_, hr_b_, q, IndexUse::kFts5)) << q;
  }
}

}  // namespace
}  // namespace docent::search
