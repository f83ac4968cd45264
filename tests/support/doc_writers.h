// Writers for real files of every format docent ingests, so tests and the examples/ corpus
// are built from code instead of opaque binaries. Office formats are zip+XML written with
// libzip; PDFs are drawn with cairo in a Korean-capable font (NanumGothic), so their text
// layer holds real Hangul. Output is deterministic: same input, same bytes.
// Implementations: zip_writer.cc, docx_writer.cc, xlsx_writer.cc, pptx_writer.cc,
// hwpx_writer.cc, markup_writer.cc (html, md), pdf_writer.cc.
//
// What a reader finds, per format (for extractor tests):
//   docx  headings are w:pStyle "Heading1".."Heading6" (styles.xml gives w:outlineLvl 0-5);
//         tables are w:tbl, first row marked w:tblHeader; title in docProps/core.xml dc:title.
//   hwpx  headings are paragraphs whose styleIDRef names hh:style "개요 N" (engName
//         "Outline N") in Contents/header.xml; title in content.hpf as opf:title (what Hangul
//         writes) and dc:title; '\n' in text becomes hp:lineBreak inside hp:t.
//   pptx  slide title in the p:ph type="title" shape, bullets one a:p each in the p:ph idx="1"
//         shape, notes in ppt/notesSlides/notesSlideN.xml (only for slides with notes).
//   xlsx  shared strings for text, <v> numbers for canonical decimals, first row bold.
//   html  <title>, h1-h6, p (with <br> for '\n'), table with thead/tbody.
//   md    no title (Markdown has no metadata); GFM tables; paragraphs written verbatim.
// Every function is reentrant and owns nothing beyond the call.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
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
  int level = 1;                               // for kHeading
  std::string text;                            // for kHeading and kParagraph
  std::vector<std::vector<std::string>> rows;  // for kTable
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
// The same with a workbook title in docProps/core.xml (the two-argument form writes none).
Status WriteXlsx(const std::filesystem::path& path, const std::vector<Sheet>& sheets,
                 std::string_view title);

// One PDF page per element of `pages`; each page is a DocModel fragment laid out top-down
// with word wrapping. The document title goes into the PDF metadata.
// A4 pages, NanumGothic (fonts-nanum) so Hangul embeds with a ToUnicode map. Fails with
// kInvalidArgument when a page's items do not fit on one page (so page numbers in tests stay
// truthful) or a character has no glyph in the font, and kUnsupported without NanumGothic.
Status WritePdf(const std::filesystem::path& path, const std::string& title,
                const std::vector<std::vector<DocItem>>& pages);

// Scanned pages for the OCR tests: pages laid out as WritePdf lays them out, rendered at
// `dpi`, turned by `angle_degrees`, given Gaussian noise of `noise_sigma` grey levels (seeded),
// and saved as JPEG: one JPEG per page.
struct ScanOptions {
  int dpi = 200;
  double angle_degrees = 0.7;
  double noise_sigma = 12;
  int jpeg_quality = 70;
  uint32_t seed = 1;
};
Result<std::vector<std::string>> ScanPages(const std::string& title,
                                           const std::vector<std::vector<DocItem>>& pages,
                                           const ScanOptions& options = {});
// A PDF with one JPEG filling each A4 page and no text layer: what a scanner writes.
Status WriteImagePdf(const std::filesystem::path& path, const std::vector<std::string>& jpegs);

// Writes bytes to a file as they are (for txt fixtures); kIOError when it cannot.
Status WriteTextFile(const std::filesystem::path& path, std::string_view contents);

// Escapes &, <, >, " and ' and drops the control characters XML 1.0 forbids.
std::string XmlEscape(std::string_view text);

// Every writer stamps zip entries and metadata with this fixed time, so the same input gives
// the same bytes (the examples/ corpus is committed and regenerated).
inline constexpr char kFixedIsoTime[] = "2025-01-01T00:00:00Z";

namespace internal {
// docProps/core.xml and docProps/app.xml, shared by the docx, pptx and xlsx writers. An empty
// title writes no dc:title, so readers fall back as they would for an untitled file.
std::string OoxmlCoreProps(std::string_view title);
std::string OoxmlAppProps(std::string_view application);
// True when `text` holds a Hangul syllable or jamo (picks lang="ko-KR" and the like).
bool HasHangul(std::string_view text);
}  // namespace internal

}  // namespace docent::testing
