// The store: one SQLite database (WAL) per data directory holding every durable fact:
// documents with their extracted text, chunks with locations, and the FTS5 index over them.
//
// Invariants (each holds after every committed transaction, so after a crash at any
// instant too):
//  - a document's row, its chunks and their FTS5 entries change together in one
//    transaction: a document is either wholly in its old state or wholly in its new one;
//  - documents.chunk_count equals the number of its rows in `chunks`;
//  - chunks_fts holds exactly the rows of `chunks` (external content, kept in step by hand).
// Thread safety: a Store is safe to share; calls are serialised on an internal mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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
  Status RemoveDocument(int64_t id);

  // Runs FTS5's own integrity check and docent's invariants; for tests and `docent check`.
  Status CheckIntegrity();

  // For the search module, which runs its read-only queries under the same lock.
  Db& db() { return db_; }
  // The in-memory mirror of chunks_fts that search ranks with (see term_index.h). Built
  // from the chunks table on first use, and again whenever another connection has
  // committed; this Store's own commits are applied to it as they happen. Call with
  // mutex() held; the pointer stays valid until the next write or the next call.
  Result<const TermIndex*> TermIndexLocked();
  // The term index when it is built and current, else nullptr (nothing is built).
  Result<const TermIndex*> FreshTermIndexLocked();
  // Builds the term index now, from a snapshot on a second connection and without holding
  // mutex() while it reads, so searches meanwhile rank through FTS5 (a server calls this
  // at start, off the request path).
  Status WarmTermIndex();
  // SELECT count(*) FROM chunks, with mutex() held.
  Result<int64_t> ChunkCountLocked();
  std::mutex& mutex() { return mu_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  Store(std::filesystem::path data_dir, Db db) : data_dir_(std::move(data_dir)), db_(std::move(db)) {}
  Status Migrate();
  Result<std::optional<DocumentInfo>> FindWhere(std::string_view where, const std::string& key,
                                                int64_t id);
  // Deletes the document's chunks; when the term index is live, appends their terms to
  // *removed so they can leave the index once the transaction commits.
  Status DeleteChunksLocked(int64_t doc_id, std::vector<ChunkTerms>* removed);
  Result<int64_t> DataVersionLocked();
  // Applies a committed change to the term index, when it is live.
  void ApplyToTermIndex(const std::vector<ChunkTerms>& removed, const std::vector<ChunkTerms>& added);

  std::filesystem::path data_dir_;
  std::mutex mu_;
  Db db_;  // GUARDED_BY(mu_)
  // GUARDED_BY(mu_): null until a search needs it; data_version_ is PRAGMA data_version
  // when it was last known to match the database.
  std::unique_ptr<TermIndex> term_index_;
  int64_t data_version_ = 0;
  uint64_t commits_ = 0;  // GUARDED_BY(mu_): this Store's committed writes
};

// Hex XXH3-128 of `bytes`: the content hash used to skip unchanged files.
std::string ContentHash(std::string_view bytes);

}  // namespace docent::store
