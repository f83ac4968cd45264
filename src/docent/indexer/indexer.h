// The indexer: the "documents -> chunks -> store" arrow. It walks the paths a user names,
// extracts each file (ingest), cuts it into chunks (text) and commits it (store), one
// transaction per document, reporting one result per file. A bad file is reported and
// skipped; it never stops the batch.
// Thread safety: functions may run concurrently; the store serialises its writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/ingest/extract.h"
#include "docent/store/store.h"
#include "docent/text/chunker.h"

namespace docent::indexer {

enum class Outcome {
  kAdded,      // new document committed
  kReplaced,   // changed document: its chunks were replaced atomically
  kUnchanged,  // same content hash as stored: nothing done
  kSkipped,    // not a document docent handles (unknown type, hidden file)
  kFailed,     // bad input or an I/O error; `message` says which
};

std::string_view OutcomeName(Outcome o);

struct FileResult {
  std::string path;  // as the user named it (or the upload name)
  Outcome outcome = Outcome::kFailed;
  std::string message;  // the reason for kSkipped/kFailed
  std::vector<std::string> warnings;
  int64_t doc_id = 0;
  uint64_t bytes = 0;
  size_t chunks = 0;
};

struct IndexOptions {
  // The workspace the documents go into; a source is unique within it (store.h).
  int64_t workspace_id = store::kDefaultWorkspaceId;
  ingest::Limits limits;
  text::ChunkerOptions chunker;
  // When set and it becomes true, indexing stops at the next step (between extraction,
  // chunking and each stored chunk) and the document fails with nothing stored.
  const std::atomic<bool>* cancel = nullptr;
  // Called as OCR finishes each page of a scanned document: (file name, pages done, pages to
  // read). From the recognising threads, one call at a time.
  std::function<void(const std::string& name, int done, int total)> on_ocr_page;
};

// Expands files and folders into the files to index, recursively and in a stable (sorted)
// order. Hidden entries (".git", ".DS_Store") are passed over; symlinked folders are followed
// once, and a folder reached twice (a loop) is reported in `problems` instead of walked.
std::vector<std::filesystem::path> CollectFiles(const std::vector<std::filesystem::path>& inputs,
                                                std::vector<FileResult>* problems);

// Indexes one file from disk. The store key is the file's absolute path.
FileResult IndexFile(store::Store& store, const std::filesystem::path& path,
                     const IndexOptions& options = {});

// Indexes files in order, many per transaction (Store::BeginBatch): a batch commits once it
// holds `batch_bytes` of files or `batch_files` files, and at the end. `on_result` gets each
// file's result once its batch has committed, so a file reported added is stored; when a
// commit fails, its files are reported failed with the reason. The store's error (a batch
// cannot begin) ends the run.
struct BatchOptions {
  uint64_t batch_bytes = 16ull << 20;
  size_t batch_files = 256;
};
Status IndexFiles(store::Store& store, const std::vector<std::filesystem::path>& files,
                  const IndexOptions& options, const BatchOptions& batch,
                  const std::function<void(const FileResult&)>& on_result);

// Indexes a document held in memory under `source` (e.g. "upload:report.pdf"); `name` picks
// the format and is the fallback title.
FileResult IndexBytes(store::Store& store, std::string_view bytes, std::string_view name,
                      std::string_view source, const IndexOptions& options = {});

}  // namespace docent::indexer
