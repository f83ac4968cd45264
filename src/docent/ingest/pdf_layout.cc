// PDF layout analysis: words to lines to paragraphs, running headers, font-size headings.
// The thresholds are relative (to the font size and to the page's own line spacing), so
// they hold for 8-point footnotes and 40-point slides alike.
#include "docent/ingest/pdf_layout.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

// Words whose tops differ by less than this share of their height sit on one line
// (superscripts and mixed fonts shift a little).
constexpr double kSameLineShare = 0.5;
// Font sizes within this ratio are one size (rounding in producers, bold faces).
constexpr double kSameSizeRatio = 1.1;
// A gap this many line heights wider than the page's usual line gap starts a paragraph.
constexpr double kParagraphGapLines = 0.4;
// A horizontal gap wider than this share of the height separates words.
constexpr double kWordGapShare = 0.3;
// A heading is set at least this much larger than the body text...
constexpr double kHeadingSizeRatio = 1.15;
// ... and is short.
constexpr size_t kMaxHeadingCodePoints = 120;
constexpr int kMaxHeadingLines = 3;

struct Line {
  std::string text;
  double x = 0, y = 0, height = 0, font_size = 0;
  double right = 0;
  size_t chars = 0;  // code points set in font_size, to weigh the line's size
};

bool SameSize(double a, double b) {
  if (a <= 0 || b <= 0) return true;
  return std::max(a, b) / std::min(a, b) < kSameSizeRatio;
}

double SizeKey(double font_size) {
  return std::round(font_size * 2) / 2;
}

std::vector<Line> BuildLines(const std::vector<PdfWord>& words) {
  std::vector<Line> lines;
  bool space_pending = false;
  std::map<double, size_t> sizes;  // of the line being built: font size -> code points
  auto finish_sizes = [&] {
    if (lines.empty()) return;
    size_t best = 0;
    for (const auto& [size, n] : sizes) {
      if (n > best) {
        best = n;
        lines.back().font_size = size;
      }
    }
    lines.back().chars = best;
    sizes.clear();
  };
  for (const PdfWord& w : words) {
    if (w.text.empty()) continue;
    const bool same_line =
        !lines.empty() &&
        std::abs(w.y - lines.back().y) <=
            kSameLineShare * std::max(1.0, std::min(w.height, lines.back().height)) &&
        w.x >= lines.back().right - w.height;
    if (!same_line) {
      finish_sizes();
      lines.push_back(Line{{}, w.x, w.y, w.height, w.font_size, w.x, 0});
      space_pending = false;
    }
    Line& line = lines.back();
    // Table cells and tab-aligned columns carry no space after their last word; the gap
    // to the next word on the line stands for one.
    if (space_pending || (!line.text.empty() && w.x - line.right > kWordGapShare * w.height)) {
      line.text += ' ';
    }
    line.text += w.text;
    line.right = std::max(line.right, w.x + w.width);
    line.height = std::max(line.height, w.height);
    sizes[SizeKey(w.font_size)] += util::CountCodePoints(w.text);
    space_pending = w.space_after;
  }
  finish_sizes();
  return lines;
}

// The usual gap between consecutive lines, per font size on this page: the lower quartile,
// since a page of short paragraphs has more paragraph gaps than line gaps.
std::map<double, double> UsualGaps(const std::vector<Line>& lines) {
  std::map<double, std::vector<double>> gaps;
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& a = lines[i - 1];
    const Line& b = lines[i];
    if (b.y > a.y && SameSize(a.font_size, b.font_size)) {
      gaps[SizeKey(a.font_size)].push_back(b.y - (a.y + a.height));
    }
  }
  std::map<double, double> usual;
  for (auto& [size, g] : gaps) {
    std::sort(g.begin(), g.end());
    usual[size] = g[g.size() / 4];
  }
  return usual;
}

// "Page 12 of 40" and "Page 3 of 40" look the same to the running-header check.
std::string DigitsMasked(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = '#';
  }
  return out;
}

bool IsPageNumber(const std::string& text) {
  size_t digits = 0;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ' && c != '-' && c != '/' && c != '.' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits > 0 && digits <= 8;
}

bool HasLetter(const std::string& text) {
  for (const unsigned char c : text) {
    if (c >= 0x80 || std::isalpha(c)) return true;
  }
  return false;
}

}  // namespace

std::vector<PdfParagraph> BuildParagraphs(const std::vector<PdfWord>& words, int page) {
  const std::vector<Line> lines = BuildLines(words);
  const std::map<double, double> usual_gaps = UsualGaps(lines);
  std::vector<PdfParagraph> paragraphs;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    bool new_paragraph = i == 0;
    if (i > 0) {
      const Line& prev = lines[i - 1];
      const double gap = line.y - (prev.y + prev.height);
      const auto usual = usual_gaps.find(SizeKey(prev.font_size));
      const double usual_gap = usual == usual_gaps.end() ? 0 : usual->second;
      new_paragraph = !SameSize(prev.font_size, line.font_size) || line.y <= prev.y ||
                      gap > usual_gap + kParagraphGapLines * prev.height;
    }
    if (new_paragraph) {
      paragraphs.push_back(PdfParagraph{line.text, line.font_size, 1, page, 0});
    } else {
      paragraphs.back().text += '\n';
      paragraphs.back().text += line.text;
      ++paragraphs.back().lines;
    }
  }
  return paragraphs;
}

void DropRunningHeaders(std::vector<PdfParagraph>& paragraphs, int pages) {
  // Each page's first and last paragraph, counted once per page.
  std::map<std::string, std::set<int>> edge_pages;
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    const bool first = i == 0 || paragraphs[i - 1].page != paragraphs[i].page;
    const bool last = i + 1 == paragraphs.size() || paragraphs[i + 1].page != paragraphs[i].page;
    if (first || last) edge_pages[DigitsMasked(paragraphs[i].text)].insert(paragraphs[i].page);
  }
  std::vector<PdfParagraph> kept;
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    const PdfParagraph& p = paragraphs[i];
    const bool first = i == 0 || paragraphs[i - 1].page != p.page;
    const bool last = i + 1 == paragraphs.size() || paragraphs[i + 1].page != p.page;
    if (first || last) {
      const size_t seen = edge_pages[DigitsMasked(p.text)].size();
      if (pages >= 3 && seen * 2 >= static_cast<size_t>(pages)) continue;
      if (IsPageNumber(p.text)) continue;
    }
    kept.push_back(p);
  }
  paragraphs = std::move(kept);
}

void MarkHeadingsByFontSize(std::vector<PdfParagraph>& paragraphs) {
  // The body size is the one most text is set in.
  std::map<double, size_t> chars_by_size;
  for (const PdfParagraph& p : paragraphs) {
    chars_by_size[SizeKey(p.font_size)] += util::CountCodePoints(p.text);
  }
  double body = 0;
  size_t most = 0;
  for (const auto& [size, n] : chars_by_size) {
    if (n > most) {
      most = n;
      body = size;
    }
  }
  if (body <= 0) return;
  auto is_heading = [&](const PdfParagraph& p) {
    return p.font_size >= body * kHeadingSizeRatio && p.lines <= kMaxHeadingLines &&
           util::CountCodePoints(p.text) <= kMaxHeadingCodePoints && HasLetter(p.text);
  };
  std::set<double, std::greater<>> sizes;
  for (const PdfParagraph& p : paragraphs) {
    if (is_heading(p)) sizes.insert(SizeKey(p.font_size));
  }
  for (PdfParagraph& p : paragraphs) {
    if (!is_heading(p)) continue;
    const auto rank = std::distance(sizes.begin(), sizes.find(SizeKey(p.font_size)));
    p.heading_level = static_cast<int>(std::min<long>(rank + 1, 6));
  }
}

}  // namespace docent::ingest
