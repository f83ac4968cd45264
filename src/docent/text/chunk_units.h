// The chunker's units (private to text/): the pieces chunks are packed from. A heading block
// is one unit; a paragraph or table row is cut into sentences; a sentence longer than the
// limit is cut into pieces, at a space when one is near the cut.
// Invariant: each unit is a trimmed, non-empty range of full_text, and units are in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace docent::text {

struct ChunkUnit {
  uint32_t cb, ce;  // code points in full_text
  size_t bb, be;    // bytes in full_text
  uint32_t block;   // index into the chunker's kept blocks
  uint32_t path;    // index into the chunker's heading paths
  bool heading;
  bool fragment;  // a piece of an over-long sentence: not a whole sentence, never overlap
};

// Where a block sits in full_text, and what its units should carry.
struct BlockPlace {
  size_t byte_base;  // the block's first byte in full_text
  uint32_t cp_base;  // its first code point
  uint32_t block;
  uint32_t path;
  bool heading;
};

// Appends the units of one block's (trimmed, NFC) text; no unit exceeds `limit` code points.
void AppendBlockUnits(std::string_view text, const BlockPlace& place, size_t limit,
                      std::vector<ChunkUnit>& out);

}  // namespace docent::text
