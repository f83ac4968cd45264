// Block-building helpers shared by the extractors.
#include "docent/ingest/blocks.h"

#include <algorithm>
#include <filesystem>

#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || cp == 0x3000 || cp == 0x2007 || cp == 0x202F || cp == 0xFEFF ||
         (cp >= 0x2000 && cp <= 0x200A);
}

// Whether a byte can begin one of the spaces IsSpace knows: ASCII ones, or the lead byte of
// U+00A0 (C2), U+2000..U+202F (E2), U+3000 (E3) and U+FEFF (EF). Any other byte is copied
// as it is, so only these need decoding.
bool MayStartSpace(unsigned char c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return c == 0xC2 || c == 0xE2 || c == 0xE3 || c == 0xEF;
}

}  // namespace

std::string CollapseSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t pos = 0;
  const size_t n = text.size();
  while (pos < n) {
    // Runs of bytes that cannot start a space are copied whole: most text is such runs.
    size_t run = pos;
    while (run < n && !MayStartSpace(static_cast<unsigned char>(text[run]))) ++run;
    size_t next = run;
    bool space = false;
    if (run < n) {
      if (static_cast<unsigned char>(text[run]) < 0x80) {  // an ASCII space, the usual case
        space = true;
        ++next;
      } else {
        space = IsSpace(util::DecodeUtf8(text, next));
        if (!space) run = next;  // e.g. U+00E9 or U+2019: part of the copied text
      }
    }
    if (run > pos) {
      if (pending_space) out += ' ';
      pending_space = false;
      out.append(text.substr(pos, run - pos));
    }
    if (space) pending_space = !out.empty();
    pos = next;
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  const char* ws = " \t\n\r\f\v";
  const size_t begin = text.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(ws) - begin + 1);
}

std::string CleanLines(std::string_view text) {
  std::string out;
  size_t start = 0;
  size_t blank_run = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line = CollapseSpaces(text.substr(start, end - start));
    if (line.empty()) {
      ++blank_run;
    } else {
      if (!out.empty()) out.append(blank_run > 0 ? "\n\n" : "\n");
      out += line;
      blank_run = 0;
    }
    start = end + 1;
  }
  return out;
}

void AddBlock(ExtractedDocument& doc, BlockKind kind, int level, std::string text,
              const Block& proto) {
  if (Trim(text).empty()) return;
  Block block = proto;
  block.kind = kind;
  block.level = kind == BlockKind::kHeading ? level : 0;
  block.text = std::move(text);
  doc.blocks.push_back(std::move(block));
}

std::string TableRowText(const std::vector<std::string>& cells,
                         const std::vector<std::string>* header) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    if (!out.empty()) out += " | ";
    if (header != nullptr && i < header->size() && !(*header)[i].empty() &&
        (*header)[i] != cells[i]) {
      out += (*header)[i];
      out += ": ";
    }
    out += cells[i];
  }
  return out;
}

void AddTable(ExtractedDocument& doc, std::vector<std::vector<std::string>> rows,
              bool first_row_is_header, const Block& proto) {
  std::vector<std::vector<std::string>> kept;
  for (auto& row : rows) {
    bool any = false;
    for (auto& cell : row) {
      cell = CollapseSpaces(cell);
      any = any || !cell.empty();
    }
    if (any) kept.push_back(std::move(row));
  }
  if (kept.empty()) return;
  const bool labelled = first_row_is_header && kept.size() > 1;
  for (size_t r = labelled ? 1 : 0; r < kept.size(); ++r) {
    AddBlock(doc, BlockKind::kTableRow, 0, TableRowText(kept[r], labelled ? &kept[0] : nullptr),
             proto);
  }
}

std::string FileStem(std::string_view file_name) {
  std::string stem = std::filesystem::path(std::string(file_name)).stem().string();
  return stem.empty() ? std::string(file_name) : stem;
}

void TitleFromShortFirstParagraph(ExtractedDocument& doc) {
  constexpr size_t kMaxTitleParagraphBytes = 240;
  const bool has_heading = std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const Block& b) {
    return b.kind == BlockKind::kHeading;
  });
  if (doc.title.empty() && !has_heading && !doc.blocks.empty() &&
      doc.blocks[0].kind == BlockKind::kParagraph &&
      doc.blocks[0].text.size() <= kMaxTitleParagraphBytes) {
    doc.title = doc.blocks[0].text;
  }
}

}  // namespace docent::ingest
