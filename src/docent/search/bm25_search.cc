// BM25 search: query analysis, ranking on the term index, read of the top chunks.
#include "docent/search/bm25_search.h"

#include <unordered_set>

#include "docent/search/bm25_ranker.h"
#include "docent/text/analyzer.h"
#include "docent/text/normalize.h"

namespace docent::search {

std::vector<std::string> QueryTerms(std::string_view query, size_t max_terms) {
  std::string normalized = text::NormalizeNfc(query);
  std::vector<std::string> terms;
  std::unordered_set<std::string> seen;
  text::Analyze(normalized, text::AnalyzeMode::kQuery, [&](const text::Term& t) {
    if (terms.size() >= max_terms || t.text.empty()) return;
    if (seen.insert(t.text).second) terms.push_back(t.text);
  });
  return terms;
}

std::string MatchExpression(const std::vector<std::string>& terms) {
  std::string expr;
  for (const std::string& t : terms) {
    if (!expr.empty()) expr += " OR ";
    expr += '"';
    for (char c : t) {
      if (c == '"') expr += '"';  // FTS5 escapes a quote inside a string by doubling it
      expr += c;
    }
    expr += '"';
  }
  return expr;
}

namespace {

// The passage fields of one chunk row: doc_id, title, source, location, body, char_begin,
// char_end from column `first` on.
Passage ReadPassage(const store::Stmt& st, int first) {
  Passage p;
  p.doc_id = st.Int(first);
  p.doc_title = st.Text(first + 1);
  p.doc_path = st.Text(first + 2);
  p.location = st.Text(first + 3);
  p.text = st.Text(first + 4);
  p.char_begin = static_cast<uint32_t>(st.Int(first + 5));
  p.char_end = static_cast<uint32_t>(st.Int(first + 6));
  return p;
}

// Ranking on the in-memory term index (exactly FTS5's bm25(), see bm25_ranker.h): SQLite is
// asked only for the k rows that made the cut, in the same snapshot as the index.
Result<std::vector<Passage>> SearchIndex(store::Db& db, const store::TermIndex& index,
                                         const std::vector<std::string>& terms,
                                         const SearchOptions& options) {
  std::vector<Passage> out;
  const std::vector<RankedChunk> ranked = RankBm25(index, terms, options.weights, options.k);
  if (ranked.empty()) return out;
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      db.Prepare("SELECT c.doc_id, d.title, d.source, c.location, c.body, c.char_begin, c.char_end "
                 "FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id = ?1"));
  for (const RankedChunk& r : ranked) {
    st.Reset();
    st.Bind(1, r.chunk_id);
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      return Internal("term index names chunk " + std::to_string(r.chunk_id) +
                      ", which the store does not hold");
    }
    Passage p = ReadPassage(st, 0);
    p.chunk_id = r.chunk_id;
    p.score = r.score;
    out.push_back(std::move(p));
  }
  return out;
}

// Ranking inside FTS5: no index to build first, but bm25() scores and sorts every row that
// matches any term, so it is the slower path on a large store.
Result<std::vector<Passage>> SearchFts5(store::Db& db, const std::vector<std::string>& terms,
                                        const SearchOptions& options) {
  std::vector<Passage> out;
  // bm25() is negative, smaller is better; c.id breaks ties so the order is total.
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      db.Prepare("SELECT c.id, c.doc_id, d.title, d.source, c.location, c.body, c.char_begin, "
                 "c.char_end, bm25(chunks_fts, ?2, ?3, ?4) AS score "
                 "FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid "
                 "JOIN documents d ON d.id = c.doc_id "
                 "WHERE chunks_fts MATCH ?1 ORDER BY score, c.id LIMIT ?5"));
  st.Bind(1, MatchExpression(terms));
  st.Bind(2, options.weights.title).Bind(3, options.weights.heading).Bind(4, options.weights.body);
  st.Bind(5, static_cast<int64_t>(options.k));
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Passage p = ReadPassage(st, 1);
    p.chunk_id = st.Int(0);
    p.score = -st.Double(8);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<std::vector<Passage>> ListPassages(store::Store& store) {
  DOCENT_ASSIGN_OR_RETURN(auto session, store.Read());
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      session->db().Prepare(
          "SELECT c.id, c.doc_id, d.title, d.source, c.location, c.body, c.char_begin, "
          "c.char_end, COALESCE(r.count, 0) AS n, d.workspace_id FROM chunks c "
          "JOIN documents d ON d.id = c.doc_id "
          "LEFT JOIN chunk_retrievals r ON r.chunk_id = c.id "
          "ORDER BY n DESC, c.doc_id, c.id"));
  std::vector<Passage> out;
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Passage p = ReadPassage(st, 1);
    p.chunk_id = st.Int(0);
    p.score = static_cast<double>(st.Int(8));
    p.workspace_id = st.Int(9);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Passage>> SearchBm25(store::Store& store, int64_t workspace_id,
                                        std::string_view query, const SearchOptions& options) {
  std::vector<std::string> terms = QueryTerms(query, options.max_query_terms);
  if (terms.empty() || options.k <= 0) {
    // Still NotFound for a workspace that does not exist.
    DOCENT_RETURN_IF_ERROR(store.Read(workspace_id, /*with_index=*/false).status());
    return std::vector<Passage>{};
  }

  DOCENT_ASSIGN_OR_RETURN(auto session, store.Read(workspace_id, /*with_index=*/true));
  if (session->index() == nullptr) {
    // FTS5's statistics are the whole table's: exact only when the workspace is all of it.
    DOCENT_ASSIGN_OR_RETURN(const bool alone, session->HoldsEveryChunk());
    bool build = options.index == IndexUse::kBuild || !alone;
    if (!build && options.index == IndexUse::kAuto) {
      DOCENT_ASSIGN_OR_RETURN(int64_t chunks, session->ChunkCount());
      build = chunks <= kBuildIndexUpToChunks;
    }
    if (build) {
      session.reset();  // building takes the index lock this session holds
      DOCENT_RETURN_IF_ERROR(store.WarmTermIndex(workspace_id));
      DOCENT_ASSIGN_OR_RETURN(session, store.Read(workspace_id, /*with_index=*/true));
      if (session->index() == nullptr) {
        // The workspace kept changing under the build (WarmTermIndex gives up after a few
        // tries): rank through FTS5 only where that is exact.
        DOCENT_ASSIGN_OR_RETURN(const bool still_alone, session->HoldsEveryChunk());
        if (!still_alone) {
          return Unavailable("the workspace is changing too fast to search; try again");
        }
      }
    }
  }
  if (session->index() != nullptr) {
    return SearchIndex(session->db(), *session->index(), terms, options);
  }
  return SearchFts5(session->db(), terms, options);
}

}  // namespace docent::search
