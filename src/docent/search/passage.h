// A retrieved passage: one chunk with its document and location, as the search module
// returns it and the answer pipeline consumes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace docent::search {

// Another document's copy of a passage's text (search/retriever.h, near-duplicates).
struct PassageCopy {
  int64_t chunk_id = 0;
  int64_t doc_id = 0;
  std::string doc_title;
  std::string doc_path;
  std::string location;
};

struct Passage {
  int64_t chunk_id = 0;
  int64_t doc_id = 0;
  std::string doc_title;
  std::string doc_path;     // the path or upload name the document was added from
  std::string location;     // Chunk::Location(): "p. 3 · Leave policy > Annual leave"
  std::string text;         // the chunk's text (NFC)
  uint32_t char_begin = 0;  // code point offsets into the document's extracted text
  uint32_t char_end = 0;
  double score = 0;          // higher is better; comparable within one result list only
  int64_t workspace_id = 0;  // the document's workspace; set where a list spans workspaces
  std::vector<PassageCopy> duplicates;  // near-duplicates found lower in the same list
};

}  // namespace docent::search
