// PDF through poppler-cpp: each page's words in reading order, grouped into paragraphs by
// position and font size (pdf_layout.h), with `page` set; running headers and page numbers
// dropped. Headings: paragraphs matching the outline (bookmarks) in order, at the entry's
// depth; without an outline, short paragraphs set larger than the body text. Title from
// the Info dictionary, else the first heading, else the file stem.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <poppler/cpp/poppler-toc.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/pdf_layout.h"

namespace docent::ingest {
namespace {

// An outline entry whose heading is not found is skipped after looking this far ahead, so
// one missing heading does not stop the ones after it from matching.
constexpr size_t kOutlineLookahead = 4;
constexpr size_t kMaxOutlineEntries = 5000;
constexpr size_t kMaxPopplerMessage = 200;

// poppler reports problems through one process-wide callback (default: stderr). Messages
// are kept per thread, so a failure can say what poppler saw without printing anything.
thread_local std::string tls_poppler_error;

void KeepPopplerError(const std::string& message, void*) {
  if (tls_poppler_error.size() >= kMaxPopplerMessage) return;
  if (!tls_poppler_error.empty()) tls_poppler_error += "; ";
  tls_poppler_error += message;
}

void SilencePoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(KeepPopplerError, nullptr); });
}

std::string Utf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

struct OutlineEntry {
  std::string title;  // whitespace-collapsed
  int level;
};

// The outline flattened in document order, without recursion (outlines can nest deeply).
std::vector<OutlineEntry> FlattenOutline(const poppler::document& doc) {
  std::vector<OutlineEntry> entries;
  std::unique_ptr<poppler::toc> toc(doc.create_toc());
  if (!toc || !toc->root()) return entries;
  std::vector<std::pair<const poppler::toc_item*, int>> stack;
  const std::vector<poppler::toc_item*> top = toc->root()->children();
  for (auto it = top.rbegin(); it != top.rend(); ++it) stack.emplace_back(*it, 1);
  while (!stack.empty() && entries.size() < kMaxOutlineEntries) {
    auto [item, level] = stack.back();
    stack.pop_back();
    entries.push_back({CollapseSpaces(Utf8(item->title())), level});
    const std::vector<poppler::toc_item*> children = item->children();
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      stack.emplace_back(*it, level + 1);
    }
  }
  return entries;
}

// Marks paragraphs that match the outline's entries, in order, as headings at the entry's
// depth. A heading set in the body font merges with the text under it, so a paragraph whose
// first line matches is split. Returns the number of matches.
size_t MarkHeadingsByOutline(std::vector<PdfParagraph>& paragraphs,
                             const std::vector<OutlineEntry>& outline) {
  std::vector<PdfParagraph> out;
  size_t next = 0, matched = 0;
  for (PdfParagraph& p : paragraphs) {
    const size_t newline = p.text.find('\n');
    const std::string first = CollapseSpaces(p.text.substr(0, newline));
    for (size_t k = next; k < outline.size() && k < next + kOutlineLookahead; ++k) {
      if (outline[k].title.empty() || outline[k].title != first) continue;
      next = k + 1;
      ++matched;
      PdfParagraph heading = p;
      heading.text = first;
      heading.heading_level = outline[k].level;
      out.push_back(std::move(heading));
      if (newline == std::string::npos) {
        p.text.clear();
      } else {
        p.text.erase(0, newline + 1);
      }
      break;
    }
    if (!p.text.empty()) out.push_back(std::move(p));
  }
  paragraphs = std::move(out);
  return matched;
}

std::vector<PdfWord> PageWords(const poppler::page& page) {
  std::vector<PdfWord> words;
  for (const poppler::text_box& box : page.text_list(poppler::page::text_list_include_font)) {
    const poppler::rectf r = box.bbox();
    words.push_back(PdfWord{Utf8(box.text()), r.x(), r.y(), r.width(), r.height(),
                            box.get_font_size(), box.has_space_after()});
  }
  return words;
}

// Word and PowerPoint stamp "Microsoft Word - report.docx" into the Title of PDFs they
// print; the file name inside is a worse title than the first heading.
std::string CleanPdfTitle(std::string title) {
  for (std::string_view prefix :
       {"Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - "}) {
    if (title.starts_with(prefix)) return {};
  }
  if (title == "Untitled" || title == "untitled" || title == "제목 없음") return {};
  return title;
}

// Characters other than spaces in a page's words: how much text layer the page has.
int TextChars(const std::vector<PdfWord>& words) {
  int n = 0;
  for (const PdfWord& w : words) {
    for (char c : w.text) n += (c != ' ' && (static_cast<unsigned char>(c) & 0xC0) != 0x80);
  }
  return n;
}

// A page rendered to gray for OCR at 300 dpi, less for pages so large that 300 dpi would pass
// kMaxRenderPixels (a poster, or a hostile page size).
Result<GrayPage> RenderPage(const poppler::document& pdf, int index) {
  constexpr double kDpi = 300, kMaxRenderPixels = static_cast<double>(kMaxOcrPagePixels);
  std::unique_ptr<poppler::page> page(pdf.create_page(index));
  if (!page) return Corrupt("page " + std::to_string(index + 1) + " cannot be read");
  const poppler::rectf box = page->page_rect();
  const double area_in2 = std::max(box.width(), 1.0) * std::max(box.height(), 1.0) / (72.0 * 72.0);
  const double dpi = std::min(std::sqrt(kMaxRenderPixels / area_in2), kDpi);
  if (dpi < 50 || std::max(box.width(), box.height()) / 72.0 * dpi > kMaxOcrPageSide) {
    return TooLarge("page " + std::to_string(index + 1) + " is too large to read by OCR");
  }
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  renderer.set_render_hints(poppler::page_renderer::antialiasing |
                            poppler::page_renderer::text_antialiasing);
  const poppler::image image = renderer.render_page(page.get(), dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
    return Corrupt("page " + std::to_string(index + 1) + " cannot be rendered");
  }
  GrayPage gray;
  gray.width = image.width();
  gray.height = image.height();
  gray.dpi = static_cast<int>(dpi);
  gray.pixels.resize(static_cast<size_t>(gray.width) * gray.height);
  const char* data = image.const_data();
  for (int y = 0; y < gray.height; ++y) {
    std::memcpy(gray.pixels.data() + static_cast<size_t>(y) * gray.width,
                data + static_cast<size_t>(y) * image.bytes_per_row(), gray.width);
  }
  return gray;
}

}  // namespace

Result<ExtractedDocument> ExtractPdf(const ExtractInput& in) {
  SilencePoppler();
  tls_poppler_error.clear();
  if (in.bytes.size() > static_cast<size_t>(INT_MAX)) return TooLarge("PDF over 2 GB");
  if (in.bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    return Corrupt("not a PDF (no %PDF- header)");
  }
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(in.bytes.data(), static_cast<int>(in.bytes.size())));
  if (!pdf) {
    return Corrupt("damaged PDF" +
                   (tls_poppler_error.empty() ? "" : " (" + tls_poppler_error + ")"));
  }
  if (pdf->is_locked()) return Corrupt("encrypted PDF (password required)");
  const int pages = pdf->pages();
  if (pages <= 0) return Corrupt("damaged PDF (no pages)");

  ExtractedDocument doc;
  doc.title = CleanPdfTitle(CollapseSpaces(Utf8(pdf->info_key("Title"))));
  std::vector<std::vector<PdfParagraph>> page_paragraphs(static_cast<size_t>(pages));
  std::vector<int> scanned;  // pages whose text OCR reads
  int unreadable = 0;
  const OcrMode ocr = in.limits.ocr.mode;
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) {
      ++unreadable;
      continue;
    }
    if (ocr == OcrMode::kForce) {
      scanned.push_back(i);
      continue;
    }
    // Words in reading order, not the physical-layout text: that interleaves the lines of
    // side-by-side columns and garbles every sentence of a two-column page.
    const std::vector<PdfWord> words = PageWords(*page);
    if (ocr == OcrMode::kAuto && TextChars(words) < kOcrMinTextChars) {
      scanned.push_back(i);  // no text layer, or a stray page number over a scan
      continue;
    }
    page_paragraphs[static_cast<size_t>(i)] = BuildParagraphs(words, i + 1);
  }
  if (scanned.size() > static_cast<size_t>(kMaxImagePages)) {
    doc.warnings.push_back(std::to_string(scanned.size() - kMaxImagePages) +
                           " pages without text past the first " + std::to_string(kMaxImagePages) +
                           " were not read by OCR");
    scanned.resize(kMaxImagePages);
  }
  if (!scanned.empty()) {
    auto texts = RecognizePages(
        static_cast<int>(scanned.size()),
        [&](int k) { return RenderPage(*pdf, scanned[static_cast<size_t>(k)]); }, in.limits.ocr);
    if (!texts.ok() && texts.status().code() != StatusCode::kUnavailable) return texts.status();
    if (!texts.ok()) {
      // No OCR on this machine: the pages with text still count.
      doc.warnings.push_back(std::to_string(scanned.size()) +
                             " pages without a text layer were not read (" +
                             texts.status().message() + ")");
    } else {
      for (size_t k = 0; k < scanned.size(); ++k) {
        PageText& text = (*texts)[k];
        if (!text.error.empty()) {
          doc.warnings.push_back("page " + std::to_string(scanned[k] + 1) +
                                 " not read by OCR: " + text.error);
          continue;
        }
        auto& out = page_paragraphs[static_cast<size_t>(scanned[k])];
        for (std::string& paragraph : text.paragraphs) {
          PdfParagraph p;
          p.text = std::move(paragraph);
          p.lines = 1;
          p.page = scanned[k] + 1;
          out.push_back(std::move(p));
        }
      }
    }
  }
  std::vector<PdfParagraph> paragraphs;
  for (auto& on_page : page_paragraphs) {
    for (PdfParagraph& p : on_page) paragraphs.push_back(std::move(p));
  }
  DropRunningHeaders(paragraphs, pages);
  const std::vector<OutlineEntry> outline = FlattenOutline(*pdf);
  if (outline.empty() || MarkHeadingsByOutline(paragraphs, outline) == 0) {
    MarkHeadingsByFontSize(paragraphs);
  }
  for (PdfParagraph& p : paragraphs) {
    Block proto;
    proto.page = p.page;
    if (p.heading_level > 0) {
      AddHeading(doc, p.heading_level, std::move(p.text), proto);
    } else {
      AddParagraph(doc, std::move(p.text), proto);
    }
  }
  if (unreadable > 0) {
    doc.warnings.push_back(std::to_string(unreadable) + " of " + std::to_string(pages) +
                           " pages could not be read");
  }
  if (!tls_poppler_error.empty()) doc.warnings.push_back("PDF problems: " + tls_poppler_error);
  return doc;
}

}  // namespace docent::ingest
