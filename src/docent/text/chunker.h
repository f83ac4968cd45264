// The chunker: turns an extracted document's blocks into the document's full text and the
// chunks that are indexed and retrieved.
//
// full_text: each block's text, NFC-normalised and trimmed of surrounding white space, joined
// by "\n\n" (headings included as they are); blocks left empty are skipped.
// Cuts along the structure: a heading starts a new chunk once the current one is big enough
// to stand alone (min_chars), or always when it opens a new page; a heading never ends a
// chunk when text follows it (it moves to the next chunk). Paragraphs are kept whole when
// they fit; a paragraph that does not fit either starts the next chunk (when the current one
// has min_chars) or fills the current one sentence by sentence. Sentences longer than
// target_chars are cut at a space near the limit, or hard-cut at a code point boundary when
// no space is near. A chunk closes once it reaches target_chars and never exceeds max_chars.
// Consecutive chunks of one section overlap by whole trailing sentences (at most
// `overlap_chars`; none after a heading, a slide or sheet change, or a cut-up sentence).
// A chunk never mixes two slides or two sheets; it may span PDF pages. heading_path is the
// path ("A > B", by heading level) of the chunk's first non-heading text; headings declared
// on a slide or sheet close with it. Deterministic: the same input gives the same chunks.
// A document with no text gives no chunks; a tiny one gives one.
// Invariant: for every chunk, full_text's code points [char_begin, char_end) are exactly
// the chunk's text, which neither begins nor ends with white space.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docent/ingest/document.h"

namespace docent::text {

struct ChunkerOptions {
  size_t target_chars = 1000;  // aim for about this many code points
  size_t min_chars = 800;      // do not close a chunk at a heading below this (unless the
                               // section change is a new page/slide/sheet)
  size_t max_chars = 1500;     // never exceed
  size_t overlap_chars = 150;  // carried from the end of the previous chunk of a section
};

struct Chunk {
  std::string text;          // NFC UTF-8, what is indexed
  std::string heading_path;  // "Leave policy > Annual leave"; empty when no heading applies
  uint32_t char_begin = 0;   // code point offsets into ChunkedDocument::full_text
  uint32_t char_end = 0;
  int page_begin = 0, page_end = 0;    // 0 when the format has no pages
  int slide_begin = 0, slide_end = 0;  // 0 when not a slide deck
  std::string sheet;                   // sheet of the chunk's first block, for xlsx
  int section = 0;                     // section of a document of several (hwp), else 0

  // Human-readable location: "p. 3", "pp. 3-4", "slide 2", "sheet Expenses", "section 2",
  // "Leave policy > Annual leave", or combinations joined with " · ".
  std::string Location() const;
};

struct ChunkedDocument {
  std::string full_text;  // NFC text of all blocks, joined by "\n\n"
  std::vector<Chunk> chunks;
};

ChunkedDocument ChunkDocument(const ingest::ExtractedDocument& doc,
                              const ChunkerOptions& options = {});

}  // namespace docent::text
