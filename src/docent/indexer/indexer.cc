// Walking folders and indexing files: extraction, chunking, one commit per document.
#include "docent/indexer/indexer.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <utility>

namespace docent::indexer {
namespace fs = std::filesystem;

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAdded:
      return "added";
    case Outcome::kReplaced:
      return "updated";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kFailed:
      return "failed";
  }
  return "?";
}

namespace {

bool IsHidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.' && name != "." && name != "..";
}

void Walk(const fs::path& dir, std::set<std::pair<dev_t, ino_t>>& visited,
          std::vector<fs::path>& files, std::vector<FileResult>* problems) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (problems)
      problems->push_back({dir.string(), Outcome::kFailed, "cannot read folder", {}, 0, 0, 0});
    return;
  }
  if (!visited.insert({st.st_dev, st.st_ino}).second) {
    if (problems) {
      problems->push_back({dir.string(),
                           Outcome::kSkipped,
                           "directory loop: this folder was already walked",
                           {},
                           0,
                           0,
                           0});
    }
    return;
  }
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec && problems) {
    problems->push_back(
        {dir.string(), Outcome::kFailed, "cannot list folder: " + ec.message(), {}, 0, 0, 0});
  }
  std::sort(entries.begin(), entries.end());
  for (const fs::path& e : entries) {
    if (IsHidden(e)) continue;
    std::error_code sec;
    if (fs::is_directory(e, sec)) {  // follows symlinks; the visited set stops loops
      Walk(e, visited, files, problems);
    } else if (fs::is_regular_file(e, sec)) {
      files.push_back(e);
    }
  }
}

FileResult Fail(std::string path, const Status& s) {
  FileResult r;
  r.path = std::move(path);
  r.outcome = s.code() == StatusCode::kUnsupported ? Outcome::kSkipped : Outcome::kFailed;
  r.message = s.message();
  return r;
}

}  // namespace

std::vector<fs::path> CollectFiles(const std::vector<fs::path>& inputs,
                                   std::vector<FileResult>* problems) {
  std::vector<fs::path> files;
  std::set<std::pair<dev_t, ino_t>> visited;
  for (const fs::path& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      Walk(in, visited, files, problems);
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
    } else if (problems) {
      problems->push_back({in.string(), Outcome::kFailed, "no such file or folder", {}, 0, 0, 0});
    }
  }
  return files;
}

FileResult IndexBytes(store::Store& store, std::string_view bytes, std::string_view name,
                      std::string_view source, const IndexOptions& options) {
  FileResult r;
  r.path = std::string(name);
  r.bytes = bytes.size();
  if (bytes.size() > options.limits.max_file_bytes) {
    r.message = "file is " + std::to_string(bytes.size() >> 20) + " MB, over the limit of " +
                std::to_string(options.limits.max_file_bytes >> 20) + " MB";
    return r;
  }
  std::string hash = store::ContentHash(bytes);
  auto existing = store.FindBySource(options.workspace_id, source);
  if (!existing.ok()) return Fail(r.path, existing.status());
  if (*existing && (*existing)->content_hash == hash) {
    r.outcome = Outcome::kUnchanged;
    r.doc_id = (*existing)->id;
    r.chunks = static_cast<size_t>((*existing)->chunk_count);
    return r;
  }
  ingest::Limits limits = options.limits;
  limits.ocr.cancel = options.cancel;
  if (options.on_ocr_page) {
    limits.ocr.on_page = [&options, file = std::string(name)](int done, int total) {
      options.on_ocr_page(file, done, total);
    };
  }
  auto extracted = ingest::ExtractBytes(bytes, name, limits);
  if (!extracted.ok()) {
    FileResult f = Fail(r.path, extracted.status());
    f.bytes = r.bytes;
    return f;
  }
  auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  if (cancelled()) return Fail(r.path, Cancelled("indexing was stopped"));
  store::DocumentToPut put;
  put.cancel = options.cancel;
  put.workspace_id = options.workspace_id;
  put.source = std::string(source);
  put.title = extracted->title;
  put.format = extracted->format;
  put.size_bytes = static_cast<int64_t>(bytes.size());
  put.content_hash = std::move(hash);
  put.warnings = extracted->warnings;
  put.chunked = text::ChunkDocument(*extracted, options.chunker);
  if (put.chunked.chunks.empty()) {
    r.message = "no extractable text";
    return r;
  }
  if (cancelled()) return Fail(r.path, Cancelled("indexing was stopped"));
  auto outcome = store.PutDocument(put, &r.doc_id);
  if (!outcome.ok()) return Fail(r.path, outcome.status());
  r.outcome = *outcome == store::PutOutcome::kAdded      ? Outcome::kAdded
              : *outcome == store::PutOutcome::kReplaced ? Outcome::kReplaced
                                                         : Outcome::kUnchanged;
  r.warnings = std::move(put.warnings);
  r.chunks = put.chunked.chunks.size();
  return r;
}

FileResult IndexFile(store::Store& store, const fs::path& path, const IndexOptions& options) {
  FileResult r;
  r.path = path.string();
  if (!ingest::FormatForPath(path)) {
    r.outcome = Outcome::kSkipped;
    r.message = "unsupported file type";
    return r;
  }
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) {
    r.message = "cannot read: " + ec.message();
    return r;
  }
  r.bytes = size;
  if (size > options.limits.max_file_bytes) {
    r.message = "file is " + std::to_string(size >> 20) + " MB, over the limit of " +
                std::to_string(options.limits.max_file_bytes >> 20) + " MB";
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    r.message = "cannot read the file";
    return r;
  }
  fs::path abs = fs::absolute(path, ec).lexically_normal();
  FileResult out = IndexBytes(store, bytes, path.filename().string(), abs.string(), options);
  out.path = path.string();
  return out;
}

Status IndexFiles(store::Store& store, const std::vector<fs::path>& files,
                  const IndexOptions& options, const BatchOptions& batch,
                  const std::function<void(const FileResult&)>& on_result) {
  std::vector<FileResult> pending;  // indexed in the open batch, reported at its commit
  uint64_t pending_bytes = 0;
  auto commit = [&] {
    const Status committed = store.CommitBatch();
    for (FileResult& r : pending) {
      if (!committed.ok() && (r.outcome == Outcome::kAdded || r.outcome == Outcome::kReplaced)) {
        r.outcome = Outcome::kFailed;
        r.message = "its batch could not be committed: " + committed.message();
      }
      on_result(r);
    }
    pending.clear();
    pending_bytes = 0;
  };
  for (const fs::path& f : files) {
    if (pending.empty()) DOCENT_RETURN_IF_ERROR(store.BeginBatch());
    pending.push_back(IndexFile(store, f, options));
    pending_bytes += pending.back().bytes;
    if (pending_bytes >= batch.batch_bytes || pending.size() >= batch.batch_files) commit();
  }
  if (!pending.empty()) commit();
  return Status::Ok();
}

}  // namespace docent::indexer
