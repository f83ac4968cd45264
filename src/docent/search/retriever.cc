// BM25, dense and hybrid retrieval with reranking and near-duplicate collapse (see
// retriever.h).
#include "docent/search/retriever.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include "docent/llm/embedder.h"

namespace docent::search {
namespace {

// Lower-cased ASCII, runs of white space made one space, trimmed.
std::string Canonical(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(u));
  }
  return out;
}

std::unordered_set<std::string> WordTrigrams(const std::string& canonical) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < canonical.size()) {
    size_t end = canonical.find(' ', start);
    if (end == std::string::npos) end = canonical.size();
    words.push_back(std::string_view(canonical).substr(start, end - start));
    start = end + 1;
  }
  std::unordered_set<std::string> grams;
  for (size_t i = 0; i + 2 < words.size(); ++i) {
    grams.insert(std::string(words[i]) + ' ' + std::string(words[i + 1]) + ' ' +
                 std::string(words[i + 2]));
  }
  return grams;
}

double Jaccard(const std::unordered_set<std::string>& a, const std::unordered_set<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t common = 0;
  for (const std::string& g : a) common += b.count(g);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// The passages in order, each near-duplicate folded into the first passage it repeats, cut to
// k distinct ones.
std::vector<Passage> Collapse(std::vector<Passage> passages, size_t k) {
  struct Kept {
    std::string canonical;
    std::unordered_set<std::string> grams;
  };
  std::vector<Passage> out;
  std::vector<Kept> kept;
  for (Passage& p : passages) {
    std::string canonical = Canonical(p.text);
    std::unordered_set<std::string> grams = WordTrigrams(canonical);
    bool folded = false;
    for (size_t i = 0; i < kept.size() && !folded; ++i) {
      if (kept[i].canonical == canonical || Jaccard(kept[i].grams, grams) >= 0.9) {
        out[i].duplicates.push_back({p.chunk_id, p.doc_id, p.doc_title, p.doc_path, p.location});
        folded = true;
      }
    }
    if (folded) continue;
    if (out.size() == k) break;
    kept.push_back({std::move(canonical), std::move(grams)});
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Passage>> DenseList(store::Store& store, int64_t workspace_id,
                                       std::string_view query, const DenseSearch& dense,
                                       size_t depth) {
  const std::string prefixed = dense.embedder->prefixes().query + std::string(query);
  DOCENT_ASSIGN_OR_RETURN(llm::Embedding q, dense.embedder->Embed(prefixed));
  DOCENT_ASSIGN_OR_RETURN(std::vector<DenseHit> hits,
                          dense.indexes->Search(workspace_id, q.vector, depth));
  std::vector<int64_t> ids;
  for (const DenseHit& h : hits) ids.push_back(h.chunk_id);
  DOCENT_ASSIGN_OR_RETURN(std::vector<Passage> passages, ReadPassages(store, workspace_id, ids));
  std::unordered_map<int64_t, float> similarity;
  for (const DenseHit& h : hits) similarity[h.chunk_id] = h.similarity;
  for (Passage& p : passages) p.score = similarity[p.chunk_id];
  return passages;
}

}  // namespace

std::vector<Passage> FuseReciprocalRank(std::vector<Passage> bm25, std::vector<Passage> dense,
                                        const RetrievalOptions& o) {
  struct Fused {
    Passage passage;
    double score = 0;
    size_t best_rank = SIZE_MAX;
  };
  std::unordered_map<int64_t, Fused> by_chunk;
  auto add = [&](std::vector<Passage>& list, double weight) {
    for (size_t i = 0; i < list.size(); ++i) {
      const size_t rank = i + 1;
      auto [it, fresh] = by_chunk.try_emplace(list[i].chunk_id);
      if (fresh) it->second.passage = std::move(list[i]);
      it->second.score += weight / static_cast<double>(o.rrf_k + static_cast<int>(rank));
      it->second.best_rank = std::min(it->second.best_rank, rank);
    }
  };
  add(bm25, o.bm25_weight);
  add(dense, o.dense_weight);
  std::vector<Fused> all;
  all.reserve(by_chunk.size());
  for (auto& [id, f] : by_chunk) all.push_back(std::move(f));
  std::sort(all.begin(), all.end(), [](const Fused& a, const Fused& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.best_rank != b.best_rank) return a.best_rank < b.best_rank;
    return a.passage.chunk_id < b.passage.chunk_id;
  });
  std::vector<Passage> out;
  out.reserve(all.size());
  for (Fused& f : all) {
    f.passage.score = f.score;
    out.push_back(std::move(f.passage));
  }
  return out;
}

namespace {

Status Rerank(std::string_view query, const llm::Embedder& reranker, size_t top,
              std::vector<Passage>& passages) {
  const size_t n = std::min(top, passages.size());
  std::vector<std::pair<float, size_t>> scored;
  for (size_t i = 0; i < n; ++i) {
    const std::string document = passages[i].doc_title + "\n" + passages[i].text;
    DOCENT_ASSIGN_OR_RETURN(llm::RerankScore s, reranker.Rerank(query, document));
    scored.push_back({s.logit, i});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Passage> head;
  for (const auto& [logit, i] : scored) {
    head.push_back(std::move(passages[i]));
    head.back().score = logit;
  }
  std::move(head.begin(), head.end(), passages.begin());
  return Status::Ok();
}

}  // namespace

std::string_view RetrievalName(Retrieval mode) {
  switch (mode) {
    case Retrieval::kBm25:
      return "bm25";
    case Retrieval::kDense:
      return "dense";
    case Retrieval::kHybrid:
      return "hybrid";
  }
  return "?";
}

Result<Retrieval> ParseRetrieval(std::string_view name) {
  for (Retrieval mode : {Retrieval::kBm25, Retrieval::kDense, Retrieval::kHybrid}) {
    if (RetrievalName(mode) == name) return mode;
  }
  return InvalidArgument("retrieval must be bm25, dense or hybrid, not \"" + std::string(name) +
                         "\"");
}

std::string RetrievalKey(const RetrievalOptions& o) {
  std::string key(RetrievalName(o.mode));
  if (o.mode != Retrieval::kBm25 && o.dense != nullptr && o.dense->embedder != nullptr) {
    key += "/" + o.dense->embedder->fingerprint();
    if (o.mode == Retrieval::kHybrid) {
      key += "/rrf" + std::to_string(o.rrf_k) + "/" + std::to_string(o.bm25_weight) + "/" +
             std::to_string(o.dense_weight) + "/" + std::to_string(o.depth);
    }
  }
  if (o.reranker != nullptr) {
    key += "/rerank/" + o.reranker->fingerprint() + "/" + std::to_string(o.rerank_top);
  }
  if (!o.collapse_duplicates) key += "/all";
  return key;
}

bool NearDuplicate(std::string_view a, std::string_view b) {
  const std::string ca = Canonical(a), cb = Canonical(b);
  return ca == cb || Jaccard(WordTrigrams(ca), WordTrigrams(cb)) >= 0.9;
}

Result<std::vector<Passage>> ReadPassages(store::Store& store, int64_t workspace_id,
                                          const std::vector<int64_t>& chunk_ids) {
  DOCENT_ASSIGN_OR_RETURN(auto session, store.Read(workspace_id, /*with_index=*/false));
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      session->db().Prepare("SELECT c.doc_id, d.title, d.source, c.location, c.body, "
                            "c.char_begin, c.char_end FROM chunks c JOIN documents d ON d.id = "
                            "c.doc_id WHERE c.id = ?1 AND d.workspace_id = ?2"));
  std::vector<Passage> out;
  for (int64_t id : chunk_ids) {
    st.Reset();
    st.Bind(1, id).Bind(2, workspace_id);
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) continue;
    Passage p;
    p.chunk_id = id;
    p.doc_id = st.Int(0);
    p.doc_title = st.Text(1);
    p.doc_path = st.Text(2);
    p.location = st.Text(3);
    p.text = st.Text(4);
    p.char_begin = static_cast<uint32_t>(st.Int(5));
    p.char_end = static_cast<uint32_t>(st.Int(6));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Passage>> Retrieve(store::Store& store, int64_t workspace_id,
                                      std::string_view query, const RetrievalOptions& o) {
  const int k = o.bm25.k;
  if (k <= 0) return SearchBm25(store, workspace_id, query, o.bm25);
  if (o.mode != Retrieval::kBm25 &&
      (o.dense == nullptr || o.dense->embedder == nullptr || o.dense->indexes == nullptr)) {
    return FailedPrecondition(std::string(RetrievalName(o.mode)) +
                              " retrieval needs an embedding model (docent add --embed-model)");
  }
  // Deep enough that collapsing duplicates and reranking still leave k to return.
  const int depth = std::max({k, o.depth, o.reranker != nullptr ? o.rerank_top : 0});
  std::vector<Passage> list;
  if (o.mode == Retrieval::kBm25) {
    SearchOptions bm25 = o.bm25;
    bm25.k = o.collapse_duplicates || o.reranker != nullptr
                 ? std::max({k + 10, 2 * k, o.reranker != nullptr ? o.rerank_top : 0})
                 : k;
    DOCENT_ASSIGN_OR_RETURN(list, SearchBm25(store, workspace_id, query, bm25));
  } else if (o.mode == Retrieval::kDense) {
    DOCENT_ASSIGN_OR_RETURN(
        list, DenseList(store, workspace_id, query, *o.dense, static_cast<size_t>(depth)));
  } else {
    SearchOptions bm25 = o.bm25;
    bm25.k = depth;
    DOCENT_ASSIGN_OR_RETURN(std::vector<Passage> lexical,
                            SearchBm25(store, workspace_id, query, bm25));
    DOCENT_ASSIGN_OR_RETURN(
        std::vector<Passage> dense,
        DenseList(store, workspace_id, query, *o.dense, static_cast<size_t>(depth)));
    list = FuseReciprocalRank(std::move(lexical), std::move(dense), o);
  }
  if (o.reranker != nullptr) {
    DOCENT_RETURN_IF_ERROR(
        Rerank(query, *o.reranker, static_cast<size_t>(std::max(o.rerank_top, 0)), list));
  }
  if (o.collapse_duplicates) return Collapse(std::move(list), static_cast<size_t>(k));
  if (list.size() > static_cast<size_t>(k)) list.resize(static_cast<size_t>(k));
  return list;
}

}  // namespace docent::search
