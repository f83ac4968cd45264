// Writers for real files of every format docent ingests, so tests and the examples/ corpus
// are built from code instead of opaque binaries. Office formats are zip+XML written with
// libzip; PDFs are drawn with cairo in a Korean-capable font (NanumGothic), so their text
// layer holds real Hangul.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "docent/util/status.h"

namespace docent::testing {

struct ZipEntry {
  std::string name;
  std::string data;
  bool store = false;  // store uncompressed instead of deflating
};
Status WriteZip(const std::filesystem::path& path, const std::vector<ZipEntry>& entries);

// A simple flowing document: headings, paragraphs and tables in order.
struct DocItem {
  enum class Kind { kHeading, kParagraph, kTable } kind = Kind::kParagraph;
  int level = 1;                                // for kHeading
  std::string text;                             // for kHeading and kParagraph
  std::vector<std::vector<std::string>> rows;   // for kTable
};
struct DocModel {
  std::string title;  // written to the format's metadata where it has one
  std::vector<DocItem> items;
};

Status WriteDocx(const std::filesystem::path& path, const DocModel& doc);
Status WriteHwpx(const std::filesystem::path& path, const DocModel& doc);
Status WriteHtml(const std::filesystem::path& path, const DocModel& doc);
Status WriteMarkdown(const std::filesystem::path& path, const DocModel& doc);

struct Slide {
  std::string title;
  std::vector<std::string> bullets;
  std::string notes;  // speaker notes; empty for none
};
Status WritePptx(const std::filesystem::path& path, const std::string& title,
                 const std::vector<Slide>& slides);

struct Sheet {
  std::string name;
  std::vector<std::vector<std::string>> rows;  // cells that parse as numbers are written as numbers
};
Status WriteXlsx(const std::filesystem::path& path, const std::vector<Sheet>& sheets);

// One PDF page per element of `pages`; each page is a DocModel fragment laid out top-down
// with word wrapping. The document title goes into the PDF metadata.
Status WritePdf(const std::filesystem::path& path, const std::string& title,
                const std::vector<std::vector<DocItem>>& pages);

}  // namespace docent::testing
