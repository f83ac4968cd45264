// The store: one SQLite database (WAL) per data directory holding every durable fact:
// workspaces, documents with their extracted text, chunks with locations, and the FTS5 index
// over them.
//
// Workspaces: every document belongs to exactly one workspace (a team's share of the store).
// Retrieval inside a workspace sees that workspace alone: its term index is its own, so the
// statistics BM25 ranks with (chunk count, document frequencies, average length) are the
// workspace's, and a search returns bit for bit what it would return if the workspace were the
// only one in the store. A workspace's `version` moves with every write that touches it (it is
// set to the new meta.generation, so versions never repeat, even across a removed workspace
// and a new one of the same name); caches keyed on it retire themselves.
//
// Invariants (each holds after every committed transaction, so after a crash at any
// instant too):
//  - a document's row, its chunks and their FTS5 entries change together in one
//    transaction: a document is either wholly in its old state or wholly in its new one;
//  - documents.chunk_count equals the number of its rows in `chunks`;
//  - chunks_fts holds exactly the rows of `chunks` (external content, kept in step by hand).
// Thread safety: a Store is safe to share. Writes are serialised on an internal mutex and
// one connection; reads (lookups, lists, searches) run on pooled read-only connections in
// WAL snapshots, so they never wait for a write transaction, only, briefly, for its commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docent/store/sqlite_db.h"
#include "docent/store/term_index.h"
#include "docent/text/chunker.h"
#include "docent/util/status.h"

namespace docent::store {

// The workspace every store starts with; data from before workspaces lives there. It cannot be
// removed, so a command or request that names no workspace always has one.
inline constexpr std::string_view kDefaultWorkspace = "default";
inline constexpr int64_t kDefaultWorkspaceId = 1;

// [a-z0-9][a-z0-9_-]{0,63}: safe in a URL path, a file name and a log line as it is.
bool ValidWorkspaceName(std::string_view name);
// OK for a valid name, else InvalidArgument naming it and the rule.
Status CheckWorkspaceName(std::string_view name);

struct WorkspaceInfo {
  int64_t id = 0;
  std::string name;
  int64_t created_at = 0;  // unix seconds
  int64_t version = 0;     // moves with every write to the workspace's documents
  int64_t documents = 0;
  int64_t chunks = 0;
  int64_t bytes = 0;  // sum of its documents' sizes
};

struct DocumentInfo {
  int64_t id = 0;
  int64_t workspace_id = 0;
  std::string workspace;
  std::string source;  // absolute path for files added from disk, "upload:NAME" for uploads
  std::string title;
  std::string format;
  int64_t size_bytes = 0;
  std::string content_hash;  // hex XXH3-128 of the file's bytes
  int64_t chunk_count = 0;
  int64_t added_at = 0;    // unix seconds of the first add
  int64_t updated_at = 0;  // unix seconds of the last change
  std::vector<std::string> warnings;
};

struct DocumentToPut {
  int64_t workspace_id = kDefaultWorkspaceId;
  std::string source;  // unique within the workspace
  std::string title;
  std::string format;
  int64_t size_bytes = 0;
  std::string content_hash;
  std::vector<std::string> warnings;
  text::ChunkedDocument chunked;
  // When set and it becomes true, PutDocument stops at the next chunk and rolls back
  // (Cancelled): a shutdown need not wait for a huge document.
  const std::atomic<bool>* cancel = nullptr;
};

enum class PutOutcome { kAdded, kReplaced, kUnchanged };

// The embedding model whose vectors the store's dense index holds (`docent add
// --embed-model`): the model of record, set once every chunk has its vector.
struct EmbeddingModelInfo {
  std::string name;         // general.name
  std::string path;         // the file it was loaded from, for commands that name none
  std::string fingerprint;  // identifies the weights (llm::Embedder::fingerprint)
  int64_t dimensions = 0;
  int64_t set_at = 0;  // unix seconds
};

// A chunk waiting for its vector.
struct ChunkToEmbed {
  int64_t chunk_id = 0;
  int64_t workspace_id = 0;
  std::string title, heading, body;
};

// A stored vector: `id` grows with every write (a re-embedded or re-added chunk gets a new
// one), so an index keyed on it never mistakes a new vector for an old one.
struct StoredEmbedding {
  int64_t id = 0;
  int64_t chunk_id = 0;
  std::vector<float> vector;
};

struct StoreStats {
  int64_t documents = 0;
  int64_t chunks = 0;
  int64_t bytes = 0;  // sum of documents' sizes
};

struct StoreOptions {
  // Each commit reaches the disk before it returns. Only throwaway stores (eval, benchmarks)
  // turn this off.
  bool durable = true;
};

class ReadSession;

class Store {
 public:
  // Opens or creates <data_dir>/docent.db, creating the folder when missing.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& data_dir,
                                             const StoreOptions& options = {});
  // $DOCENT_DATA, else $XDG_DATA_HOME/docent, else ~/.local/share/docent.
  static std::filesystem::path DefaultDataDir();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- Workspaces
  // Creates a workspace: InvalidArgument for a bad name, AlreadyExists when it exists.
  Result<WorkspaceInfo> CreateWorkspace(std::string_view name);
  // The named workspace, created when missing.
  Result<WorkspaceInfo> EnsureWorkspace(std::string_view name);
  Result<std::optional<WorkspaceInfo>> FindWorkspace(std::string_view name);
  // Every workspace, by name.
  Result<std::vector<WorkspaceInfo>> ListWorkspaces();
  // Removes a workspace with all its documents, chunks and index entries in one transaction;
  // returns how many documents went. NotFound when there is none, InvalidArgument for the
  // default workspace, FailedPrecondition inside a batch.
  Result<int64_t> RemoveWorkspace(std::string_view name);

  // ---- Documents
  Result<std::optional<DocumentInfo>> FindBySource(int64_t workspace_id, std::string_view source);
  Result<std::optional<DocumentInfo>> FindById(int64_t id);
  // The workspace's documents by id; every document of the store when `workspace_id` is unset.
  Result<std::vector<DocumentInfo>> ListDocuments(std::optional<int64_t> workspace_id);
  Result<std::string> DocumentText(int64_t id);
  // Totals of one workspace, or of the whole store when `workspace_id` is unset.
  Result<StoreStats> Stats(std::optional<int64_t> workspace_id = std::nullopt);

  // Adds the document, or replaces the one with the same source in its workspace atomically.
  // A document whose source and content hash are already stored is left alone (kUnchanged).
  // NotFound when its workspace does not exist (it may have been removed meanwhile).
  Result<PutOutcome> PutDocument(const DocumentToPut& doc, int64_t* id_out = nullptr);

  // Removes a document with its chunks and index entries; NotFound when there is none, or
  // when `within` is set and the document belongs to another workspace.
  // FailedPrecondition inside a batch.
  Status RemoveDocument(int64_t id, std::optional<int64_t> within = std::nullopt);

  // A batch: the PutDocument calls until CommitBatch() share one transaction, so a bulk
  // ingest pays for one commit (one FTS5 segment flush, one fsync) per batch instead of per
  // document; FTS5 writing each small commit as a segment and merging them again was most of
  // an ingest's time. Readers see the batch only once it commits. A document's write that
  // fails (disk full) fails the whole batch: CommitBatch then stores nothing of it and says
  // why. If the process dies first, nothing of the batch was stored; re-running the ingest
  // adds it again.
  Status BeginBatch();
  Status CommitBatch();
  bool InBatch();

  // ---- Chunk vectors (store_embeddings.cc). Vectors are keyed by the fingerprint of the
  // model that made them, so two models' vectors never mix; a chunk's vectors go with it.
  Result<std::optional<EmbeddingModelInfo>> EmbeddingModel();
  // Records the model of record (set_at is filled in). Vectors of other models stay until
  // DropOtherEmbeddings.
  Status SetEmbeddingModel(const EmbeddingModelInfo& model);
  // Up to `limit` chunks, of every workspace, with no vector of `fingerprint`, in id order
  // from after `after_chunk_id`; and how many there are in all.
  Result<std::vector<ChunkToEmbed>> ChunksToEmbed(std::string_view fingerprint,
                                                  int64_t after_chunk_id, size_t limit);
  Result<int64_t> CountChunksToEmbed(std::string_view fingerprint);
  // Stores each chunk's vector of `fingerprint` (replacing one it had), in one transaction
  // that moves the touched workspaces' versions; chunks removed meanwhile are skipped.
  Status PutEmbeddings(std::string_view fingerprint,
                       std::span<const std::pair<int64_t, std::vector<float>>> vectors);
  // Removes every vector not of `fingerprint` (after a change of model has re-embedded all).
  Status DropOtherEmbeddings(std::string_view fingerprint);
  // SetEmbeddingModel and DropOtherEmbeddings(model.fingerprint) in one transaction, so a
  // crash leaves either the old model of record with its vectors or the new one with its own.
  Status AdoptEmbeddingModel(const EmbeddingModelInfo& model);
  // Every vector of `fingerprint` in the workspace, in id order, from one snapshot: the
  // values only of those with ids above `after_id` (the others' `vector` is empty: an index
  // that holds them already needs only to know they are still there).
  Result<std::vector<StoredEmbedding>> LoadEmbeddings(int64_t workspace_id,
                                                      std::string_view fingerprint,
                                                      int64_t after_id = 0);

  // Runs FTS5's own integrity check and docent's invariants; for tests and `docent check`.
  Status CheckIntegrity();

  // How often each chunk was a source of an answer, so `docent warm` computes the KV of the
  // most-retrieved chunks first. The counts are a hint, not a fact: they gather in memory
  // (at most kMaxPendingRetrievals distinct chunks; more are dropped) and reach the database
  // in one small transaction once kRetrievalFlushEvery have gathered, never while an ingest
  // batch holds the writer, and when the store closes. A crash loses the unwritten ones. A
  // chunk's count goes with the chunk: a changed document's new chunks start from zero.
  void NoteRetrieved(std::span<const int64_t> chunk_ids);
  Status FlushRetrievals();
  static constexpr size_t kRetrievalFlushEvery = 64;
  static constexpr size_t kMaxPendingRetrievals = 1 << 16;
  ~Store();

  // For the search module, which runs its read-only queries under the same lock.
  Db& db() { return db_; }
  // A consistent read of the whole store on a connection of its own, so reads go on while a
  // document is being written (see ReadSession). It has no term index.
  Result<std::unique_ptr<ReadSession>> Read();
  // A consistent read scoped to one workspace: NotFound when it does not exist. With
  // `with_index`, the session also holds the workspace's term index for its snapshot when one
  // is built and current.
  Result<std::unique_ptr<ReadSession>> Read(int64_t workspace_id, bool with_index);
  // Builds the workspace's term index from a snapshot without holding any lock while it
  // reads (a server calls this at start, off the request path). A no-op when the index is
  // current. Setting *cancel stops it between rows (Cancelled), so a server shutting down
  // does not wait for a large build.
  Status WarmTermIndex(int64_t workspace_id, const std::atomic<bool>* cancel = nullptr);
  // WarmTermIndex for every workspace.
  Status WarmAllTermIndexes(const std::atomic<bool>* cancel = nullptr);

  // The term indexes' memory, summed over workspaces (approximate heap bytes; zero while none
  // is built), their dead part
  // (removed chunks' slots, terms no live chunk uses) and how often it was compacted: after a
  // commit leaves the dead part past TermIndex::NeedsCompaction's fraction, the writer builds
  // a compacted copy while searches go on over the old one, then swaps it in.
  struct IndexMemory {
    uint64_t bytes = 0;
    uint64_t dead_bytes = 0;
    uint64_t dead_slots = 0;
    uint64_t dead_terms = 0;
    uint64_t compactions = 0;
  };
  IndexMemory TermIndexMemory() const;
  std::mutex& mutex() { return mu_; }
  // Test hook: runs inside each write transaction just before its commit, with the writer's
  // lock held (a test parks a write there to show that reads go on).
  void TEST_SetBeforeCommit(std::function<void()> hook) { before_commit_ = std::move(hook); }
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  Store(std::filesystem::path data_dir, Db db)
      : data_dir_(std::move(data_dir)), db_(std::move(db)) {}
  Status Migrate();
  Status MigrateToWorkspaces();
  Result<WorkspaceInfo> CreateWorkspaceLocked(std::string_view name);
  static Result<std::optional<WorkspaceInfo>> FindWorkspaceIn(Db& db, std::string_view name);
  // Sets chunks_fts's merge policy when the database does not have it yet.
  Status TuneFts();
  static Result<std::optional<DocumentInfo>> FindWhere(Db& db, std::string_view where,
                                                       const std::string& key, int64_t id,
                                                       int64_t id2 = 0);
  friend class ReadSession;
  // A chunk's indexed columns, carried from the write transaction to the index update.
  struct ChunkText {
    int64_t id = 0;
    std::string title, heading, body;
  };
  // What one transaction did to one workspace: the chunks that left and came, collected only
  // when the workspace's term index was live at the transaction's first write to it (an
  // index installed later has missed the earlier writes and is dropped at the commit).
  struct WorkspaceChanges {
    bool collected = false;
    bool vectors_only = false;  // only chunk vectors changed: the term index stays current
    std::vector<ChunkText> removed, added;
  };
  using Changes = std::unordered_map<int64_t, WorkspaceChanges>;
  // The changes entry of `workspace_id`, made on the transaction's first write to it.
  WorkspaceChanges& Touch(Changes& changes, int64_t workspace_id);
  // Deletes the document's chunks; when collecting, appends their text to changes->removed
  // so they can leave the index when the transaction commits.
  Status DeleteChunksLocked(int64_t doc_id, WorkspaceChanges* changes);
  Status SetEmbeddingModelLocked(const EmbeddingModelInfo& model);
  bool IndexLive(int64_t workspace_id) const;
  // Bumps meta.generation inside the open transaction; returns the value before.
  Result<int64_t> BumpGenerationLocked();
  // Swaps in a compacted copy of a workspace's term index when its dead part has grown (see
  // TermIndexMemory). Called by a writer, with mu_ held, after its commit.
  void CompactTermIndexIfWorthIt(int64_t workspace_id);
  // Stamps each touched workspace's version with the new generation, commits, and brings
  // each touched term index to its new version under index_mu_ exclusive (or drops it when it
  // cannot be brought up to date).
  Status CommitAndIndex(Transaction& tx, int64_t generation_before, const Changes& changes);
  Result<PutOutcome> PutDocumentLocked(const DocumentToPut& doc, int64_t* id_out);
  Result<std::unique_ptr<Db>> TakeReader();
  void ReturnReader(std::unique_ptr<Db> db);
  static constexpr size_t kMaxIdleReaders = 16;

  std::filesystem::path data_dir_;
  std::mutex mu_;
  Db db_;                                // GUARDED_BY(mu_)
  std::function<void()> before_commit_;  // GUARDED_BY(mu_)
  // The open batch, if any (GUARDED_BY(mu_)): its transaction, the generation before it, and
  // the index changes to apply at commit.
  struct Batch {
    explicit Batch(Db& db) : tx(db) {}
    Transaction tx;
    int64_t generation_before = 0;
    Changes changes;
    Status failure;  // the first failed write: the batch commits nothing
  };
  std::unique_ptr<Batch> batch_;
  // Each workspace's term index and the workspace version it reflects. GUARDED_BY(index_mu_):
  // readers hold it shared for the length of a session, a commit holds it exclusive.
  struct IndexSlot {
    std::unique_ptr<TermIndex> index;
    int64_t version = -1;
  };
  mutable std::shared_mutex index_mu_;
  std::unordered_map<int64_t, IndexSlot> indexes_;
  uint64_t index_compactions_ = 0;  // GUARDED_BY(index_mu_)
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Db>> idle_readers_;  // GUARDED_BY(readers_mu_)
  // NoteRetrieved's counts not yet written, and how many notes they hold.
  std::mutex retrievals_mu_;
  std::unordered_map<int64_t, int64_t> pending_retrievals_;  // GUARDED_BY(retrievals_mu_)
  size_t pending_notes_ = 0;                                 // GUARDED_BY(retrievals_mu_)
};

// One snapshot of the store on a pooled read-only connection (WAL: it never waits for the
// writer). Everything read through db() sees the same committed state and generation()
// names it. A session scoped to a workspace also has its version() and index(): the
// workspace's term index for exactly that state, or null when none is built for it. Holding
// a session with the index delays the next commit, so keep it short.
// Thread safety: one thread at a time.
class ReadSession {
 public:
  ~ReadSession();
  ReadSession(const ReadSession&) = delete;
  ReadSession& operator=(const ReadSession&) = delete;

  Db& db() { return *db_; }
  int64_t generation() const { return generation_; }
  int64_t workspace_id() const { return workspace_id_; }  // 0 for a whole-store session
  int64_t version() const { return version_; }
  const TermIndex* index() const { return index_; }
  // The chunks of the session's workspace (of the store, for a whole-store session).
  Result<int64_t> ChunkCount();
  // Whether the session's workspace holds every chunk of the store, so that statistics over
  // the whole store (FTS5's bm25(), fts5vocab) are exactly the workspace's.
  Result<bool> HoldsEveryChunk();

 private:
  friend class Store;
  ReadSession() = default;
  Store* store_ = nullptr;
  std::unique_ptr<Db> db_;
  std::shared_lock<std::shared_mutex> index_lock_;
  const TermIndex* index_ = nullptr;
  int64_t generation_ = 0;
  int64_t workspace_id_ = 0;
  int64_t version_ = 0;
};

// Hex XXH3-128 of `bytes`: the content hash used to skip unchanged files.
std::string ContentHash(std::string_view bytes);

}  // namespace docent::store
