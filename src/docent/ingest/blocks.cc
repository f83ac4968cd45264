// Block-building helpers shared by the extractors.
#include "docent/ingest/blocks.h"

#include <filesystem>

#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || cp == 0x3000 || cp == 0x2007 || cp == 0x202F || cp == 0xFEFF ||
         (cp >= 0x2000 && cp <= 0x200A);
}

}  // namespace

std::string CollapseSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const char32_t cp = util::DecodeUtf8(text, pos);
    if (IsSpace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out.append(text.substr(start, pos - start));
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

}  // namespace docent::ingest
