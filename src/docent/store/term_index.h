// TermIndex: an in-memory inverted index that mirrors chunks_fts, so BM25 top-k can be
// computed without FTS5 scoring every row that matches a common term.
//
// It holds, for each term, the chunks containing it with the term's count in each column
// (title, heading, body), and for each chunk its length in FTS5's sense. Counts follow the
// FTS5 tokenizer exactly (store/fts5_tokenizer.cc): every emitted term is one instance in
// its column, and a column's size counts the terms that are not colocated (the first term
// of a column always counts). So a BM25 computed from it equals FTS5's bm25().
//
// Source of truth: the `chunks` table. The index is derived state: Store builds it from the
// chunks on first use and applies each committed change to it afterwards; nothing here is
// ever written to disk, so a crash cannot leave it out of step.
//
// Invariants: each term's postings are sorted by slot and name live chunks only; a slot is
// never reused (a removed chunk's slot just has no postings); rows() and total_tokens()
// sum over live chunks. Thread safety: none; Store guards it with its mutex.
//
// Growth: removed chunks leave dead slots, and terms that no live chunk uses stay in the
// dictionary with empty postings, so an index that only sees replacements (the same
// documents uploaded again and again with new words) grows with its history. Compacted()
// makes a copy without either, with the live slots renumbered in their old order; Store swaps
// it in once NeedsCompaction() says the dead part has grown past a fraction of the live.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace docent::store {

// One chunk in one term's postings. Counts beyond 65535 (title/heading) saturate; no chunk
// the chunker makes comes near that.
struct Posting {
  uint32_t slot = 0;
  uint32_t body = 0;
  uint16_t title = 0;
  uint16_t heading = 0;
};

// A chunk's terms as the index sees them: built by TermIndex::AnalyzeChunk, then applied
// with Add or Remove once the transaction that wrote or deleted the chunk has committed.
struct ChunkTerms {
  struct Entry {
    uint32_t term = 0;  // term id in the index's dictionary
    uint32_t counts[3] = {0, 0, 0};
  };
  int64_t chunk_id = 0;
  uint32_t length = 0;       // tokens over all columns, as FTS5's xColumnSize(-1)
  std::vector<Entry> terms;  // distinct terms, in first-seen order
};

// A chunk's terms as text, analyzed apart from any index (so without its lock): a writer
// analyzes before it commits, and TermIndex::Resolve then only looks the terms up, so a
// commit holds readers off for the dictionary lookups, not for the analysis.
struct AnalyzedChunk {
  struct Entry {
    std::string term;
    uint32_t counts[3] = {0, 0, 0};
  };
  int64_t chunk_id = 0;
  uint32_t length = 0;
  std::vector<Entry> terms;  // distinct terms, in first-seen order
};
AnalyzedChunk AnalyzeChunkText(int64_t chunk_id, std::string_view title, std::string_view heading,
                               std::string_view body);

class TermIndex {
 public:
  TermIndex();
  TermIndex(const TermIndex&) = delete;
  TermIndex& operator=(const TermIndex&) = delete;

  // Analyzes the three columns with the search analyzer. New terms enter the dictionary
  // with no postings, which is harmless if the change is later rolled back.
  ChunkTerms AnalyzeChunk(int64_t chunk_id, std::string_view title, std::string_view heading,
                          std::string_view body);

  // The same terms as AnalyzeChunk would give, from an analysis made beforehand.
  ChunkTerms Resolve(const AnalyzedChunk& chunk);

  // Adds a chunk; its id must not be in the index.
  void Add(const ChunkTerms& chunk);
  // Removes a chunk, given the same terms it was added with; unknown ids are ignored.
  void Remove(const ChunkTerms& chunk);

  // The postings of `term`, or nullptr when no live chunk has it.
  const std::vector<Posting>* Find(std::string_view term) const;

  // Slots of removed chunks, and dictionary terms no live chunk uses.
  uint32_t dead_slots() const { return slot_count() - static_cast<uint32_t>(rows_); }
  size_t dead_terms() const { return empty_terms_; }
  size_t terms() const { return postings_.size(); }
  // Whether the dead part is large enough to be worth a Compacted() copy: more than a quarter
  // of the live slots or half the live terms, beyond a small floor (term_index.cc).
  bool NeedsCompaction() const;
  // A copy with only the live chunks (slots renumbered, old order kept) and the terms they
  // use. Searches over it give the same results; its generation() is this one's plus one.
  std::unique_ptr<TermIndex> Compacted() const;
  // Approximate heap bytes: everything, and the part held by dead slots and dead terms.
  struct Memory {
    uint64_t bytes = 0;
    uint64_t dead_bytes = 0;
  };
  Memory MemoryUse() const;

  int64_t rows() const { return rows_; }
  int64_t total_tokens() const { return total_tokens_; }
  // Slots run from 0 to slot_count() - 1; removed ones are dead but keep their id.
  uint32_t slot_count() const { return static_cast<uint32_t>(chunk_ids_.size()); }
  int64_t chunk_id(uint32_t slot) const { return chunk_ids_[slot]; }
  uint32_t length(uint32_t slot) const { return lengths_[slot]; }
  // Bumped by every Add and Remove: callers cache derived values (length norms) on it,
  // together with id(), which no other index of this process has had (an address can: a
  // rebuilt index may land where a dropped one was, with the same generation and size).
  uint64_t generation() const { return generation_; }
  uint64_t id() const { return id_; }

 private:
  uint32_t Intern(std::string_view term);

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> dict_;
  std::vector<std::vector<Posting>> postings_;     // by term id
  std::vector<int64_t> chunk_ids_;                 // by slot
  std::vector<uint32_t> lengths_;                  // by slot
  std::unordered_map<int64_t, uint32_t> slot_of_;  // live chunk id -> slot
  std::vector<uint32_t> seen_;  // scratch for AnalyzeChunk: term id -> entry index + 1
  size_t empty_terms_ = 0;      // term ids whose postings are empty
  int64_t rows_ = 0;
  int64_t total_tokens_ = 0;
  uint64_t generation_ = 0;
  uint64_t id_ = 0;
};

}  // namespace docent::store
