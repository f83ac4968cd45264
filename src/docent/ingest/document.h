// The extractors' output: a document as a sequence of located blocks of text.
//
// Extractors only say what text there is and where it sits (page, slide, sheet, heading
// level); the text module decides how to normalise and cut it into chunks. Block text is
// valid UTF-8 (extractors convert or replace bad bytes) but not yet NFC-normalised.
#pragma once

#include <string>
#include <vector>

namespace docent::ingest {

enum class BlockKind {
  kHeading,    // a title or section heading; `level` 1..6 (1 is the document/section title)
  kParagraph,  // body text, a list item, a caption, a cell of free text
  kTableRow,   // one table or spreadsheet row, cells joined with " | "
};

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  int level = 0;      // heading level for kHeading, 0 otherwise
  std::string text;   // UTF-8, one logical paragraph; may contain '\n' for hard line breaks
  int page = 0;       // 1-based PDF page; 0 when the format has no pages
  int slide = 0;      // 1-based slide number (pptx); 0 otherwise
  std::string sheet;  // sheet name (xlsx); empty otherwise
  int section = 0;    // 1-based section of a document of several (hwp); 0 otherwise
};

struct ExtractedDocument {
  std::string title;   // metadata title, else first heading, else file stem
  std::string format;  // "txt", "md", "html", "csv", "pdf", "docx", ...
  std::vector<Block> blocks;
  std::vector<std::string> warnings;  // non-fatal: "invalid UTF-8 replaced at byte 812"
};

}  // namespace docent::ingest
