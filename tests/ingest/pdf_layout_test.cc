// PDF layout analysis on synthetic positioned words: lines, paragraph gaps, columns, running
// headers and font-size headings, without needing a PDF for each case.
#include "docent/ingest/pdf_layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace docent::ingest {
namespace {

constexpr double kBody = 10;
constexpr double kLineHeight = 12;  // bbox height of 10-point text
constexpr double kPitch = 14;       // baseline to baseline

// One line of words starting at (x, y); each word 6 points per character, one space apart.
void AddLine(std::vector<PdfWord>& words, double x, double y, const std::string& line,
             double size = kBody) {
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    const std::string word = line.substr(start, end - start);
    const double width = 6.0 * static_cast<double>(word.size()) * size / kBody;
    words.push_back(
        PdfWord{word, x, y, width, kLineHeight * size / kBody, size, end < line.size()});
    x += width + 3;
    start = end + 1;
  }
}

std::vector<std::string> Texts(const std::vector<PdfParagraph>& paragraphs) {
  std::vector<std::string> out;
  for (const PdfParagraph& p : paragraphs) out.push_back(p.text);
  return out;
}

TEST(PdfLayoutTest, ParagraphGapsFontChangesAndColumns) {
  std::vector<PdfWord> words;
  AddLine(words, 50, 40, "Annual Report", 20);
  AddLine(words, 50, 80, "first paragraph line one");
  AddLine(words, 50, 80 + kPitch, "line two of it.");
  AddLine(words, 50, 80 + 2 * kPitch + 8, "second paragraph after a gap");  // +8: a paragraph gap
  AddLine(words, 50, 80 + 3 * kPitch + 8, "and its second line.");
  // The right column, in reading order after the left one: the text moves back up.
  AddLine(words, 320, 80, "right column text");
  AddLine(words, 320, 80 + kPitch, "continues here.");
  // Two table cells on one baseline, with no space after the first.
  words.push_back(PdfWord{"Name", 50, 200, 24, kLineHeight, kBody, false});
  words.push_back(PdfWord{"Days", 200, 200, 24, kLineHeight, kBody, false});
  const auto paragraphs = BuildParagraphs(words, 3);
  EXPECT_EQ(Texts(paragraphs),
            (std::vector<std::string>{"Annual Report", "first paragraph line one\nline two of it.",
                                      "second paragraph after a gap\nand its second line.",
                                      "right column text\ncontinues here.", "Name Days"}));
  for (const PdfParagraph& p : paragraphs) EXPECT_EQ(p.page, 3);
}

TEST(PdfLayoutTest, HeadingsByFontSizeAreShortAndLarger) {
  std::vector<PdfParagraph> paragraphs = {
      {"Big title", 24, 1, 1, 0},
      {"Section", 16, 1, 1, 0},
      {std::string(400, 'x'), 10, 6, 1, 0},
      {"Subsection", 13, 1, 1, 0},
      {"body again " + std::string(300, 'y'), 10, 4, 1, 0},
      {"2024", 30, 1, 1, 0},  // a big number in a chart is no heading
      {"footnote", 8, 1, 1, 0}};
  MarkHeadingsByFontSize(paragraphs);
  const std::vector<int> levels = {1, 2, 0, 3, 0, 0, 0};
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    EXPECT_EQ(paragraphs[i].heading_level, levels[i]) << paragraphs[i].text;
  }
}

TEST(PdfLayoutTest, DropsRunningHeadersAndPageNumbers) {
  std::vector<PdfParagraph> paragraphs;
  for (int page = 1; page <= 4; ++page) {
    paragraphs.push_back({"ACME Corp — Confidential", 8, 1, page, 0});
    paragraphs.push_back({"Body of page " + std::to_string(page), 10, 3, page, 0});
    paragraphs.push_back({"Page " + std::to_string(page) + " of 4", 8, 1, page, 0});
  }
  paragraphs.push_back({"- 5 -", 8, 1, 5, 0});
  DropRunningHeaders(paragraphs, 5);
  EXPECT_EQ(Texts(paragraphs), (std::vector<std::string>{"Body of page 1", "Body of page 2",
                                                         "Body of page 3", "Body of page 4"}));
}

}  // namespace
}  // namespace docent::ingest
