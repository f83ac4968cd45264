// HWP 5 records: the tagged, levelled units that DocInfo and every section stream are made of,
// read into a tree, and the decoding of a paragraph's text record. Private to the ingest module.
//
// A record header is one little-endian u32: tag (bits 0-9), level (10-19) and payload size
// (20-31; 0xFFF means the size follows as a u32). A record of level L belongs to the nearest
// earlier record of level L-1, so levels give the tree: a paragraph's text and controls are
// its children; a table's cells are children of the table's control.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "docent/ingest/little_endian.h"
#include "docent/util/status.h"

namespace docent::ingest::hwp {

// Tags (HWPTAG_BEGIN is 16).
enum Tag : uint16_t {
  kDocumentProperties = 16,
  kNumbering = 23,
  kBullet = 24,
  kParaShape = 25,
  kDistributeDocData = 28,
  kParaHeader = 66,
  kParaText = 67,
  kCtrlHeader = 71,
  kListHeader = 72,
  kShapeComponent = 76,
  kTable = 77,
};

struct Record {
  uint16_t tag = 0;
  uint16_t level = 0;
  std::string_view payload;        // points into the stream's bytes
  std::vector<uint32_t> children;  // indices into RecordTree::records
};

struct RecordTree {
  std::vector<Record> records;
  std::vector<uint32_t> top;  // records of the lowest level, in order
  bool truncated = false;     // the stream ended inside a record, or held too many records
};

// Reads the records of `stream` (which must outlive the tree), at most `max_records` of them
// (each costs ~50 bytes of memory for 4 bytes of stream). A record whose level jumps more
// than one below its predecessor is attached to that predecessor all the same.
inline constexpr size_t kMaxRecords = 1u << 20;
RecordTree ReadRecords(std::string_view stream, size_t max_records = kMaxRecords);

// A payload's fields (little_endian.h): 0 past the end of a short payload.
using ingest::U16At;
using ingest::U32At;

// A control id as a four-character string ("tbl ", "gso ", "secd"): the u32 at `offset`,
// most significant byte first.
std::string CtrlIdAt(std::string_view payload, size_t offset);
// A length-prefixed UTF-16LE string at `offset` (u16 count of code units), as UTF-8; `next`
// receives the offset after it.
std::string WStringAt(std::string_view payload, size_t offset, size_t* next = nullptr);

// One piece of a paragraph's text record: text (UTF-8), or a control character. Extended
// controls (tables, drawings, notes, headers...) carry an id and are matched, in order, with
// the paragraph's CTRL_HEADER children.
struct TextPiece {
  enum Kind { kText, kTab, kLineBreak, kExtendedControl } kind = kText;
  std::string text;     // kText
  std::string ctrl_id;  // kExtendedControl
};

// Decodes a PARA_TEXT payload (UTF-16LE with controls 0-31, which take 1 or 8 code units).
std::vector<TextPiece> DecodeParaText(std::string_view payload);

}  // namespace docent::ingest::hwp
