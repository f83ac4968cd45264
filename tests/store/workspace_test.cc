// Workspaces in the store: names, creation and removal, a source unique per workspace,
// versions that move with every write to a workspace and with nothing else, and the upgrade
// of a version-3 store (before workspaces) without re-indexing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "docent/search/bm25_search.h"
#include "docent/store/fts5_tokenizer.h"
#include "docent/store/store.h"
#include "support/temp_dir.h"

namespace docent::store {
namespace {

DocumentToPut Doc(int64_t ws, std::string source, std::string body, std::string hash) {
  DocumentToPut d;
  d.workspace_id = ws;
  d.source = std::move(source);
  d.title = "Handbook";
  d.format = "md";
  d.content_hash = std::move(hash);
  text::Chunk c;
  c.text = body;
  c.char_end = static_cast<uint32_t>(body.size());
  d.chunked.full_text = body;
  d.chunked.chunks.push_back(std::move(c));
  d.size_bytes = static_cast<int64_t>(body.size());
  return d;
}

int64_t Version(Store& s, std::string_view name) {
  auto ws = s.FindWorkspace(name);
  EXPECT_TRUE(ws.ok() && ws->has_value()) << name;
  return ws.ok() && ws->has_value() ? (*ws)->version : -1;
}

TEST(WorkspaceNameTest, FollowsTheDocumentedPattern) {
  for (const char* ok : {"default", "hr", "a", "0", "team-1_b"})
    EXPECT_TRUE(ValidWorkspaceName(ok)) << ok;
  EXPECT_TRUE(ValidWorkspaceName(std::string(64, 'x')));
  for (const char* bad : {"", "-hr", "_hr", "HR", "h r", "hr/..", "é", "hr.", "hr\n"})
    EXPECT_FALSE(ValidWorkspaceName(bad)) << bad;
  EXPECT_FALSE(ValidWorkspaceName(std::string(65, 'x')));
}

TEST(WorkspaceStoreTest, CreateListRemove) {
  testing::TempDir dir;
  auto opened = Store::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  auto list = s.ListWorkspaces();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "default");
  EXPECT_EQ((*list)[0].id, kDefaultWorkspaceId);

  EXPECT_EQ(s.CreateWorkspace("Bad Name").status().code(), StatusCode::kInvalidArgument);
  auto hr = s.CreateWorkspace("hr");
  ASSERT_TRUE(hr.ok()) << hr.status().ToString();
  EXPECT_EQ(s.CreateWorkspace("hr").status().code(), StatusCode::kAlreadyExists);
  auto ensured = s.EnsureWorkspace("hr");
  ASSERT_TRUE(ensured.ok());
  EXPECT_EQ(ensured->id, hr->id);
  auto made = s.EnsureWorkspace("fin");
  ASSERT_TRUE(made.ok());
  EXPECT_NE(made->id, hr->id);

  ASSERT_TRUE(s.PutDocument(Doc(hr->id, "/a.md", "annual leave", "h1")).ok());
  ASSERT_TRUE(s.PutDocument(Doc(hr->id, "/b.md", "sick leave", "h2")).ok());
  list = s.ListWorkspaces();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);  // by name: default, fin, hr
  EXPECT_EQ((*list)[2].name, "hr");
  EXPECT_EQ((*list)[2].documents, 2);
  EXPECT_EQ((*list)[2].chunks, 2);
  EXPECT_EQ((*list)[1].documents, 0);

  EXPECT_EQ(s.RemoveWorkspace("default").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.RemoveWorkspace("nope").status().code(), StatusCode::kNotFound);
  auto removed = s.RemoveWorkspace("hr");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  auto stats = s.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 0);
  EXPECT_EQ(stats->chunks, 0);
  EXPECT_TRUE(s.CheckIntegrity().ok());
  EXPECT_EQ(s.PutDocument(Doc(hr->id, "/c.md", "x", "h3")).status().code(), StatusCode::kNotFound);
}

TEST(WorkspaceStoreTest, ASourceIsUniqueWithinItsWorkspaceOnly) {
  testing::TempDir dir;
  auto opened = Store::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  const int64_t hr = s.CreateWorkspace("hr")->id;
  const int64_t fin = s.CreateWorkspace("fin")->id;
  int64_t id_hr = 0, id_fin = 0;
  ASSERT_EQ(*s.PutDocument(Doc(hr, "upload:policy.pdf", "hr policy text", "h1"), &id_hr),
            PutOutcome::kAdded);
  ASSERT_EQ(*s.PutDocument(Doc(fin, "upload:policy.pdf", "fin policy text", "h2"), &id_fin),
            PutOutcome::kAdded);
  EXPECT_NE(id_hr, id_fin);
  // Replacing one team's copy leaves the other's.
  ASSERT_EQ(*s.PutDocument(Doc(hr, "upload:policy.pdf", "hr policy text v2", "h3")),
            PutOutcome::kReplaced);
  auto text_fin = s.DocumentText(id_fin);
  ASSERT_TRUE(text_fin.ok());
  EXPECT_EQ(*text_fin, "fin policy text");
  auto found = s.FindBySource(fin, "upload:policy.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, id_fin);
  EXPECT_EQ((*found)->workspace, "fin");
  EXPECT_EQ((*found)->workspace_id, fin);
  auto listed = s.ListDocuments(hr);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, id_hr);
  auto all = s.ListDocuments(std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  // A document of another workspace is not found from inside this one.
  EXPECT_EQ(s.RemoveDocument(id_fin, hr).code(), StatusCode::kNotFound);
  EXPECT_TRUE(s.RemoveDocument(id_fin, fin).ok());
  EXPECT_TRUE(s.CheckIntegrity().ok());
}

TEST(WorkspaceStoreTest, AVersionMovesWithItsOwnWritesOnly) {
  testing::TempDir dir;
  auto opened = Store::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  Store& s = **opened;
  const int64_t hr = s.CreateWorkspace("hr")->id;
  const int64_t fin = s.CreateWorkspace("fin")->id;
  int64_t v_hr = Version(s, "hr"), v_fin = Version(s, "fin");
  EXPECT_NE(v_hr, v_fin);  // each creation is a write of its own

  int64_t id = 0;
  ASSERT_TRUE(s.PutDocument(Doc(hr, "/a.md", "one", "h1"), &id).ok());
  EXPECT_GT(Version(s, "hr"), v_hr);
  EXPECT_EQ(Version(s, "fin"), v_fin);
  v_hr = Version(s, "hr");

  ASSERT_EQ(*s.PutDocument(Doc(hr, "/a.md", "one", "h1")), PutOutcome::kUnchanged);
  EXPECT_EQ(Version(s, "hr"), v_hr) << "an unchanged document writes nothing";

  ASSERT_TRUE(s.BeginBatch().ok());
  ASSERT_TRUE(s.PutDocument(Doc(fin, "/x.md", "x", "hx")).ok());
  ASSERT_TRUE(s.PutDocument(Doc(fin, "/y.md", "y", "hy")).ok());
  EXPECT_EQ(Version(s, "fin"), v_fin) << "readers see the batch only once it commits";
  ASSERT_TRUE(s.CommitBatch().ok());
  EXPECT_GT(Version(s, "fin"), v_fin);
  EXPECT_EQ(Version(s, "hr"), v_hr);
  v_fin = Version(s, "fin");

  ASSERT_TRUE(s.RemoveDocument(id).ok());
  EXPECT_GT(Version(s, "hr"), v_hr);
  EXPECT_EQ(Version(s, "fin"), v_fin);

  // A workspace removed and made again never shows an old version.
  const int64_t last = std::max(Version(s, "hr"), v_fin);
  ASSERT_TRUE(s.RemoveWorkspace("fin").ok());
  auto again = s.CreateWorkspace("fin");
  ASSERT_TRUE(again.ok());
  EXPECT_GT(again->version, last);
}

// The version-3 schema, as docent wrote it before workspaces (store.cc at 00b4d62).
constexpr const char* kV3Schema = R"sql(
CREATE TABLE documents(
  id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  format TEXT NOT NULL, size_bytes INTEGER NOT NULL, content_hash TEXT NOT NULL,
  chunk_count INTEGER NOT NULL, text TEXT NOT NULL, warnings TEXT NOT NULL DEFAULT '',
  added_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE chunks(
  id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id),
  ord INTEGER NOT NULL, title TEXT NOT NULL, heading TEXT NOT NULL, body TEXT NOT NULL,
  location TEXT NOT NULL, char_begin INTEGER NOT NULL, char_end INTEGER NOT NULL,
  page_begin INTEGER NOT NULL, page_end INTEGER NOT NULL, slide_begin INTEGER NOT NULL,
  slide_end INTEGER NOT NULL, sheet TEXT NOT NULL);
CREATE INDEX chunks_by_doc ON chunks(doc_id, ord);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, heading, body, content='chunks', content_rowid='id', tokenize='docent');
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, row);
CREATE TABLE meta(id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT INTO meta(id, generation) VALUES (1, 7);
CREATE TABLE chunk_retrievals(chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id),
  count INTEGER NOT NULL);
INSERT INTO documents VALUES(5, '/docs/leave.md', 'Leave', 'md', 40, 'hash5', 2,
  'Annual leave is 15 days. Sick leave needs a note.', '', 100, 100);
INSERT INTO documents VALUES(9, '/docs/travel.md', 'Travel', 'md', 30, 'hash9', 1,
  'Hotels cost at most 150 USD.', 'a warning', 200, 300);
INSERT INTO chunks VALUES(11, 5, 0, 'Leave', '', 'Annual leave is 15 days.', '', 0, 24, 0, 0, 0, 0, '');
INSERT INTO chunks VALUES(12, 5, 1, 'Leave', '', 'Sick leave needs a note.', '', 25, 49, 0, 0, 0, 0, '');
INSERT INTO chunks VALUES(20, 9, 0, 'Travel', '', 'Hotels cost at most 150 USD.', '', 0, 28, 0, 0, 0, 0, '');
INSERT INTO chunks_fts(rowid, title, heading, body) SELECT id, title, heading, body FROM chunks;
INSERT INTO chunk_retrievals VALUES(12, 3);
PRAGMA user_version=3;
)sql";

TEST(WorkspaceMigrationTest, AVersion3StoreMovesToTheDefaultWorkspaceWithItsIds) {
  testing::TempDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "docent.db").c_str(), &db), SQLITE_OK);
    ASSERT_TRUE(RegisterDocentTokenizer(db).ok());
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, kV3Schema, nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_close(db);
  }
  for (int open = 0; open < 2; ++open) {  // the second open finds nothing to do
    auto opened = Store::Open(dir.path());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Store& s = **opened;
    auto docs = s.ListDocuments(kDefaultWorkspaceId);
    ASSERT_TRUE(docs.ok());
    ASSERT_EQ(docs->size(), 2u);
    EXPECT_EQ((*docs)[0].id, 5);
    EXPECT_EQ((*docs)[0].source, "/docs/leave.md");
    EXPECT_EQ((*docs)[0].workspace, "default");
    EXPECT_EQ((*docs)[1].id, 9);
    EXPECT_EQ((*docs)[1].warnings, std::vector<std::string>{"a warning"});
    EXPECT_EQ((*docs)[1].updated_at, 300);
    EXPECT_TRUE(s.CheckIntegrity().ok()) << s.CheckIntegrity().ToString();
    auto hits = search::SearchBm25(s, kDefaultWorkspaceId, "sick leave");
    ASSERT_TRUE(hits.ok());
    ASSERT_FALSE(hits->empty());
    EXPECT_EQ((*hits)[0].chunk_id, 12);
    EXPECT_EQ((*hits)[0].doc_id, 5);
    auto passages = search::ListPassages(s);  // retrieval counts kept: chunk 12 first
    ASSERT_TRUE(passages.ok());
    ASSERT_EQ(passages->size(), 3u + static_cast<size_t>(open));  // + the hr copy
    EXPECT_EQ((*passages)[0].chunk_id, 12);
    EXPECT_EQ((*passages)[0].workspace_id, kDefaultWorkspaceId);
    EXPECT_EQ(Version(s, "default"), 7) << "the default workspace starts at the store's generation";
    // The old global UNIQUE(source) is gone: another workspace may hold the same source.
    auto hr = s.EnsureWorkspace("hr");
    ASSERT_TRUE(hr.ok());
    if (open == 0) {
      ASSERT_EQ(*s.PutDocument(Doc(hr->id, "/docs/leave.md", "hr copy", "x")), PutOutcome::kAdded);
    }
    auto all = s.ListDocuments(std::nullopt);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 3u);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "docent.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 5);  // then on to the current schema
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace docent::store
