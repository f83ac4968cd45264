// The FTS5 tokenizer callbacks around text::Analyze.
#include "docent/store/fts5_tokenizer.h"

#include <limits>

#include "docent/text/analyzer.h"

namespace docent::store {
namespace {

// The tokenizer keeps no per-instance state; a non-null handle is all FTS5 needs.
struct DocentTokenizer {};

int Create(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(new DocentTokenizer());
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* t) { delete reinterpret_cast<DocentTokenizer*>(t); }

int Tokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int n,
             int (*token)(void*, int, const char*, int, int, int)) {
  if (n <= 0) return SQLITE_OK;
  if (flags & FTS5_TOKENIZE_QUERY) {
    return token(ctx, 0, text, n, 0, n);
  }
  int rc = SQLITE_OK;
  bool first = true;
  text::Analyze(std::string_view(text, static_cast<size_t>(n)), text::AnalyzeMode::kDocument,
                [&](const text::Term& t) {
                  if (rc != SQLITE_OK) return;
                  if (t.text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return;
                  // FTS5 forbids COLOCATED on the first token of a text.
                  int tflags = (t.colocated && !first) ? FTS5_TOKEN_COLOCATED : 0;
                  first = false;
                  rc = token(ctx, tflags, t.text.data(), static_cast<int>(t.text.size()),
                             static_cast<int>(t.begin), static_cast<int>(t.end));
                });
  return rc;
}

Result<fts5_api*> GetFts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK) {
    return Unsupported(std::string("SQLite has no FTS5: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_pointer(st, 1, reinterpret_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (api == nullptr) return Unsupported("SQLite did not return an fts5_api pointer");
  return api;
}

}  // namespace

Status RegisterDocentTokenizer(sqlite3* db) {
  DOCENT_ASSIGN_OR_RETURN(fts5_api * api, GetFts5Api(db));
  fts5_tokenizer tok{Create, Delete, Tokenize};
  if (api->xCreateTokenizer(api, kTokenizerName, nullptr, &tok, nullptr) != SQLITE_OK) {
    return Internal("cannot register the docent FTS5 tokenizer");
  }
  return Status::Ok();
}

}  // namespace docent::store
