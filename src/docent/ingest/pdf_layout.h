// Rebuilds lines, paragraphs and headings from a PDF's positioned words. A PDF has no
// paragraphs, only glyphs at coordinates; poppler gives words in reading order (columns
// already separated), and this groups them by position and font size. Private to ingest.
#pragma once

#include <string>
#include <vector>

namespace docent::ingest {

struct PdfWord {
  std::string text;
  double x = 0, y = 0, width = 0, height = 0;  // top-left origin, points
  double font_size = 0;
  bool space_after = false;
};

struct PdfParagraph {
  std::string text;  // lines joined by '\n'
  double font_size = 0;
  int lines = 0;
  int page = 0;
  int heading_level = 0;  // set by MarkHeadings
};

// One page's words, in poppler's reading order, to paragraphs: a new line where the
// baseline moves; a new paragraph where the font size changes, the text moves up (a new
// column or block), or the gap to the previous line is clearly wider than the page's usual.
std::vector<PdfParagraph> BuildParagraphs(const std::vector<PdfWord>& words, int page);

// Drops running headers and footers: a page's first or last paragraph that recurs (digits
// ignored, so "Page 3" matches "Page 4") on at least half of the pages, and bare page numbers.
void DropRunningHeaders(std::vector<PdfParagraph>& paragraphs, int pages);

// Marks short paragraphs set clearly larger than the body text as headings; the largest
// size is level 1. For PDFs without an outline (bookmarks).
void MarkHeadingsByFontSize(std::vector<PdfParagraph>& paragraphs);

}  // namespace docent::ingest
