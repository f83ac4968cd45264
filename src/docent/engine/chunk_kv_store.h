// Keys and values a model computed for a passage, kept on disk so every question that
// retrieves the passage reuses them (the `fast` context cache; rag/context_assembly.h says how
// they are placed into a prompt). One file per entry under a directory of the data
// directory: disposable (each can be computed again from the store's chunks and the model),
// memory-mapped when read, and bounded in total size with least-recently-used eviction.
//
// Safety:
//   * An entry is written to a temporary file, fsynced and renamed into place, so a reader
//     sees a whole entry or none; its payload also carries a checksum, and a file that fails
//     it (or any other check) is never used and is deleted.
//   * Two processes may write at once (`docent warm` beside `docent serve`): entries are
//     content-addressed (the key covers everything the KV depends on) and renames are atomic,
//     so the same key always names the same bytes.
//   * A reader keeps its mapping after an eviction unlinks the file.
// Recency survives restarts through the files' modification times, touched on each hit.
// Thread-safe.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "docent/llm/mapped_file.h"
#include "docent/util/status.h"

namespace docent::engine {

// 128 bits naming an entry: a hash of everything its KV depends on (ChunkKvKey below).
using ChunkKvKey = std::array<uint8_t, 16>;

// The key of a passage's KV: the model's fingerprint (its file's bytes), the KV storage
// type, the workspace, and the tokens the KV was computed over (they cover the tokenizer, the
// template, the fixed start and the passage's header and text).
ChunkKvKey MakeChunkKvKey(std::span<const uint8_t> model_fingerprint, std::string_view kv_type,
                          std::string_view workspace, std::span<const uint32_t> tokens);

// A fingerprint of a model file: XXH3-128 of its bytes (computed once, at load).
std::array<uint8_t, 16> FingerprintBytes(std::span<const uint8_t> bytes);

class ChunkKvEntry {
 public:
  std::span<const uint32_t> tokens() const { return tokens_; }
  uint32_t first_pos() const { return first_pos_; }  // the position of tokens()[0]
  std::span<const uint8_t> kv() const { return kv_; }

 private:
  friend class ChunkKvStore;
  llm::MappedFile file_;
  std::shared_ptr<const void> pending_;  // an entry still queued for writing
  std::span<const uint32_t> tokens_;
  uint32_t first_pos_ = 0;
  std::span<const uint8_t> kv_;
};

struct ChunkKvStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t write_errors = 0;
  // Lookups served from the store, of all lookups (0 before the first).
  double hit_rate() const {
    return hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0.0;
  }
};

class ChunkKvStore {
 public:
  // Opens (creating) `dir`; budget_bytes bounds the files' total size. Leftover temporary
  // files of a writer that died are removed. IOError when the directory cannot be made.
  static Result<std::unique_ptr<ChunkKvStore>> Open(const std::filesystem::path& dir,
                                                    uint64_t budget_bytes);

  // The entry, mapped; null when there is none (or it fails its checks, and is removed).
  std::shared_ptr<const ChunkKvEntry> Get(const ChunkKvKey& key);
  // Whether an entry exists, without reading it or counting a hit.
  bool Contains(const ChunkKvKey& key) const;
  // Writes an entry (replacing one of the same key), then evicts the least recently used
  // entries while over budget. An entry larger than the whole budget is not kept.
  Status Put(const ChunkKvKey& key, std::span<const uint32_t> tokens, uint32_t first_pos,
             std::span<const uint8_t> kv);
  // Put on a background thread, so the caller (the model's thread, after a miss) does not
  // wait for the disk; the bytes are copied. Entries still queued when the store is
  // destroyed are written first. A failed write is counted (stats().write_errors), not fatal:
  // the entry is computed again next time. Get finds a queued entry at once, so what this
  // process reads does not depend on the disk's speed.
  void PutInBackground(const ChunkKvKey& key, std::span<const uint32_t> tokens, uint32_t first_pos,
                       std::span<const uint8_t> kv);
  // Waits until every background write so far is on disk.
  void Flush();
  ~ChunkKvStore();

  ChunkKvStats stats() const;
  const std::filesystem::path& dir() const { return dir_; }
  uint64_t budget_bytes() const { return budget_; }

 private:
  ChunkKvStore(std::filesystem::path dir, uint64_t budget)
      : dir_(std::move(dir)), budget_(budget) {}
  std::filesystem::path PathOf(const ChunkKvKey& key) const;
  void Touch(const std::string& name, uint64_t size);
  void EvictLocked();

  std::filesystem::path dir_;
  uint64_t budget_;
  mutable std::mutex mu_;
  // Recency: a counter per entry name; the smallest is evicted first. Guarded by mu_.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> entries_;  // name -> (tick, size)
  uint64_t tick_ = 0;
  uint64_t bytes_ = 0;
  ChunkKvStats counters_;

  // The background writer: a queue of copies, guarded by write_mu_.
  struct PendingWrite {
    ChunkKvKey key;
    std::vector<uint32_t> tokens;
    uint32_t first_pos;
    std::vector<uint8_t> kv;
  };
  void WriterLoop();
  std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<std::shared_ptr<const PendingWrite>> writes_;
  std::shared_ptr<const PendingWrite> writing_;  // the entry being written, if any
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace docent::engine
