// HWPX (OWPML, KS X 6101; Hangul's zip+XML format): sections in the reading order of
// Contents/content.hpf's spine, each a run of hp:p paragraphs whose text sits in
// hp:run/hp:t. Paragraphs in the outline styles ("개요 N", engName "Outline N", from
// Contents/header.xml) become headings; hp:tbl tables give one kTableRow per hp:tr, labelled
// by the first row when its cells are marked header="1"; footnotes and text boxes follow
// their paragraph; page headers and footers are left out. Title: the package metadata, else
// the first heading, else a short first paragraph.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/xml_util.h"
#include "docent/ingest/zip_archive.h"

namespace docent::ingest {
namespace {

constexpr char kDefaultPackage[] = "Contents/content.hpf";

// Outline style id -> heading level, from Contents/header.xml.
std::map<std::string, int> OutlineStyles(const pugi::xml_node& head) {
  std::map<std::string, int> levels;
  Walk(head, [&](const pugi::xml_node& n) {
    if (!Is(n, "style")) return n.type() == pugi::node_element;
    for (std::string_view name : {Attr(n, "name"), Attr(n, "engName")}) {
      for (std::string_view prefix : {"개요 ", "Outline "}) {
        if (!name.starts_with(prefix)) continue;
        const std::string_view digits = name.substr(prefix.size());
        if (digits.empty() || digits.size() > 2 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
          continue;
        }
        levels[std::string(Attr(n, "id"))] = std::min(std::stoi(std::string(digits)), 6);
      }
    }
    return false;
  });
  return levels;
}

class SectionReader {
 public:
  SectionReader(ExtractedDocument& doc, const std::map<std::string, int>& outline)
      : doc_(doc), outline_(outline) {}

  // The paragraphs of a section or a sub-list (cell, footnote, text box).
  void Paragraphs(const pugi::xml_node& container, int depth) {
    if (depth > kMaxXmlDepth) {
      too_deep_ = true;
      return;
    }
    for (pugi::xml_node p = container.first_child(); p; p = p.next_sibling()) {
      if (Is(p, "p")) Paragraph(p, depth);
    }
  }

  bool too_deep() const { return too_deep_; }

 private:
  // A paragraph's own text. Tables and sub-lists inside it go to `nested` when given, else
  // their text is inlined (inside table cells).
  static std::string ParagraphText(const pugi::xml_node& p, std::vector<pugi::xml_node>* nested) {
    std::string text;
    Walk(p, [&](const pugi::xml_node& n) {
      if (n.type() != pugi::node_element) return false;
      const std::string_view name = LocalName(n.name());
      if (name == "t") {
        for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
          if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
            text += c.value();
          } else if (Is(c, "tab")) {
            text += '\t';
          } else if (Is(c, "lineBreak")) {
            text += '\n';
          } else if (Is(c, "nbSpace") || Is(c, "fwSpace")) {
            text += ' ';
          }
        }
        return false;
      }
      if (name == "tbl" || name == "subList") {
        if (nested != nullptr) {
          nested->push_back(n);
          return false;
        }
        text += ' ';
        return true;
      }
      if (name == "p") text += ' ';  // a paragraph of an inlined cell or note
      // Page headers and footers repeat on every page; line layout and pictures hold no text.
      return name != "header" && name != "footer" && name != "linesegarray" && name != "secPr" &&
             name != "pic" && name != "equation";
    });
    return text;
  }

  void Paragraph(const pugi::xml_node& p, int depth) {
    std::vector<pugi::xml_node> nested;
    std::string text = ParagraphText(p, &nested);
    auto style = outline_.find(std::string(Attr(p, "styleIDRef")));
    if (style != outline_.end()) {
      AddHeading(doc_, style->second, std::move(text));
    } else {
      AddParagraph(doc_, std::move(text));
    }
    for (const pugi::xml_node& n : nested) {
      if (Is(n, "tbl")) {
        Table(n);
      } else {
        Paragraphs(n, depth + 1);
      }
    }
  }

  void Table(const pugi::xml_node& tbl) {
    std::vector<std::vector<std::string>> rows;
    bool header = true;
    for (pugi::xml_node tr = tbl.first_child(); tr; tr = tr.next_sibling()) {
      if (!Is(tr, "tr")) continue;
      rows.emplace_back();
      for (pugi::xml_node tc = tr.first_child(); tc; tc = tc.next_sibling()) {
        if (!Is(tc, "tc")) continue;
        if (rows.size() == 1 && Attr(tc, "header") != "1") header = false;
        std::string cell;
        for (pugi::xml_node p = Child(tc, "subList").first_child(); p; p = p.next_sibling()) {
          if (!Is(p, "p")) continue;
          cell += cell.empty() ? "" : " ";
          cell += ParagraphText(p, nullptr);
        }
        rows.back().push_back(std::move(cell));
      }
    }
    AddTable(doc_, std::move(rows), header);
  }

  ExtractedDocument& doc_;
  const std::map<std::string, int>& outline_;
  bool too_deep_ = false;
};

// The package file (content.hpf) named by META-INF/container.xml.
std::string PackagePath(ZipArchive& zip) {
  auto container = ReadXmlIfPresent(zip, "META-INF/container.xml");
  if (container.ok() && *container) {
    const pugi::xml_node root = Descendant((*container)->document_element(), "rootfile");
    for (pugi::xml_node r = root; r; r = r.next_sibling()) {
      const std::string_view path = Attr(r, "full-path");
      if (path.ends_with(".hpf") && zip.Has(path)) return std::string(path);
    }
  }
  return kDefaultPackage;
}

// Section parts in reading order: the spine's section items, else section<N>.xml by N.
std::vector<std::string> SectionPaths(ZipArchive& zip, const pugi::xml_node& package,
                                      const std::string& package_path) {
  std::map<std::string, std::string> hrefs;
  for (pugi::xml_node item : Child(package, "manifest").children()) {
    std::string href(Attr(item, "href"));
    if (!zip.Has(href)) href = ResolvePartPath(package_path, href);
    hrefs[std::string(Attr(item, "id"))] = href;
  }
  std::vector<std::string> sections;
  for (pugi::xml_node ref : Child(package, "spine").children()) {
    auto it = hrefs.find(std::string(Attr(ref, "idref")));
    if (it == hrefs.end()) continue;
    const std::string file = it->second.substr(it->second.rfind('/') + 1);
    if (file.starts_with("section") && file.ends_with(".xml")) sections.push_back(it->second);
  }
  if (!sections.empty()) return sections;
  std::vector<std::pair<int, std::string>> numbered;
  for (const std::string& name : zip.Names()) {
    if (!name.starts_with("Contents/section") || !name.ends_with(".xml")) continue;
    const std::string digits = name.substr(16, name.size() - 16 - 4);
    if (digits.empty() || digits.size() > 6 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    numbered.emplace_back(std::stoi(digits), name);
  }
  std::sort(numbered.begin(), numbered.end());
  for (auto& [n, name] : numbered) sections.push_back(std::move(name));
  return sections;
}

}  // namespace

Result<ExtractedDocument> ExtractHwpx(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(auto zip, ZipArchive::Open(in.bytes, in.limits));
  DOCENT_ASSIGN_OR_RETURN(auto manifest, zip->ReadIfPresent("META-INF/manifest.xml"));
  if (manifest && manifest->find("encryption-data") != std::string::npos) {
    return Corrupt("encrypted HWPX (password required)");
  }
  const std::string package_path = PackagePath(*zip);
  DOCENT_ASSIGN_OR_RETURN(XmlDoc package, ReadXmlIfPresent(*zip, package_path));
  ExtractedDocument doc;
  std::vector<std::string> sections;
  if (package) {
    const pugi::xml_node root = package->document_element();
    for (pugi::xml_node m : Child(root, "metadata").children()) {
      if (Is(m, "title") && doc.title.empty()) doc.title = CollapseSpaces(m.child_value());
    }
    sections = SectionPaths(*zip, root, package_path);
  } else {
    sections = SectionPaths(*zip, pugi::xml_node(), package_path);
  }
  if (sections.empty()) return Corrupt("not a HWPX document (no Contents/section*.xml)");

  std::map<std::string, int> outline;
  DOCENT_ASSIGN_OR_RETURN(XmlDoc head, ReadXmlIfPresent(*zip, "Contents/header.xml"));
  if (head) outline = OutlineStyles(head->document_element());
  SectionReader reader(doc, outline);
  for (const std::string& path : sections) {
    DOCENT_ASSIGN_OR_RETURN(XmlDoc section, ReadXml(*zip, path));
    reader.Paragraphs(section->document_element(), 0);
  }
  if (reader.too_deep()) doc.warnings.push_back("content nested too deeply was skipped");
  TitleFromShortFirstParagraph(doc);
  return doc;
}

}  // namespace docent::ingest
