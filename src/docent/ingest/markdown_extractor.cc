// Markdown (CommonMark plus GFM tables), line by line: ATX and setext headings, paragraphs,
// list items (one block each), block quotes (read as their content), fenced and indented
// code (kept verbatim as paragraphs), pipe tables (rows labelled by the header row), and
// YAML front matter (its title: becomes the title). Inline syntax is stripped separately.
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/markdown_inline.h"
#include "docent/ingest/text_decoding.h"

namespace docent::ingest {
namespace {

// Front matter longer than this is not front matter but a document opening with a rule.
constexpr size_t kMaxFrontMatterLines = 200;

size_t Indent(std::string_view line) {
  size_t n = 0;
  for (char c : line) {
    if (c == ' ') {
      ++n;
    } else if (c == '\t') {
      n += 4 - n % 4;
    } else {
      break;
    }
  }
  return n;
}

std::string_view LStrip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool IsBlank(std::string_view line) {
  return Trim(line).empty();
}

// A run of at least three of `c` (spaces allowed between, as in "* * *"), nothing else.
bool IsRuleOf(std::string_view line, char c, bool allow_spaces) {
  size_t count = 0;
  for (char x : Trim(line)) {
    if (x == c) {
      ++count;
    } else if (!(allow_spaces && (x == ' ' || x == '\t'))) {
      return false;
    }
  }
  return count >= 3 || (!allow_spaces && count >= 1);
}

bool IsThematicBreak(std::string_view line) {
  return Indent(line) < 4 &&
         (IsRuleOf(line, '-', true) || IsRuleOf(line, '*', true) || IsRuleOf(line, '_', true));
}

// "# Title ##" -> level 1, "Title"; 0 when not an ATX heading.
int AtxHeading(std::string_view line, std::string& text) {
  if (Indent(line) >= 4) return 0;
  std::string_view s = LStrip(line);
  size_t level = 0;
  while (level < s.size() && s[level] == '#') ++level;
  if (level == 0 || level > 6 || (level < s.size() && s[level] != ' ' && s[level] != '\t')) {
    return 0;
  }
  s = Trim(s.substr(level));
  // A closing run of '#' goes when a space precedes it (or it is all there is).
  const size_t hashes = s.find_last_not_of('#');
  if (hashes == std::string_view::npos) {
    s = {};
  } else if (hashes + 1 < s.size() && (s[hashes] == ' ' || s[hashes] == '\t')) {
    s = Trim(s.substr(0, hashes));
  }
  text = std::string(s);
  return static_cast<int>(level);
}

// "- item", "* item", "+ item", "1. item", "1) item": the item's text, or nullopt.
std::optional<std::string_view> ListItem(std::string_view line) {
  std::string_view s = LStrip(line);
  size_t marker = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '*' || s[0] == '+')) {
    marker = 1;
  } else {
    while (marker < s.size() && marker < 9 && std::isdigit(static_cast<unsigned char>(s[marker]))) {
      ++marker;
    }
    if (marker == 0 || marker >= s.size() || (s[marker] != '.' && s[marker] != ')')) {
      return std::nullopt;
    }
    ++marker;
  }
  if (marker < s.size() && s[marker] != ' ' && s[marker] != '\t') return std::nullopt;
  std::string_view item = LStrip(s.substr(marker));
  // A task-list box carries no text.
  if (item.size() >= 3 && item[0] == '[' && item[2] == ']' &&
      (item[1] == ' ' || item[1] == 'x' || item[1] == 'X')) {
    item = LStrip(item.substr(3));
  }
  return item;
}

std::optional<std::pair<char, size_t>> FenceOpen(std::string_view line) {
  if (Indent(line) >= 4) return std::nullopt;
  const std::string_view s = LStrip(line);
  if (s.empty() || (s[0] != '`' && s[0] != '~')) return std::nullopt;
  size_t n = 0;
  while (n < s.size() && s[n] == s[0]) ++n;
  if (n < 3 || (s[0] == '`' && s.substr(n).find('`') != std::string_view::npos))
    return std::nullopt;
  return std::make_pair(s[0], n);
}

std::vector<std::string> SplitTableRow(std::string_view line) {
  std::string_view s = Trim(line);
  if (s.starts_with('|')) s.remove_prefix(1);
  if (s.ends_with('|') && !s.ends_with("\\|")) s.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (s[i] == '|') {
      cells.push_back(StripMarkdownInline(Trim(cell)));
      cell.clear();
    } else {
      cell += s[i];
    }
  }
  cells.push_back(StripMarkdownInline(Trim(cell)));
  return cells;
}

// "|---|:--:|" under a header row opens a GFM table.
bool IsTableDelimiter(std::string_view line) {
  std::string_view s = Trim(line);
  if (s.find('-') == std::string_view::npos) return false;
  bool pipe = false;
  for (char c : s) {
    if (c == '|') {
      pipe = true;
    } else if (c != '-' && c != ':' && c != ' ' && c != '\t') {
      return false;
    }
  }
  return pipe;
}

class MarkdownBuilder {
 public:
  explicit MarkdownBuilder(std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines_.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }

  ExtractedDocument Build() {
    size_t i = FrontMatter();
    while (i < lines_.size()) i = Line(i);
    FlushParagraph();
    return std::move(doc_);
  }

 private:
  // Skips YAML front matter, keeping its title; returns the first line after it.
  size_t FrontMatter() {
    if (lines_.empty() || Trim(lines_[0]) != "---") return 0;
    for (size_t i = 1; i < lines_.size() && i < kMaxFrontMatterLines; ++i) {
      const std::string_view line = Trim(lines_[i]);
      if (line == "---" || line == "...") {
        for (size_t k = 1; k < i; ++k) {
          if (!lines_[k].starts_with("title:")) continue;
          std::string_view value = Trim(lines_[k].substr(6));
          if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
              value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
          }
          doc_.title = std::string(value);
        }
        return i + 1;
      }
    }
    return 0;
  }

  // Handles lines_[i] (and any lines it owns); returns the next line to read.
  size_t Line(size_t i) {
    std::string_view line = Quoted(lines_[i]);
    std::string heading;
    if (IsBlank(line)) {
      FlushParagraph();
      in_item_ = false;
      return i + 1;
    }
    if (auto fence = FenceOpen(line)) return Fenced(i, *fence);
    if (const int level = AtxHeading(line, heading)) {
      FlushParagraph();
      AddHeading(doc_, level, StripMarkdownInline(heading));
      return i + 1;
    }
    if (!paragraph_.empty() && !in_item_ && Indent(line) < 4 &&
        (IsRuleOf(line, '=', false) || IsRuleOf(line, '-', false))) {
      const int level = Trim(line)[0] == '=' ? 1 : 2;  // a setext underline
      AddHeading(doc_, level, StripMarkdownInline(paragraph_));
      paragraph_.clear();
      return i + 1;
    }
    if (IsThematicBreak(line)) {
      FlushParagraph();
      return i + 1;
    }
    if (line.find('|') != std::string_view::npos && i + 1 < lines_.size() &&
        IsTableDelimiter(Quoted(lines_[i + 1]))) {
      return Table(i);
    }
    if (auto item = ListItem(line)) {
      FlushParagraph();
      in_item_ = true;
      paragraph_ = std::string(*item);
      return i + 1;
    }
    if (paragraph_.empty() && Indent(line) >= 4) return IndentedCode(i);
    if (paragraph_.empty() && LStrip(line).starts_with("[")) {
      const std::string_view s = LStrip(line);
      const size_t close = s.find("]:");
      if (close != std::string_view::npos) {
        if (!s.starts_with("[^")) return i + 1;  // a link reference definition
        line = s.substr(close + 2);              // a footnote: keep its text
      }
    }
    if (LStrip(line).starts_with("<!--")) return Comment(i);
    AppendLine(line);
    return i + 1;
  }

  // Block-quote markers go: a quotation is read as the text it quotes.
  static std::string_view Quoted(std::string_view line) {
    while (Indent(line) < 4 && LStrip(line).starts_with('>')) {
      line = LStrip(line).substr(1);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
    return line;
  }

  void AppendLine(std::string_view line) {
    if (!paragraph_.empty()) {
      // Two trailing spaces or a backslash make a hard break; otherwise a soft one (a space).
      const bool hard = paragraph_.ends_with("  ") || paragraph_.ends_with('\\');
      while (!paragraph_.empty() && (paragraph_.back() == ' ' || paragraph_.back() == '\\')) {
        paragraph_.pop_back();
      }
      paragraph_ += hard ? '\n' : ' ';
    }
    paragraph_ += LStrip(line);
  }

  void FlushParagraph() {
    while (!paragraph_.empty() && (paragraph_.back() == ' ' || paragraph_.back() == '\\')) {
      paragraph_.pop_back();
    }
    AddParagraph(doc_, StripMarkdownInline(paragraph_));
    paragraph_.clear();
  }

  size_t Fenced(size_t i, std::pair<char, size_t> fence) {
    FlushParagraph();
    std::string code;
    size_t k = i + 1;
    for (; k < lines_.size(); ++k) {
      const std::string_view line = Quoted(lines_[k]);
      const auto close = FenceOpen(line);
      if (close && close->first == fence.first && close->second >= fence.second &&
          Trim(LStrip(line).substr(close->second)).empty()) {
        break;
      }
      if (!code.empty()) code += '\n';
      code += line;
    }
    AddParagraph(doc_, std::move(code));
    return k + 1;
  }

  size_t IndentedCode(size_t i) {
    std::string code;
    size_t k = i;
    for (; k < lines_.size(); ++k) {
      const std::string_view line = Quoted(lines_[k]);
      if (!IsBlank(line) && Indent(line) < 4) break;
      if (!code.empty()) code += '\n';
      code += line;
    }
    AddParagraph(doc_, std::move(code));
    return k;
  }

  size_t Comment(size_t i) {
    FlushParagraph();
    for (size_t k = i; k < lines_.size(); ++k) {
      if (lines_[k].find("-->") != std::string_view::npos) return k + 1;
    }
    return lines_.size();
  }

  size_t Table(size_t i) {
    FlushParagraph();
    std::vector<std::vector<std::string>> rows = {SplitTableRow(Quoted(lines_[i]))};
    size_t k = i + 2;
    for (; k < lines_.size(); ++k) {
      const std::string_view line = Quoted(lines_[k]);
      if (IsBlank(line) || line.find('|') == std::string_view::npos) break;
      rows.push_back(SplitTableRow(line));
    }
    AddTable(doc_, std::move(rows), /*first_row_is_header=*/true);
    return k;
  }

  std::vector<std::string_view> lines_;
  ExtractedDocument doc_;
  std::string paragraph_;  // raw lines of the open paragraph or list item
  bool in_item_ = false;   // the open paragraph is a list item
};

}  // namespace

Result<ExtractedDocument> ExtractMarkdown(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(DecodedText decoded, DecodeText(in.bytes));
  ExtractedDocument doc = MarkdownBuilder(decoded.text).Build();
  doc.warnings = std::move(decoded.warnings);
  return doc;
}

}  // namespace docent::ingest
