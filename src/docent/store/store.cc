// Store: schema, document writes (atomic per document) and reads.
#include "docent/store/store.h"

#include <xxhash.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "docent/store/fts5_tokenizer.h"

namespace docent::store {
namespace {

// 2: the meta table's generation, which every write bumps (see ReadSession).
// 3: chunk_retrievals (see Store::NoteRetrieved).
// 4: workspaces; documents.workspace_id, and a source is unique within its workspace.
// 5: embedding_model and chunk_embeddings (store_embeddings.cc).
constexpr int kSchemaVersion = 5;
// FTS5's 'automerge' for chunks_fts; see Store::TuneFts.
constexpr int kFtsAutomerge = 8;

// AUTOINCREMENT: a removed workspace's id is never given to a new one, so nothing keyed on an
// id (an answer cache entry, a term index) can be mistaken for the new workspace's.
constexpr const char* kWorkspacesTable = R"sql(
CREATE TABLE IF NOT EXISTS workspaces(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  version INTEGER NOT NULL
);
INSERT OR IGNORE INTO workspaces(id, name, created_at, version)
  VALUES (1, 'default', CAST(strftime('%s', 'now') AS INTEGER), 0);
)sql";

// The documents table from version 4 on; `%s` is its name (the migration builds it beside
// the old one). The UNIQUE constraint's index also serves every per-workspace listing.
constexpr const char* kDocumentsTable = R"sql(
CREATE TABLE IF NOT EXISTS %s(
  id INTEGER PRIMARY KEY,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  chunk_count INTEGER NOT NULL,
  text TEXT NOT NULL,
  warnings TEXT NOT NULL DEFAULT '',
  added_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE(workspace_id, source)
);
)sql";

// Titles weigh most and headings more than body text; see search/bm25_search.cc for how
// the weights are applied.
constexpr const char* kOtherTables = R"sql(
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY,
  doc_id INTEGER NOT NULL REFERENCES documents(id),
  ord INTEGER NOT NULL,
  title TEXT NOT NULL,
  heading TEXT NOT NULL,
  body TEXT NOT NULL,
  location TEXT NOT NULL,
  char_begin INTEGER NOT NULL,
  char_end INTEGER NOT NULL,
  page_begin INTEGER NOT NULL,
  page_end INTEGER NOT NULL,
  slide_begin INTEGER NOT NULL,
  slide_end INTEGER NOT NULL,
  sheet TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, ord);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  title, heading, body, content='chunks', content_rowid='id', tokenize='docent');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, row);
CREATE TABLE IF NOT EXISTS meta(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta(id, generation) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS chunk_retrievals(
  chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id),
  count INTEGER NOT NULL
);
)sql";

// Vectors as little-endian float32 blobs; AUTOINCREMENT so that an id is never reused (an
// in-memory index keyed on it would otherwise take a new vector for a removed one).
constexpr const char* kEmbeddingTables = R"sql(
CREATE TABLE IF NOT EXISTS embedding_model(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  set_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunk_embeddings(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chunk_id INTEGER NOT NULL REFERENCES chunks(id),
  fingerprint TEXT NOT NULL,
  vector BLOB NOT NULL,
  UNIQUE(chunk_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS chunk_embeddings_by_model ON chunk_embeddings(fingerprint, chunk_id);
)sql";

std::string DocumentsTable(const char* name) {
  std::string sql = kDocumentsTable;
  sql.replace(sql.find("%s"), 2, name);
  return sql;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& line : v) {
    if (!s.empty()) s += '\n';
    s += line;
  }
  return s;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

constexpr const char* kDocumentColumns =
    "id, source, title, format, size_bytes, content_hash, chunk_count, added_at, updated_at, "
    "warnings, workspace_id, (SELECT name FROM workspaces w WHERE w.id = workspace_id)";

DocumentInfo ReadDocument(const Stmt& st) {
  DocumentInfo d;
  d.id = st.Int(0);
  d.source = st.Text(1);
  d.title = st.Text(2);
  d.format = st.Text(3);
  d.size_bytes = st.Int(4);
  d.content_hash = st.Text(5);
  d.chunk_count = st.Int(6);
  d.added_at = st.Int(7);
  d.updated_at = st.Int(8);
  d.warnings = SplitLines(st.Text(9));
  d.workspace_id = st.Int(10);
  d.workspace = st.Text(11);
  return d;
}

constexpr const char* kWorkspaceColumns =
    "w.id, w.name, w.created_at, w.version, "
    "(SELECT count(*) FROM documents d WHERE d.workspace_id = w.id), "
    "(SELECT coalesce(sum(chunk_count), 0) FROM documents d WHERE d.workspace_id = w.id), "
    "(SELECT coalesce(sum(size_bytes), 0) FROM documents d WHERE d.workspace_id = w.id)";

WorkspaceInfo ReadWorkspace(const Stmt& st) {
  WorkspaceInfo w;
  w.id = st.Int(0);
  w.name = st.Text(1);
  w.created_at = st.Int(2);
  w.version = st.Int(3);
  w.documents = st.Int(4);
  w.chunks = st.Int(5);
  w.bytes = st.Int(6);
  return w;
}

}  // namespace

bool ValidWorkspaceName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!lower_or_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

Status CheckWorkspaceName(std::string_view name) {
  if (ValidWorkspaceName(name)) return Status::Ok();
  return InvalidArgument("bad workspace name \"" + std::string(name) +
                         "\": use 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or "
                         "digit");
}

std::string ContentHash(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

std::filesystem::path Store::DefaultDataDir() {
  if (const char* d = std::getenv("DOCENT_DATA"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
    return std::filesystem::path(x) / "docent";
  if (const char* h = std::getenv("HOME"); h && *h) {
    return std::filesystem::path(h) / ".local" / "share" / "docent";
  }
  return ".docent";
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& data_dir,
                                           const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return IOError("cannot create data directory " + data_dir.string() + ": " + ec.message());
  const std::filesystem::path db_path = data_dir / "docent.db";
  DOCENT_ASSIGN_OR_RETURN(Db db, Db::Open(db_path));
  // A file that is not a database (or a damaged one) fails at the first statement; name it.
  auto prepare = [&]() -> Status {
    DOCENT_RETURN_IF_ERROR(RegisterDocentTokenizer(db.raw()));
    // WAL lets readers go on while one writer commits; synchronous=FULL makes each commit
    // durable before it is acknowledged (a per-document fsync is cheap next to extraction).
    DOCENT_RETURN_IF_ERROR(db.Exec(options.durable
                                       ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"));
    // The writer's page cache holds a whole ingest batch (store.h, BeginBatch): with the
    // default 2 MB, FTS5's segment writes spill dirty pages to the WAL mid-transaction and
    // write them again at the commit. Pages are allocated only as they are used.
    DOCENT_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-65536;"));
    return db.Exec("PRAGMA foreign_keys=ON;");
  };
  DOCENT_RETURN_IF_ERROR(prepare().WithContext(db_path.string()));
  std::unique_ptr<Store> store(new Store(data_dir, std::move(db)));
  DOCENT_RETURN_IF_ERROR(store->Migrate().WithContext(db_path.string()));
  return store;
}

Status Store::Migrate() {
  DOCENT_ASSIGN_OR_RETURN(Stmt v, db_.Prepare("PRAGMA user_version"));
  DOCENT_ASSIGN_OR_RETURN(bool row, v.Step());
  int64_t version = row ? v.Int(0) : 0;
  v = Stmt();
  if (version > kSchemaVersion) {
    return FailedPrecondition("database schema version " + std::to_string(version) +
                              " is newer than this docent (" + std::to_string(kSchemaVersion) +
                              ")");
  }
  if (version == kSchemaVersion) return TuneFts();
  if (version > 0 && version < 4) DOCENT_RETURN_IF_ERROR(MigrateToWorkspaces());
  if (version > 0) {
    // 4 -> 5: new tables only.
    Transaction tx(db_);
    DOCENT_RETURN_IF_ERROR(tx.Begin());
    DOCENT_RETURN_IF_ERROR(db_.Exec(kEmbeddingTables));
    DOCENT_RETURN_IF_ERROR(db_.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)));
    DOCENT_RETURN_IF_ERROR(tx.Commit());
    return TuneFts();
  }
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_RETURN_IF_ERROR(db_.Exec(kWorkspacesTable));
  DOCENT_RETURN_IF_ERROR(db_.Exec(DocumentsTable("documents")));
  DOCENT_RETURN_IF_ERROR(db_.Exec(kOtherTables));
  DOCENT_RETURN_IF_ERROR(db_.Exec(kEmbeddingTables));
  DOCENT_RETURN_IF_ERROR(db_.Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)));
  DOCENT_RETURN_IF_ERROR(tx.Commit());
  return TuneFts();
}

Status Store::MigrateToWorkspaces() {
  // Every document moves to the default workspace with its id, so chunks, their FTS5 rows
  // and KV entries stay valid and nothing is indexed again. The documents table is rebuilt
  // (SQLite's way to change a constraint): a copy beside the old one, the old one dropped,
  // the copy renamed, all in one transaction, so a crash leaves the old store as it was.
  // Foreign keys are off meanwhile (dropping the old table would otherwise check the chunks
  // against it); the pragma does nothing inside a transaction, so it brackets it.
  DOCENT_RETURN_IF_ERROR(db_.Exec("PRAGMA foreign_keys=OFF;"));
  Status migrated = [&]() -> Status {
    Transaction tx(db_);
    DOCENT_RETURN_IF_ERROR(tx.Begin());
    // First what versions 1 and 2 lack (meta, chunk_retrievals); the rest exists already.
    DOCENT_RETURN_IF_ERROR(db_.Exec(kOtherTables));
    DOCENT_RETURN_IF_ERROR(db_.Exec(kWorkspacesTable));
    DOCENT_RETURN_IF_ERROR(
        db_.Exec("UPDATE workspaces SET version = (SELECT generation FROM meta) WHERE id = 1"));
    DOCENT_RETURN_IF_ERROR(db_.Exec(DocumentsTable("documents_v4")));
    DOCENT_RETURN_IF_ERROR(db_.Exec(
        "INSERT INTO documents_v4(id, workspace_id, source, title, format, size_bytes, "
        "content_hash, chunk_count, text, warnings, added_at, updated_at) "
        "SELECT id, 1, source, title, format, size_bytes, content_hash, chunk_count, text, "
        "warnings, added_at, updated_at FROM documents"));
    DOCENT_RETURN_IF_ERROR(db_.Exec("DROP TABLE documents"));
    DOCENT_RETURN_IF_ERROR(db_.Exec("ALTER TABLE documents_v4 RENAME TO documents"));
    {
      DOCENT_ASSIGN_OR_RETURN(Stmt fk, db_.Prepare("PRAGMA foreign_key_check"));
      DOCENT_ASSIGN_OR_RETURN(bool dangling, fk.Step());
      if (dangling) {
        return Corrupt("a row of table " + fk.Text(0) + " refers to a missing " + fk.Text(2) +
                       " row; the store was not upgraded");
      }
    }
    DOCENT_RETURN_IF_ERROR(db_.Exec("PRAGMA user_version=4"));
    return tx.Commit();
  }();
  const Status on = db_.Exec("PRAGMA foreign_keys=ON;");
  DOCENT_RETURN_IF_ERROR(migrated.WithContext("upgrading the store to workspaces"));
  return on;
}

Status Store::TuneFts() {
  // FTS5 writes each commit's terms as a new segment and merges segments during later
  // writes; ingest (one commit per document) spends most of its time in those merges. Its
  // default merges 4 segments of a level at a time; 8 at a time rewrites the index fewer
  // times over (about 15% less ingest CPU in bench/search_bench) while a query still reads
  // only a few segments per level, and the term index serves most searches anyway. The
  // setting lives in the database, so stores made before it are tuned on their next open.
  DOCENT_ASSIGN_OR_RETURN(Stmt get,
                          db_.Prepare("SELECT v FROM chunks_fts_config WHERE k = 'automerge'"));
  DOCENT_ASSIGN_OR_RETURN(bool row, get.Step());
  if (row && get.Int(0) == kFtsAutomerge) return Status::Ok();
  // Best effort: merge policy is no correctness matter, so a store another process is busy
  // writing still opens, and is tuned on a later open.
  (void)db_.Exec("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('automerge', " +
                 std::to_string(kFtsAutomerge) + ")");
  return Status::Ok();
}

Result<std::optional<DocumentInfo>> Store::FindWhere(Db& db, std::string_view where,
                                                     const std::string& key, int64_t id,
                                                     int64_t id2) {
  std::string sql = std::string("SELECT ") + kDocumentColumns + " FROM documents WHERE ";
  sql += where;
  DOCENT_ASSIGN_OR_RETURN(Stmt st, db.Prepare(sql));
  if (key.empty()) {
    st.Bind(1, id);
  } else {
    st.Bind(1, std::string_view(key));
    st.Bind(2, id2);
  }
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<DocumentInfo>();
  return std::optional<DocumentInfo>(ReadDocument(st));
}

// ---- Workspaces

Result<std::optional<WorkspaceInfo>> Store::FindWorkspaceIn(Db& db, std::string_view name) {
  DOCENT_ASSIGN_OR_RETURN(Stmt st, db.Prepare(std::string("SELECT ") + kWorkspaceColumns +
                                              " FROM workspaces w WHERE w.name = ?1"));
  st.Bind(1, name);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<WorkspaceInfo>();
  return std::optional<WorkspaceInfo>(ReadWorkspace(st));
}

Result<std::optional<WorkspaceInfo>> Store::FindWorkspace(std::string_view name) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  return FindWorkspaceIn(session->db(), name);
}

Result<std::vector<WorkspaceInfo>> Store::ListWorkspaces() {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          session->db().Prepare(std::string("SELECT ") + kWorkspaceColumns +
                                                " FROM workspaces w ORDER BY w.name"));
  std::vector<WorkspaceInfo> out;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadWorkspace(st));
  }
  return out;
}

Result<WorkspaceInfo> Store::CreateWorkspaceLocked(std::string_view name) {
  DOCENT_RETURN_IF_ERROR(CheckWorkspaceName(name));
  if (batch_) return FailedPrecondition("creating a workspace inside a batch");
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_ASSIGN_OR_RETURN(auto existing, FindWorkspaceIn(db_, name));
  if (existing) return AlreadyExists("workspace " + std::string(name) + " already exists");
  DOCENT_ASSIGN_OR_RETURN(const int64_t generation_before, BumpGenerationLocked());
  DOCENT_ASSIGN_OR_RETURN(
      Stmt ins, db_.Prepare("INSERT INTO workspaces(name, created_at, version) VALUES(?1,?2,?3)"));
  DOCENT_RETURN_IF_ERROR(
      ins.Bind(1, name).Bind(2, NowSeconds()).Bind(3, generation_before + 1).Run());
  DOCENT_ASSIGN_OR_RETURN(auto made, FindWorkspaceIn(db_, name));
  DOCENT_RETURN_IF_ERROR(tx.Commit());
  return *made;
}

Result<WorkspaceInfo> Store::CreateWorkspace(std::string_view name) {
  std::lock_guard lock(mu_);
  return CreateWorkspaceLocked(name);
}

Result<WorkspaceInfo> Store::EnsureWorkspace(std::string_view name) {
  std::lock_guard lock(mu_);
  DOCENT_ASSIGN_OR_RETURN(auto existing, FindWorkspaceIn(db_, name));
  if (existing) return *existing;
  return CreateWorkspaceLocked(name);
}

Result<int64_t> Store::RemoveWorkspace(std::string_view name) {
  std::lock_guard lock(mu_);
  if (name == kDefaultWorkspace) {
    return InvalidArgument("the default workspace cannot be removed");
  }
  if (batch_) return FailedPrecondition("removing a workspace inside a batch");
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_ASSIGN_OR_RETURN(auto ws, FindWorkspaceIn(db_, name));
  if (!ws) return NotFound("no workspace " + std::string(name));
  DOCENT_RETURN_IF_ERROR(BumpGenerationLocked().status());
  // As DeleteChunksLocked does for one document, for all of the workspace's at once.
  constexpr const char* kOfWorkspace =
      "(SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.workspace_id = ?1)";
  for (const std::string& sql :
       {std::string("INSERT INTO chunks_fts(chunks_fts, rowid, title, heading, body) "
                    "SELECT 'delete', id, title, heading, body FROM chunks WHERE id IN ") +
            kOfWorkspace,
        std::string("DELETE FROM chunk_retrievals WHERE chunk_id IN ") + kOfWorkspace,
        std::string("DELETE FROM chunk_embeddings WHERE chunk_id IN ") + kOfWorkspace,
        std::string("DELETE FROM chunks WHERE id IN ") + kOfWorkspace,
        std::string("DELETE FROM documents WHERE workspace_id = ?1"),
        std::string("DELETE FROM workspaces WHERE id = ?1")}) {
    DOCENT_ASSIGN_OR_RETURN(Stmt st, db_.Prepare(sql));
    DOCENT_RETURN_IF_ERROR(st.Bind(1, ws->id).Run());
  }
  if (before_commit_) before_commit_();
  std::unique_lock index_lock(index_mu_);
  DOCENT_RETURN_IF_ERROR(tx.Commit());
  indexes_.erase(ws->id);
  return ws->documents;
}

// ---- Documents

Result<std::optional<DocumentInfo>> Store::FindBySource(int64_t workspace_id,
                                                        std::string_view source) {
  // Reads run on a read session, apart from the writer (see ReadSession).
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  return FindWhere(session->db(), "source = ?1 AND workspace_id = ?2", std::string(source), 0,
                   workspace_id);
}

Result<std::optional<DocumentInfo>> Store::FindById(int64_t id) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  return FindWhere(session->db(), "id = ?1", "", id);
}

Result<std::vector<DocumentInfo>> Store::ListDocuments(std::optional<int64_t> workspace_id) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, session->db().Prepare(std::string("SELECT ") + kDocumentColumns +
                                     " FROM documents WHERE ?1 IS NULL OR workspace_id = ?1 "
                                     "ORDER BY id"));
  if (workspace_id) {
    st.Bind(1, *workspace_id);
  } else {
    st.BindNull(1);
  }
  std::vector<DocumentInfo> out;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadDocument(st));
  }
  return out;
}

Result<std::string> Store::DocumentText(int64_t id) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          session->db().Prepare("SELECT text FROM documents WHERE id = ?1"));
  st.Bind(1, id);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no document with id " + std::to_string(id));
  return st.Text(0);
}

Result<StoreStats> Store::Stats(std::optional<int64_t> workspace_id) {
  DOCENT_ASSIGN_OR_RETURN(auto session, Read());
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          session->db().Prepare("SELECT count(*), coalesce(sum(chunk_count),0), "
                                                "coalesce(sum(size_bytes),0) FROM documents "
                                                "WHERE ?1 IS NULL OR workspace_id = ?1"));
  if (workspace_id) {
    st.Bind(1, *workspace_id);
  } else {
    st.BindNull(1);
  }
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  StoreStats s;
  if (row) {
    s.documents = st.Int(0);
    s.chunks = st.Int(1);
    s.bytes = st.Int(2);
  }
  return s;
}

Store::WorkspaceChanges& Store::Touch(Changes& changes, int64_t workspace_id) {
  auto [it, first] = changes.try_emplace(workspace_id);
  if (first) it->second.collected = IndexLive(workspace_id);
  return it->second;
}

Status Store::DeleteChunksLocked(int64_t doc_id, WorkspaceChanges* changes) {
  if (changes->collected) {
    DOCENT_ASSIGN_OR_RETURN(
        Stmt old, db_.Prepare("SELECT id, title, heading, body FROM chunks WHERE doc_id = ?1"));
    old.Bind(1, doc_id);
    for (;;) {
      DOCENT_ASSIGN_OR_RETURN(bool row, old.Step());
      if (!row) break;
      changes->removed.push_back({old.Int(0), old.Text(1), old.Text(2), old.Text(3)});
    }
  }
  // External-content FTS5 needs the exact old values to remove a row's terms.
  DOCENT_ASSIGN_OR_RETURN(
      Stmt del_fts,
      db_.Prepare("INSERT INTO chunks_fts(chunks_fts, rowid, title, heading, body) "
                  "SELECT 'delete', id, title, heading, body FROM chunks WHERE doc_id = ?1"));
  DOCENT_RETURN_IF_ERROR(del_fts.Bind(1, doc_id).Run());
  DOCENT_ASSIGN_OR_RETURN(Stmt del_counts,
                          db_.Prepare("DELETE FROM chunk_retrievals WHERE chunk_id IN "
                                      "(SELECT id FROM chunks WHERE doc_id = ?1)"));
  DOCENT_RETURN_IF_ERROR(del_counts.Bind(1, doc_id).Run());
  DOCENT_ASSIGN_OR_RETURN(Stmt del_vectors,
                          db_.Prepare("DELETE FROM chunk_embeddings WHERE chunk_id IN "
                                      "(SELECT id FROM chunks WHERE doc_id = ?1)"));
  DOCENT_RETURN_IF_ERROR(del_vectors.Bind(1, doc_id).Run());
  DOCENT_ASSIGN_OR_RETURN(Stmt del, db_.Prepare("DELETE FROM chunks WHERE doc_id = ?1"));
  return del.Bind(1, doc_id).Run();
}

Store::~Store() {
  (void)FlushRetrievals();  // a hint: a store that cannot write keeps its old counts
}

void Store::NoteRetrieved(std::span<const int64_t> chunk_ids) {
  bool flush = false;
  {
    std::lock_guard lock(retrievals_mu_);
    for (int64_t id : chunk_ids) {
      if (pending_retrievals_.size() >= kMaxPendingRetrievals &&
          !pending_retrievals_.contains(id)) {
        continue;
      }
      ++pending_retrievals_[id];
      ++pending_notes_;
    }
    flush = pending_notes_ >= kRetrievalFlushEvery;
  }
  if (flush) (void)FlushRetrievals();
}

Status Store::FlushRetrievals() {
  std::unique_lock writer(mu_, std::try_to_lock);
  // An ingest holds the writer for a while; the counts wait for the next note or the close.
  if (!writer.owns_lock() || batch_ != nullptr) return Status::Ok();
  std::unordered_map<int64_t, int64_t> counts;
  {
    std::lock_guard lock(retrievals_mu_);
    counts.swap(pending_retrievals_);
    pending_notes_ = 0;
  }
  if (counts.empty()) return Status::Ok();
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  // A chunk removed since it was retrieved has no row to count against.
  DOCENT_ASSIGN_OR_RETURN(
      Stmt add, db_.Prepare("INSERT INTO chunk_retrievals(chunk_id, count) SELECT ?1, ?2 "
                            "WHERE EXISTS(SELECT 1 FROM chunks WHERE id = ?1) "
                            "ON CONFLICT(chunk_id) DO UPDATE SET count = count + excluded.count"));
  for (const auto& [id, n] : counts) {
    DOCENT_RETURN_IF_ERROR(add.Bind(1, id).Bind(2, n).Run());
  }
  return tx.Commit();
}

bool Store::IndexLive(int64_t workspace_id) const {
  std::shared_lock lock(index_mu_);
  auto it = indexes_.find(workspace_id);
  return it != indexes_.end() && it->second.index != nullptr;
}

Result<int64_t> Store::BumpGenerationLocked() {
  DOCENT_ASSIGN_OR_RETURN(Stmt get, db_.Prepare("SELECT generation FROM meta WHERE id = 1"));
  DOCENT_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return Corrupt("the meta table has no generation row");
  const int64_t before = get.Int(0);
  DOCENT_ASSIGN_OR_RETURN(Stmt up, db_.Prepare("UPDATE meta SET generation = ?1 WHERE id = 1"));
  DOCENT_RETURN_IF_ERROR(up.Bind(1, before + 1).Run());
  return before;
}

Status Store::CommitAndIndex(Transaction& tx, int64_t generation_before, const Changes& changes) {
  const int64_t generation = generation_before + 1;
  // Each touched workspace takes the new generation as its version; the version before says
  // whether its term index saw every write up to this one.
  std::unordered_map<int64_t, int64_t> version_before;
  {
    DOCENT_ASSIGN_OR_RETURN(Stmt get, db_.Prepare("SELECT version FROM workspaces WHERE id = ?1"));
    DOCENT_ASSIGN_OR_RETURN(Stmt stamp,
                            db_.Prepare("UPDATE workspaces SET version = ?2 WHERE id = ?1"));
    for (const auto& [ws, unused] : changes) {
      get.Reset();
      get.Bind(1, ws);
      DOCENT_ASSIGN_OR_RETURN(bool row, get.Step());
      if (!row) return NotFound("workspace " + std::to_string(ws) + " was removed meanwhile");
      version_before[ws] = get.Int(0);
      stamp.Reset();
      DOCENT_RETURN_IF_ERROR(stamp.Bind(1, ws).Bind(2, generation).Run());
    }
  }
  // Readers hold index_mu_ shared while they read, so no reader sees the new rows with the
  // old index or the other way round.
  if (before_commit_) before_commit_();
  // The analysis, the slow part of an index update, runs before readers are held off.
  struct Analyzed {
    int64_t ws;
    std::vector<AnalyzedChunk> gone, come;
  };
  std::vector<Analyzed> analyzed;
  for (const auto& [ws, c] : changes) {
    if (!c.collected) continue;
    Analyzed& a = analyzed.emplace_back(Analyzed{ws, {}, {}});
    a.gone.reserve(c.removed.size());
    a.come.reserve(c.added.size());
    for (const ChunkText& t : c.removed)
      a.gone.push_back(AnalyzeChunkText(t.id, t.title, t.heading, t.body));
    for (const ChunkText& t : c.added)
      a.come.push_back(AnalyzeChunkText(t.id, t.title, t.heading, t.body));
  }
  std::vector<int64_t> to_compact;
  {
    std::unique_lock lock(index_mu_);
    DOCENT_RETURN_IF_ERROR(tx.Commit());
    for (const auto& [ws, c] : changes) {
      auto it = indexes_.find(ws);
      if (it == indexes_.end()) continue;
      if (c.vectors_only && it->second.version == version_before[ws]) {
        it->second.version = generation;  // no text changed: the index is still current
        continue;
      }
      // An index installed while this write ran (not collected), or one that missed another
      // connection's write, cannot be brought up to date here: drop it, it is rebuilt on
      // demand.
      if (!c.collected || it->second.version != version_before[ws]) {
        indexes_.erase(it);
        continue;
      }
      TermIndex& index = *it->second.index;
      for (const Analyzed& a : analyzed) {
        if (a.ws != ws) continue;
        for (const AnalyzedChunk& g : a.gone) index.Remove(index.Resolve(g));
        for (const AnalyzedChunk& n : a.come) index.Add(index.Resolve(n));
      }
      it->second.version = generation;
      if (index.NeedsCompaction()) to_compact.push_back(ws);
    }
  }
  for (int64_t ws : to_compact) CompactTermIndexIfWorthIt(ws);
  return Status::Ok();
}

void Store::CompactTermIndexIfWorthIt(int64_t workspace_id) {
  // The copy is made under the shared lock, so searches go on over the old index meanwhile;
  // commits cannot, as the caller is the writer. The swap waits for the sessions that hold
  // the old index, like any commit.
  std::unique_ptr<TermIndex> compacted;
  int64_t version = 0;
  {
    std::shared_lock lock(index_mu_);
    auto it = indexes_.find(workspace_id);
    if (it == indexes_.end() || !it->second.index->NeedsCompaction()) return;
    compacted = it->second.index->Compacted();
    version = it->second.version;
  }
  std::unique_lock lock(index_mu_);
  auto it = indexes_.find(workspace_id);
  if (it != indexes_.end() && it->second.version == version) {
    it->second.index = std::move(compacted);
    ++index_compactions_;
  }
}

Store::IndexMemory Store::TermIndexMemory() const {
  std::shared_lock lock(index_mu_);
  IndexMemory m;
  m.compactions = index_compactions_;
  for (const auto& [ws, slot] : indexes_) {
    const TermIndex::Memory use = slot.index->MemoryUse();
    m.bytes += use.bytes;
    m.dead_bytes += use.dead_bytes;
    m.dead_slots += slot.index->dead_slots();
    m.dead_terms += slot.index->dead_terms();
  }
  return m;
}

// ---- Read sessions

ReadSession::~ReadSession() {
  // A connection whose read transaction did not end cleanly is closed, not pooled.
  if (db_ && db_->Exec("COMMIT").ok()) store_->ReturnReader(std::move(db_));
}

Result<std::unique_ptr<Db>> Store::TakeReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return db;
    }
  }
  const std::filesystem::path path = data_dir_ / "docent.db";
  DOCENT_ASSIGN_OR_RETURN(Db db, Db::Open(path, /*read_only=*/true));
  DOCENT_RETURN_IF_ERROR(RegisterDocentTokenizer(db.raw()).WithContext(path.string()));
  return std::make_unique<Db>(std::move(db));
}

void Store::ReturnReader(std::unique_ptr<Db> db) {
  std::lock_guard lock(readers_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(db));
}

Result<std::unique_ptr<ReadSession>> Store::Read() {
  std::unique_ptr<ReadSession> session(new ReadSession());
  session->store_ = this;
  DOCENT_ASSIGN_OR_RETURN(session->db_, TakeReader());
  DOCENT_RETURN_IF_ERROR(session->db_->Exec("BEGIN"));
  DOCENT_ASSIGN_OR_RETURN(Stmt st,
                          session->db_->Prepare("SELECT generation FROM meta WHERE id = 1"));
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Corrupt("the meta table has no generation row");
  session->generation_ = st.Int(0);
  return session;
}

Result<std::unique_ptr<ReadSession>> Store::Read(int64_t workspace_id, bool with_index) {
  std::unique_ptr<ReadSession> session(new ReadSession());
  session->store_ = this;
  DOCENT_ASSIGN_OR_RETURN(session->db_, TakeReader());
  // The shared lock comes first: no commit can land between it and the snapshot below.
  if (with_index) session->index_lock_ = std::shared_lock(index_mu_);
  DOCENT_RETURN_IF_ERROR(session->db_->Exec("BEGIN"));
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st, session->db_->Prepare("SELECT m.generation, w.version FROM meta m, workspaces w "
                                     "WHERE m.id = 1 AND w.id = ?1"));
  st.Bind(1, workspace_id);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no workspace with id " + std::to_string(workspace_id));
  session->generation_ = st.Int(0);
  session->version_ = st.Int(1);
  session->workspace_id_ = workspace_id;
  if (with_index) {
    auto it = indexes_.find(workspace_id);
    if (it != indexes_.end() && it->second.version == session->version_) {
      session->index_ = it->second.index.get();
    }
  }
  return session;
}

Status Store::WarmTermIndex(int64_t workspace_id, const std::atomic<bool>* cancel) {
  // Built from a snapshot without any lock held, so searches go on (through FTS5) while it
  // builds. Installed when the workspace has not moved on meanwhile; else built again.
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    int64_t version = 0;
    auto index = std::make_unique<TermIndex>();
    {
      DOCENT_ASSIGN_OR_RETURN(auto session, Read(workspace_id, /*with_index=*/true));
      if (session->index() != nullptr) return Status::Ok();
      version = session->version();
      session->index_lock_ = {};  // keep the snapshot, let writers go on
      // In chunk id order, as a store holding this workspace alone would have added them.
      DOCENT_ASSIGN_OR_RETURN(
          Stmt st,
          session->db().Prepare("SELECT c.id, c.title, c.heading, c.body FROM chunks c "
                                "JOIN documents d ON d.id = c.doc_id WHERE d.workspace_id = ?1 "
                                "ORDER BY c.id"));
      st.Bind(1, workspace_id);
      for (;;) {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
          return Cancelled("term index build cancelled");
        }
        DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        index->Add(index->AnalyzeChunk(st.Int(0), st.Text(1), st.Text(2), st.Text(3)));
      }
    }
    auto check = Read(workspace_id, /*with_index=*/false);
    if (!check.ok()) return check.status();
    std::unique_lock lock(index_mu_);
    if ((*check)->version() == version) {
      indexes_[workspace_id] = IndexSlot{std::move(index), version};
      return Status::Ok();
    }
  }
  return Status::Ok();  // the workspace kept changing; searches rank another way meanwhile
}

Status Store::WarmAllTermIndexes(const std::atomic<bool>* cancel) {
  DOCENT_ASSIGN_OR_RETURN(auto workspaces, ListWorkspaces());
  for (const WorkspaceInfo& ws : workspaces) {
    Status s = WarmTermIndex(ws.id, cancel);
    if (s.code() == StatusCode::kNotFound) continue;  // removed meanwhile
    DOCENT_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Result<int64_t> ReadSession::ChunkCount() {
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st,
      db_->Prepare(workspace_id_ == 0 ? "SELECT count(*) FROM chunks"
                                      : "SELECT coalesce(sum(chunk_count), 0) FROM documents "
                                        "WHERE workspace_id = ?1"));
  if (workspace_id_ != 0) st.Bind(1, workspace_id_);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

Result<bool> ReadSession::HoldsEveryChunk() {
  if (workspace_id_ == 0) return true;
  DOCENT_ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT NOT EXISTS(SELECT 1 FROM documents "
                                                "WHERE workspace_id != ?1 AND chunk_count > 0)"));
  st.Bind(1, workspace_id_);
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && st.Int(0) != 0;
}

Status Store::BeginBatch() {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("a batch is already open");
  auto batch = std::make_unique<Batch>(db_);
  DOCENT_RETURN_IF_ERROR(batch->tx.Begin());
  DOCENT_ASSIGN_OR_RETURN(batch->generation_before, BumpGenerationLocked());
  batch_ = std::move(batch);
  return Status::Ok();
}

Status Store::CommitBatch() {
  std::lock_guard lock(mu_);
  if (!batch_) return FailedPrecondition("no batch is open");
  std::unique_ptr<Batch> batch = std::move(batch_);  // rolled back on failure
  if (!batch->failure.ok()) {
    return batch->failure.WithContext("a write in the batch failed; nothing of it was stored");
  }
  return CommitAndIndex(batch->tx, batch->generation_before, batch->changes);
}

bool Store::InBatch() {
  std::lock_guard lock(mu_);
  return batch_ != nullptr;
}

Result<PutOutcome> Store::PutDocument(const DocumentToPut& doc, int64_t* id_out) {
  std::lock_guard lock(mu_);
  if (batch_ && !batch_->failure.ok()) return batch_->failure;
  Result<PutOutcome> r = PutDocumentLocked(doc, id_out);
  // A write that failed half-way poisons its batch, which then commits nothing. (A savepoint
  // per document would keep the others, but FTS5 flushes its pending terms at each
  // savepoint, which is the cost a batch exists to avoid.)
  if (batch_ && !r.ok()) batch_->failure = r.status();
  return r;
}

Result<PutOutcome> Store::PutDocumentLocked(const DocumentToPut& doc, int64_t* id_out) {
  // Outside a batch, a transaction of its own; inside, the batch's.
  std::optional<Transaction> own;
  if (!batch_) {
    own.emplace(db_);
    DOCENT_RETURN_IF_ERROR(own->Begin());
  }
  {
    DOCENT_ASSIGN_OR_RETURN(Stmt ws, db_.Prepare("SELECT 1 FROM workspaces WHERE id = ?1"));
    ws.Bind(1, doc.workspace_id);
    DOCENT_ASSIGN_OR_RETURN(bool exists, ws.Step());
    if (!exists) {
      return NotFound("no workspace with id " + std::to_string(doc.workspace_id) + " for " +
                      doc.source);
    }
  }
  DOCENT_ASSIGN_OR_RETURN(auto existing, FindWhere(db_, "source = ?1 AND workspace_id = ?2",
                                                   doc.source, 0, doc.workspace_id));
  const int64_t now = NowSeconds();
  PutOutcome outcome = PutOutcome::kAdded;
  int64_t id = 0;
  if (existing && existing->content_hash == doc.content_hash) {
    if (id_out) *id_out = existing->id;
    return PutOutcome::kUnchanged;  // nothing was written (own transaction rolls back)
  }
  Changes local_changes;
  // For the term index, applied at the commit.
  WorkspaceChanges& changes = Touch(batch_ ? batch_->changes : local_changes, doc.workspace_id);
  int64_t generation_before = 0;
  if (!batch_) {
    DOCENT_ASSIGN_OR_RETURN(generation_before, BumpGenerationLocked());
  }
  if (existing) {
    id = existing->id;
    outcome = PutOutcome::kReplaced;
    DOCENT_RETURN_IF_ERROR(DeleteChunksLocked(id, &changes));
    DOCENT_ASSIGN_OR_RETURN(Stmt up,
                            db_.Prepare("UPDATE documents SET title=?2, format=?3, size_bytes=?4, "
                                        "content_hash=?5, chunk_count=?6, text=?7, warnings=?8, "
                                        "updated_at=?9 WHERE id=?1"));
    up.Bind(1, id).Bind(2, doc.title).Bind(3, doc.format).Bind(4, doc.size_bytes);
    up.Bind(5, doc.content_hash).Bind(6, static_cast<int64_t>(doc.chunked.chunks.size()));
    up.Bind(7, doc.chunked.full_text).Bind(8, JoinLines(doc.warnings)).Bind(9, now);
    DOCENT_RETURN_IF_ERROR(up.Run());
  } else {
    DOCENT_ASSIGN_OR_RETURN(
        Stmt ins, db_.Prepare("INSERT INTO documents(workspace_id, source, title, format, "
                              "size_bytes, content_hash, chunk_count, text, warnings, added_at, "
                              "updated_at) VALUES(?10,?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)"));
    ins.Bind(1, doc.source).Bind(2, doc.title).Bind(3, doc.format).Bind(4, doc.size_bytes);
    ins.Bind(5, doc.content_hash).Bind(6, static_cast<int64_t>(doc.chunked.chunks.size()));
    ins.Bind(7, doc.chunked.full_text).Bind(8, JoinLines(doc.warnings)).Bind(9, now);
    ins.Bind(10, doc.workspace_id);
    DOCENT_RETURN_IF_ERROR(ins.Run());
    id = db_.LastInsertRowId();
  }

  DOCENT_ASSIGN_OR_RETURN(
      Stmt chunk,
      db_.Prepare("INSERT INTO chunks(doc_id, ord, title, heading, body, location, "
                  "char_begin, char_end, page_begin, page_end, slide_begin, "
                  "slide_end, sheet) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"));
  DOCENT_ASSIGN_OR_RETURN(Stmt fts,
                          db_.Prepare("INSERT INTO chunks_fts(rowid, title, heading, body) "
                                      "VALUES(?1,?2,?3,?4)"));
  int64_t ord = 0;
  for (const text::Chunk& c : doc.chunked.chunks) {
    if (doc.cancel != nullptr && doc.cancel->load(std::memory_order_relaxed)) {
      return Cancelled("indexing was stopped; nothing of " + doc.source + " was stored");
    }
    chunk.Bind(1, id).Bind(2, ord++).Bind(3, doc.title).Bind(4, c.heading_path).Bind(5, c.text);
    chunk.Bind(6, c.Location()).Bind(7, static_cast<int64_t>(c.char_begin));
    chunk.Bind(8, static_cast<int64_t>(c.char_end)).Bind(9, static_cast<int64_t>(c.page_begin));
    chunk.Bind(10, static_cast<int64_t>(c.page_end)).Bind(11, static_cast<int64_t>(c.slide_begin));
    chunk.Bind(12, static_cast<int64_t>(c.slide_end)).Bind(13, c.sheet);
    DOCENT_RETURN_IF_ERROR(chunk.Run());
    const int64_t chunk_id = db_.LastInsertRowId();
    fts.Bind(1, chunk_id).Bind(2, doc.title).Bind(3, c.heading_path).Bind(4, c.text);
    DOCENT_RETURN_IF_ERROR(fts.Run());
    if (changes.collected) changes.added.push_back({chunk_id, doc.title, c.heading_path, c.text});
  }
  if (id_out) *id_out = id;
  if (batch_) return outcome;  // committed with the batch
  DOCENT_RETURN_IF_ERROR(CommitAndIndex(*own, generation_before, local_changes));
  return outcome;
}

Status Store::RemoveDocument(int64_t id, std::optional<int64_t> within) {
  std::lock_guard lock(mu_);
  if (batch_) return FailedPrecondition("RemoveDocument inside a batch");
  Transaction tx(db_);
  DOCENT_RETURN_IF_ERROR(tx.Begin());
  DOCENT_ASSIGN_OR_RETURN(auto existing, FindWhere(db_, "id = ?1", "", id));
  // A document of another workspace is "not found": its id reveals nothing.
  if (!existing || (within && existing->workspace_id != *within)) {
    return NotFound("no document with id " + std::to_string(id));
  }
  Changes changes;
  WorkspaceChanges& ws = Touch(changes, existing->workspace_id);
  DOCENT_ASSIGN_OR_RETURN(const int64_t generation_before, BumpGenerationLocked());
  DOCENT_RETURN_IF_ERROR(DeleteChunksLocked(id, &ws));
  DOCENT_ASSIGN_OR_RETURN(Stmt del, db_.Prepare("DELETE FROM documents WHERE id = ?1"));
  DOCENT_RETURN_IF_ERROR(del.Bind(1, id).Run());
  return CommitAndIndex(tx, generation_before, changes);
}

Status Store::CheckIntegrity() {
  std::lock_guard lock(mu_);
  DOCENT_RETURN_IF_ERROR(
      db_.Exec("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('integrity-check', 1)")
          .WithContext("FTS5 index does not match the chunks"));
  DOCENT_ASSIGN_OR_RETURN(
      Stmt st,
      db_.Prepare("SELECT d.id, d.chunk_count, (SELECT count(*) FROM chunks c "
                  "WHERE c.doc_id = d.id) AS n FROM documents d WHERE n != d.chunk_count"));
  DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
  if (row) {
    return Corrupt("document " + std::to_string(st.Int(0)) + " records " +
                   std::to_string(st.Int(1)) + " chunks but has " + std::to_string(st.Int(2)));
  }
  DOCENT_ASSIGN_OR_RETURN(Stmt orphans,
                          db_.Prepare("SELECT count(*) FROM chunks WHERE doc_id NOT IN "
                                      "(SELECT id FROM documents)"));
  DOCENT_ASSIGN_OR_RETURN(bool r2, orphans.Step());
  if (r2 && orphans.Int(0) != 0) {
    return Corrupt(std::to_string(orphans.Int(0)) + " chunks belong to no document");
  }
  DOCENT_ASSIGN_OR_RETURN(Stmt homeless,
                          db_.Prepare("SELECT count(*) FROM documents WHERE workspace_id NOT IN "
                                      "(SELECT id FROM workspaces)"));
  DOCENT_ASSIGN_OR_RETURN(bool r3, homeless.Step());
  if (r3 && homeless.Int(0) != 0) {
    return Corrupt(std::to_string(homeless.Int(0)) + " documents belong to no workspace");
  }
  DOCENT_ASSIGN_OR_RETURN(Stmt fk, db_.Prepare("PRAGMA foreign_key_check"));
  DOCENT_ASSIGN_OR_RETURN(bool dangling, fk.Step());
  if (dangling) {
    return Corrupt("a row of table " + fk.Text(0) + " refers to a missing " + fk.Text(2) + " row");
  }
  return Status::Ok();
}

}  // namespace docent::store
