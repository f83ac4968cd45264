// Helpers every extractor shares to build blocks: whitespace clean-up, table rows that
// describe themselves ("Header: value | ..."), and the file-stem title fallback.
// Private to the ingest module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docent/ingest/document.h"

namespace docent::ingest {

// Collapses every run of whitespace (ASCII, NBSP, ideographic space, line breaks) to one
// space and trims both ends.
std::string CollapseSpaces(std::string_view text);
// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view text);
// Collapses spaces within lines but keeps line breaks; drops blank lines at either end and
// trailing spaces on each line. For text whose '\n' are hard breaks.
std::string CleanLines(std::string_view text);

// Appends a block unless its text is blank. `proto` carries page/slide/sheet.
void AddBlock(ExtractedDocument& doc, BlockKind kind, int level, std::string text,
              const Block& proto = {});
inline void AddParagraph(ExtractedDocument& doc, std::string text, const Block& proto = {}) {
  AddBlock(doc, BlockKind::kParagraph, 0, std::move(text), proto);
}
inline void AddHeading(ExtractedDocument& doc, int level, std::string text,
                       const Block& proto = {}) {
  AddBlock(doc, BlockKind::kHeading, level, std::move(text), proto);
}

// One row of cells. With a header, each non-empty cell becomes "Header: value" so a row read
// alone (a chunk, a citation) still says what its values mean; empty cells are left out.
std::string TableRowText(const std::vector<std::string>& cells,
                         const std::vector<std::string>* header = nullptr);

// Appends a table's rows as kTableRow blocks. With `first_row_is_header`, the first row
// labels the others instead of standing alone (unless it is the only row). Cells are
// whitespace-collapsed; empty rows are skipped.
void AddTable(ExtractedDocument& doc, std::vector<std::vector<std::string>> rows,
              bool first_row_is_header, const Block& proto = {});

// Korean reports open with a centred title in a plain style: with no title yet and no heading
// anywhere, a first paragraph of at most 240 bytes becomes the title (HWP, HWPX).
void TitleFromShortFirstParagraph(ExtractedDocument& doc);

// The file name without folder and last extension ("report.final" for
// "docs/report.final.pdf"): the title of last resort.
std::string FileStem(std::string_view file_name);

}  // namespace docent::ingest
