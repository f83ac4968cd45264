// HTML: a small tolerant tokenizer (real pages are rarely well-formed XML, so pugixml is no
// use) driving a block builder. Skips script/style/noscript/template/svg/nav (the head
// holds no other text; <title> becomes the title), maps h1-h6 to headings, block elements
// and <br><br> to paragraphs, and data tables to rows; a table whose cells hold headings or
// several paragraphs is page layout, so its cells' blocks are emitted in order instead.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/text_decoding.h"

namespace docent::ingest {
namespace {

// Only the start of a page is searched for <meta charset>, as browsers do (they use 1024
// bytes; generous pages put scripts first).
constexpr size_t kCharsetScanBytes = 4096;
// Tables nested deeper than this are read as cells of the enclosing one: finding where text
// goes walks the open tables, which must stay short.
constexpr size_t kMaxTableDepth = 16;

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <size_t N>
bool OneOf(std::string_view name, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), name) != std::end(set);
}

constexpr std::string_view kBlockTags[] = {
    "address",  "article",    "aside",   "blockquote", "body", "caption", "center",
    "dd",       "details",    "dialog",  "dir",        "div",  "dl",      "dt",
    "fieldset", "figcaption", "figure",  "footer",     "form", "header",  "hgroup",
    "hr",       "html",       "legend",  "li",         "main", "menu",    "ol",
    "p",        "pre",        "section", "summary",    "ul"};
// Elements whose whole content is dropped: code, styling, and navigation chrome.
constexpr std::string_view kSkippedTags[] = {"nav", "svg", "template", "select", "math"};
// Elements that never have content, so `hidden` on them hides nothing that follows.
constexpr std::string_view kVoidTags[] = {"area",  "base",   "br",    "col",  "embed",
                                          "hr",    "img",    "input", "link", "meta",
                                          "param", "source", "track", "wbr"};
// Raw-text elements: their content is not markup and runs to the matching end tag.
constexpr std::string_view kRawTextTags[] = {"script", "style",  "noscript", "title",   "textarea",
                                             "xmp",    "iframe", "noembed",  "noframes"};

// The charset a page declares in <meta charset=...>, <meta http-equiv content="...;
// charset=..."> or an XML declaration's encoding="...".
std::string DeclaredCharset(std::string_view bytes) {
  const std::string head = Lower(bytes.substr(0, kCharsetScanBytes));
  for (std::string_view key : {"charset=", "encoding="}) {
    for (size_t at = head.find(key); at != std::string::npos; at = head.find(key, at + 1)) {
      const size_t tag = head.rfind('<', at);
      if (tag == std::string::npos || head.find('>', tag) < at) continue;
      if (head.compare(tag, 5, "<meta") != 0 && head.compare(tag, 5, "<?xml") != 0) continue;
      size_t v = at + key.size();
      while (v < head.size() && (head[v] == '"' || head[v] == '\'' || IsAsciiSpace(head[v]))) ++v;
      size_t e = v;
      while (e < head.size() &&
             (std::isalnum(static_cast<unsigned char>(head[e])) || head[e] == '-' ||
              head[e] == '_' || head[e] == ':' || head[e] == '.')) {
        ++e;
      }
      if (e > v) return head.substr(v, e - v);
    }
  }
  return {};
}

struct Cell {
  std::vector<Block> blocks;
  bool header = false;
  bool open = true;
};

struct Table {
  std::vector<std::vector<Cell>> rows;
};

class HtmlBuilder {
 public:
  void Text(std::string_view raw) {
    if (skip_depth_ > 0) return;
    const std::string text = DecodeHtmlEntities(raw);
    if (pre_depth_ > 0) {
      buffer_ += text;
      return;
    }
    for (char c : text) {
      if (IsAsciiSpace(c)) {
        if (!buffer_.empty() && buffer_.back() != ' ' && buffer_.back() != '\n') buffer_ += ' ';
      } else {
        buffer_ += c;
      }
    }
  }

  void StartTag(const std::string& name, bool hidden, bool self_closing) {
    if (skip_depth_ > 0) {
      if (name == skip_tag_ && !self_closing) ++skip_depth_;
      return;
    }
    if ((OneOf(name, kSkippedTags) || hidden) && !self_closing && !OneOf(name, kVoidTags)) {
      skip_tag_ = name;
      skip_depth_ = 1;
      return;
    }
    const int level = HeadingLevel(name);
    if (name == "table" && tables_.size() >= kMaxTableDepth) ++ignored_tables_;
    if (name == "br") {
      while (!buffer_.empty() && buffer_.back() == ' ') buffer_.pop_back();
      buffer_ += '\n';
    } else if (level > 0) {
      Flush();
      heading_level_ = level;
    } else if (name == "table" && tables_.size() < kMaxTableDepth) {
      Flush();
      tables_.emplace_back();
    } else if (name == "tr" && !tables_.empty()) {
      CloseCell();
      tables_.back().rows.emplace_back();
    } else if ((name == "td" || name == "th") && !tables_.empty()) {
      CloseCell();
      if (tables_.back().rows.empty()) tables_.back().rows.emplace_back();
      tables_.back().rows.back().push_back(Cell{{}, name == "th", true});
    } else if (OneOf(name, kBlockTags)) {
      Flush();
      if (name == "pre") ++pre_depth_;
    }
  }

  void EndTag(const std::string& name) {
    if (skip_depth_ > 0) {
      if (name == skip_tag_ && --skip_depth_ == 0) skip_tag_.clear();
      return;
    }
    if (HeadingLevel(name) > 0) {
      Flush();
      heading_level_ = 0;
    } else if ((name == "td" || name == "th" || name == "tr") && !tables_.empty()) {
      CloseCell();
    } else if (name == "table" && !tables_.empty() && ignored_tables_ > 0) {
      --ignored_tables_;
    } else if (name == "table" && !tables_.empty()) {
      CloseTable();
    } else if (OneOf(name, kBlockTags)) {
      Flush();
      if (name == "pre" && pre_depth_ > 0) --pre_depth_;
    }
  }

  void SetTitle(std::string_view raw) {
    if (title_.empty() && skip_depth_ == 0) title_ = CollapseSpaces(DecodeHtmlEntities(raw));
  }

  ExtractedDocument Finish() {
    while (!tables_.empty()) CloseTable();
    Flush();
    doc_.title = title_;
    return std::move(doc_);
  }

 private:
  static int HeadingLevel(std::string_view name) {
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      return name[1] - '0';
    }
    return 0;
  }

  // Where blocks go now: the innermost open table cell, else the document.
  std::vector<Block>& Out() {
    for (auto t = tables_.rbegin(); t != tables_.rend(); ++t) {
      if (!t->rows.empty() && !t->rows.back().empty() && t->rows.back().back().open) {
        return t->rows.back().back().blocks;
      }
    }
    return doc_.blocks;
  }

  void Flush() {
    std::string text;
    text.swap(buffer_);
    ExtractedDocument part;
    if (heading_level_ > 0) {
      AddHeading(part, heading_level_, CollapseSpaces(text));
    } else {
      // Two or more <br> in a row separate paragraphs in hand-written pages.
      const std::string lines = CleanLines(text);
      size_t start = 0;
      while (start <= lines.size()) {
        size_t end = lines.find("\n\n", start);
        if (end == std::string::npos) end = lines.size();
        AddParagraph(part, lines.substr(start, end - start));
        start = end + 2;
      }
    }
    std::vector<Block>& out = Out();
    for (Block& b : part.blocks) out.push_back(std::move(b));
  }

  void CloseCell() {
    Flush();
    Table& t = tables_.back();
    if (!t.rows.empty() && !t.rows.back().empty()) t.rows.back().back().open = false;
  }

  void CloseTable() {
    CloseCell();
    Table table = std::move(tables_.back());
    tables_.pop_back();
    bool data = true;
    for (const auto& row : table.rows) {
      for (const Cell& cell : row) {
        if (cell.blocks.size() > 1 ||
            (cell.blocks.size() == 1 && cell.blocks[0].kind != BlockKind::kParagraph)) {
          data = false;
        }
      }
    }
    std::vector<Block>& out = Out();
    if (!data) {
      for (auto& row : table.rows) {
        for (Cell& cell : row) {
          for (Block& b : cell.blocks) out.push_back(std::move(b));
        }
      }
      return;
    }
    std::vector<std::vector<std::string>> rows;
    bool header = !table.rows.empty() && !table.rows[0].empty();
    for (size_t r = 0; r < table.rows.size(); ++r) {
      rows.emplace_back();
      for (const Cell& cell : table.rows[r]) {
        rows.back().push_back(cell.blocks.empty() ? std::string() : cell.blocks[0].text);
        if (r == 0 && !cell.header) header = false;
      }
    }
    ExtractedDocument part;
    AddTable(part, std::move(rows), header);
    for (Block& b : part.blocks) out.push_back(std::move(b));
  }

  ExtractedDocument doc_;
  std::string buffer_;  // inline text of the block being built; whitespace collapsed
  std::string title_;
  std::string skip_tag_;
  int skip_depth_ = 0;  // > 0 inside a skipped element (nested ones of the same name count)
  int heading_level_ = 0;
  int pre_depth_ = 0;
  std::vector<Table> tables_;  // open tables, innermost last
  int ignored_tables_ = 0;     // tables opened past kMaxTableDepth, read as plain cells
};

// Finds "</name" (any case) from `from`; returns its position or npos.
size_t FindEndTag(std::string_view s, std::string_view name, size_t from) {
  for (size_t at = s.find("</", from); at != std::string_view::npos; at = s.find("</", at + 2)) {
    if (at + 2 + name.size() > s.size()) return std::string_view::npos;
    bool match = true;
    for (size_t k = 0; k < name.size() && match; ++k) {
      match = std::tolower(static_cast<unsigned char>(s[at + 2 + k])) == name[k];
    }
    const size_t after = at + 2 + name.size();
    if (match &&
        (after == s.size() || IsAsciiSpace(s[after]) || s[after] == '>' || s[after] == '/')) {
      return at;
    }
  }
  return std::string_view::npos;
}

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  bool self_closing = false;
  bool hidden = false;  // carries the `hidden` attribute
};

// Parses the tag starting at s[i] == '<'; returns the index after its '>' (or the end).
size_t ParseTag(std::string_view s, size_t i, Tag& tag) {
  size_t k = i + 1;
  tag.closing = k < s.size() && s[k] == '/';
  if (tag.closing) ++k;
  const size_t name_start = k;
  while (k < s.size() && !IsAsciiSpace(s[k]) && s[k] != '>' && s[k] != '/') ++k;
  tag.name = Lower(s.substr(name_start, k - name_start));
  tag.hidden = false;
  // Attributes: only quoting matters, since a quoted value may hold '>'.
  while (k < s.size() && s[k] != '>') {
    if (s[k] == '"' || s[k] == '\'') {
      const size_t close = s.find(s[k], k + 1);
      if (close == std::string_view::npos) return s.size();
      k = close + 1;
      continue;
    }
    if ((k == 0 || IsAsciiSpace(s[k - 1])) && s.size() - k >= 6) {
      const std::string word = Lower(s.substr(k, 6));
      const char next = k + 6 < s.size() ? s[k + 6] : '>';
      if (word == "hidden" && (IsAsciiSpace(next) || next == '>' || next == '/' || next == '=')) {
        tag.hidden = true;
      }
    }
    ++k;
  }
  tag.self_closing = k < s.size() && s[k - 1] == '/';
  return std::min(k + 1, s.size());
}

}  // namespace

Result<ExtractedDocument> ExtractHtml(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(DecodedText decoded, DecodeText(in.bytes, DeclaredCharset(in.bytes)));
  const std::string_view s = decoded.text;
  HtmlBuilder builder;
  size_t i = 0;
  while (i < s.size()) {
    const size_t lt = s.find('<', i);
    if (lt == std::string_view::npos) {
      builder.Text(s.substr(i));
      break;
    }
    builder.Text(s.substr(i, lt - i));
    const std::string_view rest = s.substr(lt);
    if (rest.starts_with("<!--")) {
      const size_t end = s.find("-->", lt + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
    } else if (rest.starts_with("<![CDATA[")) {
      const size_t end = s.find("]]>", lt + 9);
      builder.Text(s.substr(lt + 9, (end == std::string_view::npos ? s.size() : end) - lt - 9));
      i = end == std::string_view::npos ? s.size() : end + 3;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      const size_t end = s.find('>', lt);
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else if (rest.size() > 1 && (std::isalpha(static_cast<unsigned char>(rest[1])) ||
                                   (rest[1] == '/' && rest.size() > 2 &&
                                    std::isalpha(static_cast<unsigned char>(rest[2]))))) {
      Tag tag;
      i = ParseTag(s, lt, tag);
      if (tag.closing) {
        builder.EndTag(tag.name);
      } else if (OneOf(tag.name, kRawTextTags) && !tag.self_closing) {
        const size_t end = FindEndTag(s, tag.name, i);
        const size_t content_end = end == std::string_view::npos ? s.size() : end;
        const std::string_view content = s.substr(i, content_end - i);
        if (tag.name == "title") builder.SetTitle(content);
        if (tag.name == "textarea") builder.Text(content);
        Tag end_tag;
        i = end == std::string_view::npos ? s.size() : ParseTag(s, end, end_tag);
      } else {
        builder.StartTag(tag.name, tag.hidden, tag.self_closing);
      }
    } else {
      builder.Text("<");  // a bare '<' in text, as browsers show it
      i = lt + 1;
    }
  }
  ExtractedDocument doc = builder.Finish();
  doc.warnings = std::move(decoded.warnings);
  return doc;
}

}  // namespace docent::ingest
