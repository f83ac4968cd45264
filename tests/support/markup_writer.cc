// WriteHtml and WriteMarkdown: the text formats. HTML is a complete HTML5 page (doctype,
// charset, title, h1-h6, p, table with thead); Markdown is CommonMark with GFM tables.
#include <algorithm>
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

// Replaces each '\n' in `text` with `line_break`.
std::string WithBreaks(const std::string& text, const std::string& line_break) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += line_break;
    } else {
      out += c;
    }
  }
  return out;
}

bool AnyHangul(const DocModel& doc) {
  if (internal::HasHangul(doc.title)) return true;
  return std::any_of(doc.items.begin(), doc.items.end(), [](const DocItem& item) {
    return internal::HasHangul(item.text) ||
           std::any_of(item.rows.begin(), item.rows.end(), [](const auto& row) {
             return std::any_of(row.begin(), row.end(), internal::HasHangul);
           });
  });
}

std::string HtmlTable(const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<table>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    const bool header = r == 0 && rows.size() > 1;
    if (r == 0 && header) html += "<thead>\n";
    if (r == 1 || (r == 0 && !header)) html += "<tbody>\n";
    html += "<tr>";
    for (const std::string& cell : rows[r]) {
      const char* tag = header ? "th" : "td";
      html += std::string("<") + tag + ">" + WithBreaks(XmlEscape(cell), "<br>") + "</" + tag + ">";
    }
    html += "</tr>\n";
    if (r == 0 && header) html += "</thead>\n";
  }
  if (!rows.empty()) html += "</tbody>\n";
  return html + "</table>\n";
}

// A GFM table cell: pipes escaped, line breaks as <br> (a cell cannot span lines).
std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += "<br>";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MarkdownTable(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  size_t columns = 1;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  auto line = [&](const std::vector<std::string>& row) {
    std::string md = "|";
    for (size_t c = 0; c < columns; ++c) {
      // Appends, not "literal" + temporary: GCC 12 warns falsely (-Wrestrict) on the latter.
      md += ' ';
      if (c < row.size()) md += MarkdownCell(row[c]);
      md += " |";
    }
    return md + "\n";
  };
  // GFM needs a header row; the first row is it.
  std::string md = line(rows[0]) + "|";
  for (size_t c = 0; c < columns; ++c) md += " --- |";
  md += "\n";
  for (size_t r = 1; r < rows.size(); ++r) md += line(rows[r]);
  return md;
}

}  // namespace

Status WriteHtml(const std::filesystem::path& path, const DocModel& doc) {
  std::string html = "<!doctype html>\n<html lang=\"" + std::string(AnyHangul(doc) ? "ko" : "en") +
                     "\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>" +
                     XmlEscape(doc.title) +
                     "</title>\n"
                     "<style>table { border-collapse: collapse; } "
                     "th, td { border: 1px solid #999; padding: 4px 8px; }</style>\n"
                     "</head>\n<body>\n";
  for (const DocItem& item : doc.items) {
    switch (item.kind) {
      case DocItem::Kind::kHeading: {
        const std::string tag(1, static_cast<char>('0' + std::clamp(item.level, 1, 6)));
        html += "<h" + tag + ">" + XmlEscape(item.text) + "</h" + tag + ">\n";
        break;
      }
      case DocItem::Kind::kParagraph:
        html += "<p>" + WithBreaks(XmlEscape(item.text), "<br>\n") + "</p>\n";
        break;
      case DocItem::Kind::kTable:
        html += HtmlTable(item.rows);
        break;
    }
  }
  html += "</body>\n</html>\n";
  return WriteTextFile(path, html);
}

// Paragraph text is written as it is, so inline Markdown in it ("- item", "**bold**") is
// Markdown in the file. Markdown has no metadata, so the title is not written.
Status WriteMarkdown(const std::filesystem::path& path, const DocModel& doc) {
  std::string md;
  for (const DocItem& item : doc.items) {
    if (!md.empty()) md += "\n";
    switch (item.kind) {
      case DocItem::Kind::kHeading:
        md += std::string(static_cast<size_t>(std::clamp(item.level, 1, 6)), '#') + " " +
              WithBreaks(item.text, " ") + "\n";
        break;
      case DocItem::Kind::kParagraph:
        md += WithBreaks(item.text, "  \n") + "\n";  // two spaces: a hard line break
        break;
      case DocItem::Kind::kTable:
        md += MarkdownTable(item.rows);
        break;
    }
  }
  return WriteTextFile(path, md);
}

}  // namespace docent::testing
