// Registers docent's analyzer (text/analyzer.h) as the FTS5 tokenizer named "docent".
//
// Documents are analyzed in full (Hangul bigrams + stripped eojeol, stemmed Latin words,
// numbers). Queries are NOT re-analyzed: the search module analyzes the question itself and
// hands FTS5 a MATCH expression of quoted, already-analyzed terms, so in query mode each
// quoted string is passed through as exactly one term. This keeps query analysis in one
// place and lets the search module OR terms instead of FTS5 turning a multi-token string
// into a phrase.
#pragma once

#include <sqlite3.h>

#include "docent/util/status.h"

namespace docent::store {

inline constexpr const char* kTokenizerName = "docent";

// Registers the tokenizer on `db`; must run on every new connection before it touches the
// FTS5 table.
Status RegisterDocentTokenizer(sqlite3* db);

}  // namespace docent::store
