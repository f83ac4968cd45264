// The answer cache: a question already answered in a workspace is answered again at once,
// with the same words, the same sources and the same stream of pieces, until that workspace's
// documents change.
//
// An entry's key is the canonical text of everything the answer depends on (AnswerKey): the
// workspace and its version (store.h: any write to the workspace moves it, so entries of the
// old documents are simply never asked for again, and Put retires them eagerly), the question
// as normalised (NFC, whitespace collapsed: the pipeline answers that text), the generator
// (extractive, or the model file's fingerprint and how it reads prompts), and every setting
// that changes the output. Only deterministic answers are kept: extractive ones, greedy ones,
// and sampled ones with a seed the caller chose. The key's XXH3-128 is the row's id and the
// text itself is stored and compared, so a hash collision cannot serve a wrong answer.
//
// Storage: its own SQLite file beside the store (answer-cache.db), so cache writes never
// queue behind an ingest holding the store's writer. Bounded by bytes, least recently used
// first out. The file persists across restarts; a lost cache costs time, never correctness,
// so it is written without fsync (WAL, synchronous=NORMAL).
// Thread safety: all methods may be called from any thread (one connection under a mutex:
// a lookup is one indexed read).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/sampling.h"
#include "docent/rag/extractive.h"
#include "docent/store/sqlite_db.h"
#include "docent/util/status.h"

namespace docent::answer {

inline constexpr uint64_t kDefaultAnswerCacheMb = 64;

// Where a data directory's answer cache lives, for `serve` and `ask` alike.
inline std::filesystem::path AnswerCacheFile(const std::filesystem::path& data_dir) {
  return data_dir / "answer-cache.db";
}

// What an answer's key is made of.
struct AnswerKey {
  int64_t workspace_id = 0;
  int64_t workspace_version = 0;
  std::string question;   // normalised (NormalizeQuestion)
  std::string generator;  // "extractive", or the model's identity (ModelService::generator())
  int k = 0;
  uint32_t max_tokens = 0;                      // generative only
  std::optional<llm::SamplingParams> sampling;  // generative only
  bool require_grounding = false;               // generative only (AskOptions)
  std::string retrieval;  // search::RetrievalKey: empty or "bm25" for plain BM25
  // The canonical text: fields in a fixed order, each length-prefixed, after a version tag
  // and the build (an upgraded docent does not serve answers its older self wrote).
  std::string Text() const;
};

// The question as the pipeline answers it: NFC, runs of whitespace one space, trimmed.
std::string NormalizeQuestion(std::string_view question);

// A complete answer as replayed: its pieces in the order they were handed out (a stream
// replays the same events), and everything the views show.
struct CachedAnswer {
  std::vector<std::string> pieces;
  bool found = false;
  bool generative = false;
  std::string finish_reason;
  std::string context_cache;
  bool grounded = true;
  bool replaced_ungrounded = false;
  std::vector<rag::Citation> sources;
  std::vector<int> cited;  // numbers into `sources`, in order of first use
  // The model's counts, for usage (generative).
  uint32_t prompt_tokens = 0, cached_prompt_tokens = 0, stored_prompt_tokens = 0,
           recomputed_prompt_tokens = 0;
  std::vector<uint32_t> tokens;
};

class AnswerCache {
 public:
  // Opens or creates the cache file, bounded by `budget_bytes` (> 0).
  static Result<std::unique_ptr<AnswerCache>> Open(const std::filesystem::path& file,
                                                   uint64_t budget_bytes);
  ~AnswerCache();
  AnswerCache(const AnswerCache&) = delete;
  AnswerCache& operator=(const AnswerCache&) = delete;

  // The answer stored under `key`, touched as recently used; nullopt on a miss (or when the
  // cache cannot be read: it is a cache).
  std::optional<CachedAnswer> Lookup(const AnswerKey& key);
  // Stores an answer; first retires the workspace's entries of older versions, then evicts the
  // least recently used until the total fits. An answer larger than the whole budget is not
  // kept. Errors are swallowed (counted): a cache that cannot write only costs time.
  void Put(const AnswerKey& key, const CachedAnswer& answer);
  // Forgets every entry of a workspace (it was removed).
  void DropWorkspace(int64_t workspace_id);
  // A request that could not be cached (sampling without a chosen seed), for the metrics.
  void NoteUncacheable() { uncacheable_.fetch_add(1, std::memory_order_relaxed); }

  struct Stats {
    uint64_t hits = 0, misses = 0, uncacheable = 0, evictions = 0, write_errors = 0;
    uint64_t entries = 0, bytes = 0;
  };
  Stats stats() const;
  uint64_t budget_bytes() const { return budget_; }

 private:
  AnswerCache(store::Db db, uint64_t budget) : db_(std::move(db)), budget_(budget) {}
  Status PutLocked(const std::string& id, const std::string& text, const AnswerKey& key,
                   const std::string& value);
  Status EvictLocked();
  // Deletes the rows `where` selects (an indexed condition with ?1 = a and, when it names
  // it, ?2 = b) and takes them off the totals.
  Status ForgetLocked(std::string_view where, int64_t a, int64_t b = 0);
  // Reads the totals from the table: at open, and after a failed write.
  Status RecountLocked();

  mutable std::mutex mu_;
  store::Db db_;  // GUARDED_BY(mu_)
  const uint64_t budget_;
  uint64_t bytes_ = 0, entries_ = 0;  // GUARDED_BY(mu_)
  int64_t clock_ = 0;                 // GUARDED_BY(mu_): the last use stamp handed out
  std::atomic<uint64_t> hits_{0}, misses_{0}, uncacheable_{0}, evictions_{0}, write_errors_{0};
};

}  // namespace docent::answer
