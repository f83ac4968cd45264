// TermIndex: chunk analysis in FTS5's terms, and posting-list upkeep.
#include "docent/store/term_index.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <unordered_map>

#include "docent/text/analyzer.h"

namespace docent::store {

TermIndex::TermIndex() {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

uint32_t TermIndex::Intern(std::string_view term) {
  if (auto it = dict_.find(term); it != dict_.end()) return it->second;
  const auto id = static_cast<uint32_t>(postings_.size());
  dict_.emplace(std::string(term), id);
  postings_.emplace_back();
  seen_.push_back(0);
  ++empty_terms_;
  return id;
}

namespace {

// Calls on_term(column, text) for each term of the three columns, in order, and returns the
// chunk's length: FTS5 counts a position for every term that is not colocated, and our
// tokenizer never marks a column's first term colocated, so that one always counts.
template <typename OnTerm>
uint32_t ForEachColumnTerm(std::string_view title, std::string_view heading, std::string_view body,
                           OnTerm&& on_term) {
  uint32_t length = 0;
  const std::string_view columns[3] = {title, heading, body};
  for (int col = 0; col < 3; ++col) {
    if (columns[col].empty()) continue;
    bool first = true;
    text::Analyze(columns[col], text::AnalyzeMode::kDocument, [&](const text::Term& t) {
      if (first || !t.colocated) ++length;
      first = false;
      on_term(col, t.text);
    });
  }
  return length;
}

}  // namespace

ChunkTerms TermIndex::AnalyzeChunk(int64_t chunk_id, std::string_view title,
                                   std::string_view heading, std::string_view body) {
  ChunkTerms out;
  out.chunk_id = chunk_id;
  out.length = ForEachColumnTerm(title, heading, body, [&](int col, std::string_view term) {
    const uint32_t id = Intern(term);
    uint32_t& seen = seen_[id];
    if (seen == 0) {
      out.terms.push_back({id, {0, 0, 0}});
      seen = static_cast<uint32_t>(out.terms.size());
    }
    ++out.terms[seen - 1].counts[col];
  });
  for (const ChunkTerms::Entry& e : out.terms) seen_[e.term] = 0;
  return out;
}

AnalyzedChunk AnalyzeChunkText(int64_t chunk_id, std::string_view title, std::string_view heading,
                               std::string_view body) {
  AnalyzedChunk out;
  out.chunk_id = chunk_id;
  std::unordered_map<std::string, uint32_t> index;  // term -> entry
  out.length = ForEachColumnTerm(title, heading, body, [&](int col, std::string_view term) {
    auto [it, added] =
        index.try_emplace(std::string(term), static_cast<uint32_t>(out.terms.size()));
    if (added) out.terms.push_back({it->first, {0, 0, 0}});
    ++out.terms[it->second].counts[col];
  });
  return out;
}

ChunkTerms TermIndex::Resolve(const AnalyzedChunk& chunk) {
  ChunkTerms out;
  out.chunk_id = chunk.chunk_id;
  out.length = chunk.length;
  out.terms.reserve(chunk.terms.size());
  for (const AnalyzedChunk::Entry& e : chunk.terms) {
    out.terms.push_back({Intern(e.term), {e.counts[0], e.counts[1], e.counts[2]}});
  }
  return out;
}

void TermIndex::Add(const ChunkTerms& chunk) {
  if (slot_of_.count(chunk.chunk_id)) return;
  const auto slot = static_cast<uint32_t>(chunk_ids_.size());
  chunk_ids_.push_back(chunk.chunk_id);
  lengths_.push_back(chunk.length);
  slot_of_.emplace(chunk.chunk_id, slot);
  constexpr uint32_t kMax16 = std::numeric_limits<uint16_t>::max();
  for (const ChunkTerms::Entry& e : chunk.terms) {
    Posting p;
    p.slot = slot;
    p.title = static_cast<uint16_t>(std::min(e.counts[0], kMax16));
    p.heading = static_cast<uint16_t>(std::min(e.counts[1], kMax16));
    p.body = e.counts[2];
    std::vector<Posting>& list = postings_[e.term];
    if (list.empty()) --empty_terms_;
    list.push_back(p);  // slots only grow, so the list stays sorted
  }
  ++rows_;
  total_tokens_ += chunk.length;
  ++generation_;
}

void TermIndex::Remove(const ChunkTerms& chunk) {
  auto it = slot_of_.find(chunk.chunk_id);
  if (it == slot_of_.end()) return;
  const uint32_t slot = it->second;
  slot_of_.erase(it);
  for (const ChunkTerms::Entry& e : chunk.terms) {
    std::vector<Posting>& list = postings_[e.term];
    auto pos = std::lower_bound(list.begin(), list.end(), slot,
                                [](const Posting& p, uint32_t s) { return p.slot < s; });
    if (pos != list.end() && pos->slot == slot) {
      list.erase(pos);
      if (list.empty()) ++empty_terms_;
    }
  }
  --rows_;
  total_tokens_ -= lengths_[slot];
  lengths_[slot] = 0;
  ++generation_;
}

bool TermIndex::NeedsCompaction() const {
  // A compaction costs one pass over the live part and comes after at least a quarter (half)
  // of it has died, so its cost per removal is constant; the floors only keep a tiny index from
  // being copied on nearly every write, and bound its dead part at ~100 KB.
  constexpr uint32_t kMinDeadSlots = 1024;
  constexpr size_t kMinDeadTerms = 4096;
  const uint64_t live_slots = static_cast<uint64_t>(rows_);
  const size_t live_terms = postings_.size() - empty_terms_;
  return (dead_slots() >= kMinDeadSlots && dead_slots() > live_slots / 4) ||
         (empty_terms_ >= kMinDeadTerms && empty_terms_ > live_terms / 2);
}

std::unique_ptr<TermIndex> TermIndex::Compacted() const {
  auto out = std::make_unique<TermIndex>();
  // Live slots in their old order: postings stay sorted after renumbering.
  std::vector<uint32_t> new_slot(chunk_ids_.size(), UINT32_MAX);
  out->chunk_ids_.reserve(static_cast<size_t>(rows_));
  out->lengths_.reserve(static_cast<size_t>(rows_));
  for (uint32_t slot = 0; slot < chunk_ids_.size(); ++slot) {
    auto it = slot_of_.find(chunk_ids_[slot]);
    if (it == slot_of_.end() || it->second != slot) continue;  // dead
    new_slot[slot] = static_cast<uint32_t>(out->chunk_ids_.size());
    out->slot_of_.emplace(chunk_ids_[slot], new_slot[slot]);
    out->chunk_ids_.push_back(chunk_ids_[slot]);
    out->lengths_.push_back(lengths_[slot]);
  }
  out->dict_.reserve(postings_.size() - empty_terms_);
  for (const auto& [term, id] : dict_) {
    const std::vector<Posting>& list = postings_[id];
    if (list.empty()) continue;
    const auto new_id = static_cast<uint32_t>(out->postings_.size());
    out->dict_.emplace(term, new_id);
    std::vector<Posting>& copy = out->postings_.emplace_back();
    copy.reserve(list.size());
    for (Posting p : list) {
      p.slot = new_slot[p.slot];
      copy.push_back(p);
    }
  }
  out->seen_.assign(out->postings_.size(), 0);
  out->rows_ = rows_;
  out->total_tokens_ = total_tokens_;
  out->generation_ = generation_ + 1;
  return out;
}

TermIndex::Memory TermIndex::MemoryUse() const {
  // Per entry of a node-based hash map: the node (key, value, next pointer, cached hash) and
  // a bucket pointer; strings beyond the small-string buffer add their capacity.
  constexpr uint64_t kNode = 2 * sizeof(void*) + sizeof(size_t);
  Memory m;
  uint64_t dead_term_bytes = 0;
  for (const auto& [term, id] : dict_) {
    uint64_t b = kNode + sizeof(std::string) + sizeof(uint32_t) + sizeof(std::vector<Posting>) +
                 sizeof(uint32_t);  // the node, postings_[id] and seen_[id]
    if (term.capacity() > 15) b += term.capacity() + 1;
    const std::vector<Posting>& list = postings_[id];
    b += list.capacity() * sizeof(Posting);
    m.bytes += b;
    if (list.empty()) dead_term_bytes += b;
  }
  const uint64_t per_slot = sizeof(int64_t) + sizeof(uint32_t);  // chunk_ids_, lengths_
  m.bytes += chunk_ids_.capacity() * per_slot;
  m.bytes += slot_of_.size() * (kNode + sizeof(int64_t) + sizeof(uint32_t));
  m.dead_bytes = dead_term_bytes + uint64_t{dead_slots()} * per_slot;
  return m;
}

const std::vector<Posting>* TermIndex::Find(std::string_view term) const {
  auto it = dict_.find(term);
  if (it == dict_.end() || postings_[it->second].empty()) return nullptr;
  return &postings_[it->second];
}

}  // namespace docent::store
