#include "docent/store/store.h"

#include <gtest/gtest.h>

#include <atomic>

#include "docent/search/bm25_search.h"
#include "support/temp_dir.h"

namespace docent::store {
namespace {

text::Chunk MakeChunk(std::string body, std::string heading = "") {
  text::Chunk c;
  c.char_end = static_cast<uint32_t>(body.size());
  c.text = std::move(body);
  c.heading_path = std::move(heading);
  return c;
}

DocumentToPut MakeDoc(std::string source, std::vector<std::string> bodies, std::string hash) {
  DocumentToPut d;
  d.source = std::move(source);
  d.title = "Handbook";
  d.format = "md";
  d.content_hash = std::move(hash);
  for (auto& b : bodies) {
    d.chunked.full_text += b + "\n\n";
    d.chunked.chunks.push_back(MakeChunk(std::move(b)));
  }
  d.size_bytes = static_cast<int64_t>(d.chunked.full_text.size());
  return d;
}

std::vector<std::string> Bodies(Store& store, const std::string& query) {
  auto r = search::SearchBm25(store, docent::store::kDefaultWorkspaceId, query);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (r.ok()) {
    for (const auto& p : *r) out.push_back(p.text);
  }
  return out;
}

TEST(StoreTest, ABatchIsOneCommitThatReadersSeeOnlyWhole) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  ASSERT_TRUE(s.BeginBatch().ok());
  EXPECT_EQ(s.BeginBatch().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*s.PutDocument(MakeDoc("/a.md", {"Annual leave is 15 days."}, "h1")),
            PutOutcome::kAdded);
  EXPECT_EQ(*s.PutDocument(MakeDoc("/b.md", {"Parking is free."}, "h2")), PutOutcome::kAdded);
  // The same source again in the batch is recognised (the writer sees its own rows).
  EXPECT_EQ(*s.PutDocument(MakeDoc("/a.md", {"ignored"}, "h1")), PutOutcome::kUnchanged);
  EXPECT_EQ(s.RemoveDocument(1).code(), StatusCode::kFailedPrecondition);
  auto before = s.Stats();  // a read session: not yet
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->documents, 0);
  EXPECT_TRUE(Bodies(s, "parking").empty());
  ASSERT_TRUE(s.CommitBatch().ok());
  EXPECT_EQ(s.Stats()->documents, 2);
  EXPECT_EQ(Bodies(s, "parking"), std::vector<std::string>{"Parking is free."});
  EXPECT_EQ(s.CommitBatch().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

TEST(StoreTest, AFailedWriteInABatchStoresNothingOfIt) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  ASSERT_TRUE(s.BeginBatch().ok());
  ASSERT_TRUE(s.PutDocument(MakeDoc("/a.md", {"Annual leave is 15 days."}, "h1")).ok());
  std::atomic<bool> stop{true};  // a write that fails half-way, as a full disk would
  DocumentToPut failing = MakeDoc("/b.md", {"Parking is free."}, "h2");
  failing.cancel = &stop;
  EXPECT_FALSE(s.PutDocument(failing).ok());
  EXPECT_FALSE(s.PutDocument(MakeDoc("/c.md", {"Lunch is at noon."}, "h3")).ok())
      << "the batch is poisoned";
  const Status committed = s.CommitBatch();
  EXPECT_FALSE(committed.ok());
  EXPECT_NE(committed.message().find("nothing of it was stored"), std::string::npos)
      << committed.ToString();
  EXPECT_EQ(s.Stats()->documents, 0);
  EXPECT_TRUE(s.CheckIntegrity().ok());
  // The store goes on: the next batch commits.
  ASSERT_TRUE(s.BeginBatch().ok());
  ASSERT_TRUE(s.PutDocument(MakeDoc("/a.md", {"Annual leave is 15 days."}, "h1")).ok());
  ASSERT_TRUE(s.CommitBatch().ok());
  EXPECT_EQ(s.Stats()->documents, 1);
}

TEST(StoreTest, ACancelledPutRollsBackAndKeepsTheOldVersion) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  ASSERT_TRUE(s.PutDocument(MakeDoc("/a.md", {"Annual leave is 15 days."}, "h1")).ok());
  std::atomic<bool> cancel{true};
  DocumentToPut replacement = MakeDoc("/a.md", {"Sick leave needs a note."}, "h2");
  replacement.cancel = &cancel;
  auto put = s.PutDocument(replacement);
  EXPECT_EQ(put.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(Bodies(s, "annual leave").size(), 1u) << "the old version is still whole";
  EXPECT_TRUE(Bodies(s, "sick").empty());
  auto info = s.FindBySource(docent::store::kDefaultWorkspaceId, "/a.md");
  ASSERT_TRUE(info.ok() && *info);
  EXPECT_EQ((*info)->content_hash, "h1");
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

TEST(StoreTest, AddReplaceUnchangedAndRemove) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;

  int64_t id = 0;
  auto added =
      s.PutDocument(MakeDoc("/a.md", {"Annual leave is 15 days.", "Parking is free."}, "h1"), &id);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, PutOutcome::kAdded);
  EXPECT_EQ(Bodies(s, "annual leave").size(), 1u);

  auto same = s.PutDocument(MakeDoc("/a.md", {"ignored because the hash matches"}, "h1"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, PutOutcome::kUnchanged);
  EXPECT_TRUE(Bodies(s, "ignored").empty());

  auto replaced = s.PutDocument(MakeDoc("/a.md", {"Sick leave needs a note."}, "h2"));
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(*replaced, PutOutcome::kReplaced);
  EXPECT_TRUE(Bodies(s, "annual").empty());  // old chunks are gone from the index
  EXPECT_EQ(Bodies(s, "sick"), std::vector<std::string>{"Sick leave needs a note."});
  auto info = s.FindById(id);
  ASSERT_TRUE(info.ok() && *info);
  EXPECT_EQ((*info)->chunk_count, 1);
  EXPECT_EQ((*info)->content_hash, "h2");
  EXPECT_TRUE(s.CheckIntegrity().ok());

  EXPECT_TRUE(s.RemoveDocument(id).ok());
  EXPECT_TRUE(Bodies(s, "sick").empty());
  EXPECT_EQ(s.RemoveDocument(id).code(), StatusCode::kNotFound);
  auto stats = s.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 0);
  EXPECT_EQ(stats->chunks, 0);
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

TEST(StoreTest, SurvivesReopen) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutDocument(MakeDoc("/k.md", {"연차 휴가는 15일이다."}, "k")).ok());
  }
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(Bodies(**store, "연차휴가는").size(), 1u);
  auto docs = (*store)->ListDocuments(docent::store::kDefaultWorkspaceId);
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].source, "/k.md");
  auto text = (*store)->DocumentText((*docs)[0].id);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "연차 휴가는 15일이다.\n\n");
}

TEST(StoreTest, RefusesANewerSchema) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->db().Exec("PRAGMA user_version=99").ok());
  }
  auto store = Store::Open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
}

// Store::NoteRetrieved's counts order ListPassages (warm's order), survive a reopen, wait in
// memory while an ingest batch holds the writer, and go with a replaced document's chunks.
TEST(StoreTest, RetrievalCountsOrderThePassagesAndGoWithTheirChunks) {
  testing::TempDir dir;
  auto order = [](Store& s) {
    std::vector<std::pair<std::string, double>> out;
    auto all = search::ListPassages(s);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    if (all.ok()) {
      for (const auto& p : *all) out.emplace_back(p.text, p.score);
    }
    return out;
  };
  std::vector<int64_t> ids;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    ASSERT_TRUE(s.PutDocument(MakeDoc("/a.md", {"alpha one", "alpha two"}, "a")).ok());
    ASSERT_TRUE(s.PutDocument(MakeDoc("/b.md", {"beta one", "beta two"}, "b")).ok());
    using P = std::vector<std::pair<std::string, double>>;
    EXPECT_EQ(order(s), (P{{"alpha one", 0}, {"alpha two", 0}, {"beta one", 0}, {"beta two", 0}}));
    auto all = search::ListPassages(s);
    ASSERT_TRUE(all.ok());
    for (const auto& p : *all) ids.push_back(p.chunk_id);
    // beta two three times, beta one once, a chunk id that does not exist twice.
    const int64_t notes[] = {ids[3], ids[2], ids[3], 999999, ids[3], 999999};
    s.NoteRetrieved(notes);
    // An open ingest batch holds the writer: the counts wait.
    ASSERT_TRUE(s.BeginBatch().ok());
    EXPECT_TRUE(s.FlushRetrievals().ok());
    ASSERT_TRUE(s.CommitBatch().ok());
    EXPECT_EQ(order(s)[0].second, 0) << "written inside the batch";
    ASSERT_TRUE(s.FlushRetrievals().ok());
    EXPECT_EQ(order(s), (P{{"beta two", 3}, {"beta one", 1}, {"alpha one", 0}, {"alpha two", 0}}));
    const int64_t more[] = {ids[0]};
    s.NoteRetrieved(more);  // written when the store closes
  }
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  using P = std::vector<std::pair<std::string, double>>;
  // Equal counts go by document, then chunk.
  EXPECT_EQ(order(s), (P{{"beta two", 3}, {"alpha one", 1}, {"beta one", 1}, {"alpha two", 0}}));
  // A changed document's new chunks start from zero; no count row outlives its chunk.
  ASSERT_TRUE(s.PutDocument(MakeDoc("/b.md", {"beta one", "beta three"}, "b2")).ok());
  EXPECT_EQ(order(s), (P{{"alpha one", 1}, {"alpha two", 0}, {"beta one", 0}, {"beta three", 0}}));
  auto rows = s.db().Prepare("SELECT count(*) FROM chunk_retrievals");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Int(0), 1);
  // Notes beyond kRetrievalFlushEvery are written without a close.
  std::vector<int64_t> many(Store::kRetrievalFlushEvery, ids[1]);
  s.NoteRetrieved(many);
  EXPECT_EQ(order(s)[0], (std::pair<std::string, double>{
                             "alpha two", static_cast<double>(Store::kRetrievalFlushEvery)}));
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

// Uploads that replace the same documents with new words leave dead slots and unused terms in
// the term index; past a fraction of the live part the writer swaps in a compacted copy. Its
// searches are exactly those of an index built afresh from the same chunks (a second store
// on the same data), and its dead part stays bounded.
TEST(StoreTest, ChurnCompactsTheTermIndexWithTheSameResults) {
  testing::TempDir dir;
  StoreOptions fast;
  fast.durable = false;
  auto store = Store::Open(dir.path(), fast);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  auto body = [](int doc, int round) {
    return "common policy words " + std::to_string(doc % 7) + " unique" + std::to_string(doc) +
           "r" + std::to_string(round) + " round" + std::to_string(round);
  };
  constexpr int kDocs = 200;
  for (int round = 0; round < 24; ++round) {
    ASSERT_TRUE(s.BeginBatch().ok());
    for (int doc = 0; doc < kDocs; ++doc) {
      const std::string src = "/d" + std::to_string(doc) + ".md";
      ASSERT_TRUE(
          s.PutDocument(MakeDoc(src, {body(doc, round)}, "h" + std::to_string(round))).ok());
    }
    ASSERT_TRUE(s.CommitBatch().ok());
    if (round == 0) {
      ASSERT_TRUE(s.WarmTermIndex(docent::store::kDefaultWorkspaceId).ok());
    }
  }
  const Store::IndexMemory m = s.TermIndexMemory();
  EXPECT_GE(m.compactions, 1u);
  EXPECT_LT(m.dead_slots, 1024u + kDocs);  // 23 x 200 dead slots came; compaction took them
  EXPECT_GT(m.bytes, 0u);

  auto fresh = Store::Open(dir.path(), fast);
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->WarmTermIndex(docent::store::kDefaultWorkspaceId).ok());
  EXPECT_EQ((*fresh)->TermIndexMemory().dead_slots, 0u);
  for (const char* q : {"common policy", "unique5r23", "words unique17r23 round23", "3"}) {
    auto a = search::SearchBm25(s, docent::store::kDefaultWorkspaceId, q,
                                search::SearchOptions::TopK(20));
    auto b = search::SearchBm25(**fresh, docent::store::kDefaultWorkspaceId, q,
                                search::SearchOptions::TopK(20));
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size()) << q;
    ASSERT_FALSE(a->empty()) << q;
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].chunk_id, (*b)[i].chunk_id) << q << " " << i;
      EXPECT_EQ((*a)[i].score, (*b)[i].score) << q << " " << i;
    }
  }
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

TEST(StoreTest, GarbageDatabaseIsAnErrorNotACrash) {
  testing::TempDir dir;
  dir.Write("docent.db", std::string(4096, 'x'));
  auto store = Store::Open(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("docent.db"), std::string::npos)
      << store.status().ToString();
}

TEST(ContentHashTest, IsStableHex) {
  EXPECT_EQ(ContentHash("abc").size(), 32u);
  EXPECT_EQ(ContentHash("abc"), ContentHash("abc"));
  EXPECT_NE(ContentHash("abc"), ContentHash("abd"));
}

}  // namespace
}  // namespace docent::store
