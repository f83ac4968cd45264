// BM25 search: query analysis, MATCH expression, ranked read of chunks.
#include "docent/search/bm25_search.h"

#include <unordered_set>

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

Result<std::vector<Passage>> SearchBm25(store::Store& store, std::string_view query,
                                        const SearchOptions& options) {
  std::vector<Passage> out;
  std::vector<std::string> terms = QueryTerms(query, options.max_query_terms);
  if (terms.empty() || options.k <= 0) return out;

  std::lock_guard lock(store.mutex());
  // bm25() is negative, smaller is better; c.id breaks ties so the order is total.
  DOCENT_ASSIGN_OR_RETURN(
      store::Stmt st,
      store.db().Prepare(
          "SELECT c.id, c.doc_id, d.title, d.source, c.location, c.body, c.char_begin, "
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
    Passage p;
    p.chunk_id = st.Int(0);
    p.doc_id = st.Int(1);
    p.doc_title = st.Text(2);
    p.doc_path = st.Text(3);
    p.location = st.Text(4);
    p.text = st.Text(5);
    p.char_begin = static_cast<uint32_t>(st.Int(6));
    p.char_end = static_cast<uint32_t>(st.Int(7));
    p.score = -st.Double(8);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace docent::search
