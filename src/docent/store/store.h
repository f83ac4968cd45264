// The store: one SQLite database (WAL) per data directory holding every durable fact:
// documents with their extracted text, chunks with locations, and the FTS5 index over them.
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

struct DocumentInfo {
  int64_t id = 0;
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
  std::string source;
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

  Result<std::optional<DocumentInfo>> FindBySource(std::string_view source);
  Result<std::optional<DocumentInfo>> FindById(int64_t id);
  Result<std::vector<DocumentInfo>> ListDocuments();
  Result<std::string> DocumentText(int64_t id);
  Result<StoreStats> Stats();

  // Adds the document, or replaces the one with the same source atomically. A document
  // whose source and content hash are already stored is left alone (kUnchanged).
  Result<PutOutcome> PutDocument(const DocumentToPut& doc, int64_t* id_out = nullptr);

  // Removes a document with its chunks and index entries; NotFound when there is none.
  // FailedPrecondition inside a batch.
  Status RemoveDocument(int64_t id);

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
  // A consistent read of the store on a connection of its own, so searches and answers go
  // on while a document is being written (see ReadSession). With `with_index`, the session
  // also holds the term index for its snapshot when one is built and current.
  Result<std::unique_ptr<ReadSession>> Read(bool with_index);
  // Builds the term index from a snapshot without holding any lock while it reads, so
  // searches meanwhile rank through FTS5 (a server calls this at start, off the request
  // path). A no-op when the index is current. Setting *cancel stops it between rows
  // (Cancelled), so a server shutting down does not wait for a large build.
  Status WarmTermIndex(const std::atomic<bool>* cancel = nullptr);

  // The term index's memory (approximate heap bytes; zero while none is built), its dead part
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
  // Sets chunks_fts's merge policy when the database does not have it yet.
  Status TuneFts();
  static Result<std::optional<DocumentInfo>> FindWhere(Db& db, std::string_view where,
                                                       const std::string& key, int64_t id);
  friend class ReadSession;
  // A chunk's indexed columns, carried from the write transaction to the index update.
  struct ChunkText {
    int64_t id = 0;
    std::string title, heading, body;
  };
  // Deletes the document's chunks; when the term index is live, appends their text to
  // *removed so they can leave the index when the transaction commits.
  Status DeleteChunksLocked(int64_t doc_id, std::vector<ChunkText>* removed);
  bool IndexLive() const;
  // Bumps meta.generation inside the open transaction; returns the value before.
  Result<int64_t> BumpGenerationLocked();
  // Commits and brings the term index to the new generation, under index_mu_ exclusive.
  // Swaps in a compacted copy of the term index when its dead part has grown (see
  // TermIndexMemory). Called by a writer, with mu_ held, after its commit.
  void CompactTermIndexIfWorthIt();
  Status CommitAndIndex(Transaction& tx, int64_t generation_before, bool collected,
                        const std::vector<ChunkText>& removed, const std::vector<ChunkText>& added);
  Result<PutOutcome> PutDocumentLocked(const DocumentToPut& doc, int64_t* id_out);
  Result<std::unique_ptr<Db>> TakeReader();
  void ReturnReader(std::unique_ptr<Db> db);
  static constexpr size_t kMaxIdleReaders = 16;

  std::filesystem::path data_dir_;
  std::mutex mu_;
  Db db_;  // GUARDED_BY(mu_)
  // The term index and the meta.generation it reflects. GUARDED_BY(index_mu_): readers
  // hold it shared for the length of a session, a commit holds it exclusive.
  std::function<void()> before_commit_;  // GUARDED_BY(mu_)
  // The open batch, if any (GUARDED_BY(mu_)): its transaction, the generation before it,
  // whether the term index was live at its start, and the index changes to apply at commit.
  struct Batch {
    explicit Batch(Db& db) : tx(db) {}
    Transaction tx;
    int64_t generation_before = 0;
    bool index_live = false;
    std::vector<ChunkText> removed, added;
    Status failure;  // the first failed write: the batch commits nothing
  };
  std::unique_ptr<Batch> batch_;
  mutable std::shared_mutex index_mu_;
  std::unique_ptr<TermIndex> term_index_;
  int64_t index_generation_ = -1;
  uint64_t index_compactions_ = 0;  // GUARDED_BY(index_mu_)
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Db>> idle_readers_;  // GUARDED_BY(readers_mu_)
  // NoteRetrieved's counts not yet written, and how many notes they hold.
  std::mutex retrievals_mu_;
  std::unordered_map<int64_t, int64_t> pending_retrievals_;  // GUARDED_BY(retrievals_mu_)
  size_t pending_notes_ = 0;                                 // GUARDED_BY(retrievals_mu_)
};

// One snapshot of the store on a pooled read-only connection (WAL: it never waits for the
// writer). Everything read through db() sees the same committed state, generation()
// names it, and index() is the term index for exactly that state, or null when none is
// built for it. Holding a session with the index delays the next commit, so keep it short.
// Thread safety: one thread at a time.
class ReadSession {
 public:
  ~ReadSession();
  ReadSession(const ReadSession&) = delete;
  ReadSession& operator=(const ReadSession&) = delete;

  Db& db() { return *db_; }
  int64_t generation() const { return generation_; }
  const TermIndex* index() const { return index_; }
  Result<int64_t> ChunkCount();

 private:
  friend class Store;
  ReadSession() = default;
  Store* store_ = nullptr;
  std::unique_ptr<Db> db_;
  std::shared_lock<std::shared_mutex> index_lock_;
  const TermIndex* index_ = nullptr;
  int64_t generation_ = 0;
};

// Hex XXH3-128 of `bytes`: the content hash used to skip unchanged files.
std::string ContentHash(std::string_view bytes);

}  // namespace docent::store
