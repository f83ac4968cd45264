// WritePdf: A4 pages drawn with cairo in NanumGothic. cairo embeds a subset of the font with a
// ToUnicode map, so poppler extracts real Hangul. Text is wrapped at spaces by measured width
// (Korean too, as Korean wraps between words), headings are larger and bold, tables are ruled
// grids with a shaded header row, and headings become PDF bookmarks.
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <memory>
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

constexpr double kPageWidth = 595.276;  // A4 in points
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 62.0;  // about 22 mm
constexpr double kTextWidth = kPageWidth - 2 * kMargin;
constexpr double kBodySize = 10.5;
constexpr double kHeadingSizes[] = {20, 16, 13.5, 12, 11, 10.5};
constexpr double kLineFactor = 1.5;  // line height over font size
constexpr double kCellPadding = 4;
constexpr double kTableSize = 9.5;
constexpr char kFontFamily[] = "NanumGothic";

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  return 4;
}

class PdfLayout {
 public:
  PdfLayout(cairo_surface_t* surface, cairo_t* cr) : surface_(surface), cr_(cr) {}

  // Checks that fontconfig resolves the family to NanumGothic itself, not a fallback face
  // without Hangul (which would draw empty boxes and extract nothing useful).
  Status CheckFont() {
    SetFont(kBodySize, false);
    cairo_scaled_font_t* scaled = cairo_get_scaled_font(cr_);
    if (cairo_scaled_font_get_type(scaled) != CAIRO_FONT_TYPE_FT) {
      return Unsupported("pdf: cairo has no FreeType font backend");
    }
    FT_Face face = cairo_ft_scaled_font_lock_face(scaled);
    const std::string family = face != nullptr && face->family_name ? face->family_name : "";
    cairo_ft_scaled_font_unlock_face(scaled);
    if (family != kFontFamily) {
      return Unsupported("pdf: font NanumGothic not found (got \"" + family +
                         "\"); install fonts-nanum");
    }
    return Status::Ok();
  }

  Status Page(int page_number, const std::vector<DocItem>& items) {
    page_ = page_number;
    y_ = kMargin;
    for (size_t i = 0; i < items.size(); ++i) {
      const DocItem& item = items[i];
      switch (item.kind) {
        case DocItem::Kind::kHeading:
          DOCENT_RETURN_IF_ERROR(Heading(item, i == 0));
          break;
        case DocItem::Kind::kParagraph:
          DOCENT_RETURN_IF_ERROR(Text(item.text, kBodySize, false));
          y_ += kBodySize * 0.6;
          break;
        case DocItem::Kind::kTable:
          DOCENT_RETURN_IF_ERROR(Table(item.rows));
          y_ += kBodySize * 0.8;
          break;
      }
    }
    cairo_show_page(cr_);
    return Status::Ok();
  }

 private:
  void SetFont(double size, bool bold) {
    cairo_select_font_face(cr_, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
  }

  double Width(const std::string& text) {
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, text.c_str(), &extents);
    return extents.x_advance;
  }

  // Fails naming the first character the current font has no glyph for.
  Status CheckGlyphs(const std::string& text) {
    cairo_scaled_font_t* scaled = cairo_get_scaled_font(cr_);
    for (size_t i = 0; i < text.size();) {
      const size_t n = std::min(Utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
      cairo_glyph_t* glyphs = nullptr;
      int count = 0;
      const cairo_status_t status =
          cairo_scaled_font_text_to_glyphs(scaled, 0, 0, text.data() + i, static_cast<int>(n),
                                           &glyphs, &count, nullptr, nullptr, nullptr);
      const bool missing = status != CAIRO_STATUS_SUCCESS || count != 1 || glyphs[0].index == 0;
      cairo_glyph_free(glyphs);
      if (missing && text[i] != '\n') {
        return InvalidArgument("pdf: page " + std::to_string(page_) + ": no glyph for \"" +
                               text.substr(i, n) + "\" in NanumGothic (or invalid UTF-8)");
      }
      i += n;
    }
    return Status::Ok();
  }

  // Greedy wrapping at spaces; a word wider than the line is split between characters.
  std::vector<std::string> Wrap(const std::string& text, double width) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (true) {
      const size_t end = text.find('\n', start);
      const std::string hard = text.substr(start, end == std::string::npos ? end : end - start);
      std::string line;
      size_t pos = 0;
      while (pos <= hard.size()) {
        size_t space = hard.find(' ', pos);
        if (space == std::string::npos) space = hard.size();
        const std::string word = hard.substr(pos, space - pos);
        pos = space + 1;
        if (word.empty()) continue;
        const std::string candidate = line.empty() ? word : line + " " + word;
        if (Width(candidate) <= width) {
          line = candidate;
          continue;
        }
        if (!line.empty()) lines.push_back(line);
        line.clear();
        for (size_t i = 0; i < word.size();) {
          const size_t n = Utf8Length(static_cast<unsigned char>(word[i]));
          const std::string piece = word.substr(i, n);
          if (!line.empty() && Width(line + piece) > width) {
            lines.push_back(line);
            line.clear();
          }
          line += piece;
          i += n;
        }
      }
      lines.push_back(line);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return lines;
  }

  Status Fits(double height) const {
    if (y_ + height > kPageHeight - kMargin) {
      return InvalidArgument("pdf: page " + std::to_string(page_) +
                             ": content does not fit on one A4 page; split it across pages");
    }
    return Status::Ok();
  }

  // Draws wrapped text at the cursor, `indent` points in from the left margin.
  Status Text(const std::string& text, double size, bool bold, double indent = 0) {
    SetFont(size, bold);
    DOCENT_RETURN_IF_ERROR(CheckGlyphs(text));
    const std::vector<std::string> lines = Wrap(text, kTextWidth - indent);
    const double line_height = size * kLineFactor;
    DOCENT_RETURN_IF_ERROR(Fits(line_height * static_cast<double>(lines.size())));
    cairo_font_extents_t font;
    cairo_font_extents(cr_, &font);
    for (const std::string& line : lines) {
      cairo_move_to(cr_, kMargin + indent, y_ + font.ascent + (line_height - font.height) / 2);
      cairo_show_text(cr_, line.c_str());
      y_ += line_height;
    }
    return Status::Ok();
  }

  Status Heading(const DocItem& item, bool first_on_page) {
    const int level = std::clamp(item.level, 1, 6);
    const double size = kHeadingSizes[level - 1];
    if (!first_on_page) y_ += size * 0.7;
    const double top = y_;
    DOCENT_RETURN_IF_ERROR(Text(item.text, size, true));
    y_ += size * 0.3;
    // Bookmark: nested under the nearest shallower heading seen so far.
    int parent = CAIRO_PDF_OUTLINE_ROOT;
    for (int l = level - 1; l >= 1; --l) {
      if (outline_[l - 1] != 0) {
        parent = outline_[l - 1];
        break;
      }
    }
    const std::string link = "page=" + std::to_string(page_) + " pos=[" + std::to_string(kMargin) +
                             " " + std::to_string(top) + "]";
    outline_[level - 1] = cairo_pdf_surface_add_outline(surface_, parent, item.text.c_str(),
                                                        link.c_str(), CAIRO_PDF_OUTLINE_FLAG_OPEN);
    for (int l = level; l < 6; ++l) outline_[l] = 0;
    return Status::Ok();
  }

  Status Table(const std::vector<std::vector<std::string>>& rows) {
    size_t columns = 1;
    for (const auto& row : rows) columns = std::max(columns, row.size());
    // Column widths follow each column's widest cell, each at least a tenth of the line.
    std::vector<double> widths(columns, 0);
    SetFont(kTableSize, true);
    for (const auto& row : rows) {
      for (size_t c = 0; c < row.size(); ++c) {
        widths[c] = std::max(widths[c], Width(row[c]) + 2 * kCellPadding);
      }
    }
    double total = 0;
    for (double& w : widths) total += (w = std::max(w, kTextWidth / 10));
    for (double& w : widths) w *= kTextWidth / total;

    const double line_height = kTableSize * 1.35;
    for (size_t r = 0; r < rows.size(); ++r) {
      const bool header = r == 0 && rows.size() > 1;
      SetFont(kTableSize, header);
      std::vector<std::vector<std::string>> cells(columns);
      size_t max_lines = 1;
      for (size_t c = 0; c < columns; ++c) {
        const std::string text = c < rows[r].size() ? rows[r][c] : std::string();
        DOCENT_RETURN_IF_ERROR(CheckGlyphs(text));
        cells[c] = Wrap(text, widths[c] - 2 * kCellPadding);
        max_lines = std::max(max_lines, cells[c].size());
      }
      const double height = line_height * static_cast<double>(max_lines) + 2 * kCellPadding;
      DOCENT_RETURN_IF_ERROR(Fits(height));
      cairo_font_extents_t font;
      cairo_font_extents(cr_, &font);
      double x = kMargin;
      for (size_t c = 0; c < columns; ++c) {
        cairo_rectangle(cr_, x, y_, widths[c], height);
        if (header) {
          cairo_set_source_rgb(cr_, 0.9, 0.9, 0.9);
          cairo_fill_preserve(cr_);
        }
        cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
        cairo_set_line_width(cr_, 0.6);
        cairo_stroke(cr_);
        cairo_set_source_rgb(cr_, 0, 0, 0);
        double line_y = y_ + kCellPadding;
        for (const std::string& line : cells[c]) {
          cairo_move_to(cr_, x + kCellPadding,
                        line_y + font.ascent + (line_height - font.height) / 2);
          cairo_show_text(cr_, line.c_str());
          line_y += line_height;
        }
        x += widths[c];
      }
      y_ += height;
    }
    return Status::Ok();
  }

  cairo_surface_t* surface_;
  cairo_t* cr_;
  int page_ = 0;
  double y_ = 0;
  int outline_[6] = {0, 0, 0, 0, 0, 0};  // latest bookmark id per heading level
};

}  // namespace

Status WritePdf(const std::filesystem::path& path, const std::string& title,
                const std::vector<std::vector<DocItem>>& pages) {
  if (pages.empty()) return InvalidArgument("pdf: a PDF needs at least one page");
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_pdf_surface_create(path.c_str(), kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return IOError(path.string() + ": cannot create PDF: " +
                   cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "docent");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, kFixedIsoTime);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, kFixedIsoTime);
  std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));

  PdfLayout layout(surface.get(), cr.get());
  Status status = layout.CheckFont();
  for (size_t i = 0; status.ok() && i < pages.size(); ++i) {
    status = layout.Page(static_cast<int>(i + 1), pages[i]);
  }
  if (status.ok() && cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    status = InvalidArgument(std::string("pdf: cannot draw: ") +
                             cairo_status_to_string(cairo_status(cr.get())));
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  const cairo_status_t drawn = cairo_surface_status(surface.get());
  surface.reset();
  if (!status.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // leave no half-written PDF behind
    return status.WithContext(path.string());
  }
  if (drawn != CAIRO_STATUS_SUCCESS) {
    return IOError(path.string() + ": cannot write PDF: " + cairo_status_to_string(drawn));
  }
  return Status::Ok();
}

}  // namespace docent::testing

// cairo finds NanumGothic through fontconfig, whose process-lifetime caches LeakSanitizer
// reports at exit in the ASan build (detect_leaks=1). They are fontconfig's, not ours, so every
// binary that draws a PDF suppresses exactly those. The sanitizer runtime reads this hook; a
// normal build never calls it. Weak, so a binary with its own list keeps it.
extern "C" __attribute__((weak)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
