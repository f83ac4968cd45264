// DOCX (WordprocessingML): the body's paragraphs and tables in order, then footnotes and
// endnotes. Headings come from paragraph styles: Title and "heading 1".."heading 6" by name
// (names stay English in localized Word, where style ids do not), else the style's or the
// paragraph's outline level. Tables give one kTableRow per w:tr, labelled by the first row
// when Word marks it as a repeating header. Text boxes follow their paragraph; deleted
// revisions and field codes are left out. Title: docProps/core.xml, else the Title style.
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/xml_util.h"
#include "docent/ingest/zip_archive.h"

namespace docent::ingest {
namespace {

constexpr int kTitleLevel = 1;
constexpr int kMaxBasedOnHops = 16;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int ParseLevel(std::string_view digits) {
  if (digits.empty() || digits.size() > 2) return -1;
  int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

struct StyleInfo {
  int level = 0;  // heading level, 0 for body text
  bool is_title = false;
  std::string based_on;
};

// Heading level per paragraph style id, following basedOn chains.
class Styles {
 public:
  void Load(const pugi::xml_node& root) {
    for (pugi::xml_node s = root.first_child(); s; s = s.next_sibling()) {
      if (!Is(s, "style") || Attr(s, "type") != "paragraph") continue;
      StyleInfo info;
      const std::string name = Lower(Attr(Child(s, "name"), "val"));
      if (name == "title") {
        info.level = kTitleLevel;
        info.is_title = true;
      } else if (name.starts_with("heading ")) {
        info.level = ParseLevel(std::string_view(name).substr(8));
      } else if (pugi::xml_node ol = Path(s, {"pPr", "outlineLvl"})) {
        info.level = ParseLevel(Attr(ol, "val")) + 1;  // 0-based; 9 means body text
      }
      if (info.level < 0 || info.level > 6) info.level = 0;
      info.based_on = Attr(Child(s, "basedOn"), "val");
      styles_[std::string(Attr(s, "styleId"))] = std::move(info);
    }
  }

  StyleInfo Resolve(std::string_view id) const {
    for (int hop = 0; hop < kMaxBasedOnHops; ++hop) {
      auto it = styles_.find(std::string(id));
      if (it == styles_.end()) break;
      if (it->second.level > 0 || it->second.based_on.empty()) return it->second;
      id = it->second.based_on;
    }
    // Without styles.xml, the built-in ids still say what they are.
    if (id == "Title") return {kTitleLevel, true, {}};
    if (id.size() == 8 && id.starts_with("Heading")) {
      const int level = ParseLevel(id.substr(7));
      if (level >= 1 && level <= 6) return {level, false, {}};
    }
    return {};
  }

 private:
  std::map<std::string, StyleInfo> styles_;
};

class DocxBuilder {
 public:
  explicit DocxBuilder(const Styles& styles) : styles_(styles) {}

  // Block-level content of a body, cell, text box, footnote or content control.
  void Body(const pugi::xml_node& container, int depth) {
    if (depth > kMaxXmlDepth) {
      too_deep_ = true;
      return;
    }
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (Is(n, "p")) {
        Paragraph(n, depth);
      } else if (Is(n, "tbl")) {
        Table(n);
      } else if (Is(n, "sdt")) {
        Body(Child(n, "sdtContent"), depth + 1);
      } else if (Is(n, "customXml") || Is(n, "ins") || Is(n, "moveTo")) {
        Body(n, depth + 1);
      }
    }
  }

  ExtractedDocument& doc() { return doc_; }
  const std::string& style_title() const { return style_title_; }
  bool too_deep() const { return too_deep_; }

 private:
  // A paragraph's text; text boxes inside it go to `boxes` for later.
  static std::string ParagraphText(const pugi::xml_node& p, std::vector<pugi::xml_node>* boxes) {
    std::string text;
    Walk(p, [&](const pugi::xml_node& n) {
      if (n.type() != pugi::node_element) return false;
      const std::string_view name = LocalName(n.name());
      if (name == "t") {
        text += n.child_value();
      } else if (name == "tab" || name == "ptab") {
        text += '\t';
      } else if (name == "br" || name == "cr") {
        text += Attr(n, "type") == "page" ? ' ' : '\n';
      } else if (name == "noBreakHyphen") {
        text += '-';
      } else if (name == "txbxContent") {
        if (boxes != nullptr) boxes->push_back(n);
      } else if (name == "AlternateContent") {
        // Choice and Fallback hold the same content twice; read the first only.
        const pugi::xml_node box = Descendant(n.first_child(), "txbxContent");
        if (box && boxes != nullptr) boxes->push_back(box);
      } else if (name == "delText" || name == "del" || name == "instrText" || name == "pPr" ||
                 name == "rPr" || name == "moveFrom" || name == "footnoteReference") {
        // Deleted revisions, field codes and properties are not the document's text.
      } else {
        return true;
      }
      return false;
    });
    return text;
  }

  void Paragraph(const pugi::xml_node& p, int depth) {
    std::vector<pugi::xml_node> boxes;
    std::string text = ParagraphText(p, &boxes);
    const pugi::xml_node ppr = Child(p, "pPr");
    StyleInfo style = styles_.Resolve(Attr(Child(ppr, "pStyle"), "val"));
    if (style.level == 0) {
      const int outline = ParseLevel(Attr(Child(ppr, "outlineLvl"), "val"));
      if (outline >= 0 && outline < 6) style.level = outline + 1;
    }
    if (style.is_title && style_title_.empty()) style_title_ = CollapseSpaces(text);
    if (style.level > 0) {
      AddHeading(doc_, style.level, std::move(text));
    } else {
      AddParagraph(doc_, std::move(text));
    }
    for (const pugi::xml_node& box : boxes) Body(box, depth + 1);
  }

  void Table(const pugi::xml_node& tbl) {
    std::vector<std::vector<std::string>> rows;
    bool header = false;
    for (pugi::xml_node tr = tbl.first_child(); tr; tr = tr.next_sibling()) {
      if (!Is(tr, "tr")) continue;
      if (rows.empty()) header = static_cast<bool>(Path(tr, {"trPr", "tblHeader"}));
      rows.emplace_back();
      for (pugi::xml_node tc = tr.first_child(); tc; tc = tc.next_sibling()) {
        if (!Is(tc, "tc")) continue;
        // Every paragraph of the cell, nested tables included, in order.
        std::string cell;
        Walk(tc, [&](const pugi::xml_node& n) {
          if (!Is(n, "p")) return n.type() == pugi::node_element;
          cell += cell.empty() ? "" : " ";
          cell += ParagraphText(n, nullptr);
          return false;
        });
        rows.back().push_back(std::move(cell));
      }
    }
    AddTable(doc_, std::move(rows), header);
  }

  const Styles& styles_;
  ExtractedDocument doc_;
  std::string style_title_;
  bool too_deep_ = false;
};

}  // namespace

Result<ExtractedDocument> ExtractDocx(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(auto zip, ZipArchive::Open(in.bytes, in.limits));
  const std::string main = MainPartPath(*zip, "word/document.xml");
  if (!zip->Has(main)) return Corrupt("not a Word document (" + main + " is missing)");
  DOCENT_ASSIGN_OR_RETURN(auto rels, ReadRelationships(*zip, main));
  auto part = [&](std::string_view type, std::string_view fallback) {
    for (const auto& [id, rel] : rels) {
      if (rel.type == type) return rel.target;
    }
    return std::string(fallback);
  };

  Styles styles;
  DOCENT_ASSIGN_OR_RETURN(XmlDoc styles_xml,
                          ReadXmlIfPresent(*zip, part("styles", "word/styles.xml")));
  if (styles_xml) styles.Load(styles_xml->document_element());

  DocxBuilder builder(styles);
  DOCENT_ASSIGN_OR_RETURN(XmlDoc document, ReadXml(*zip, main));
  builder.Body(Child(document->document_element(), "body"), 0);
  for (const auto& [type, fallback] :
       {std::pair{"footnotes", "word/footnotes.xml"}, std::pair{"endnotes", "word/endnotes.xml"}}) {
    DOCENT_ASSIGN_OR_RETURN(XmlDoc notes, ReadXmlIfPresent(*zip, part(type, fallback)));
    if (!notes) continue;
    for (pugi::xml_node n = notes->document_element().first_child(); n; n = n.next_sibling()) {
      // Separator "notes" hold only the rule drawn above the notes.
      if (Attr(n, "type").empty() || Attr(n, "type") == "normal") builder.Body(n, 1);
    }
  }

  ExtractedDocument doc = std::move(builder.doc());
  if (builder.too_deep()) doc.warnings.push_back("content nested too deeply was skipped");
  doc.title = ReadCoreTitle(*zip, doc.warnings);
  if (doc.title.empty()) doc.title = builder.style_title();
  return doc;
}

}  // namespace docent::ingest
