// PPTX (PresentationML): slides in presentation order (p:sldIdLst through the presentation's
// relationships, not file names). Per slide: the title placeholder becomes a level-2
// heading, every other text paragraph (shapes, groups, tables as rows) a paragraph, then
// the speaker notes; all with `slide` set. Slide numbers, dates and footers are left out.
// Title: docProps/core.xml, else the first slide's title.
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/xml_util.h"
#include "docent/ingest/zip_archive.h"

namespace docent::ingest {
namespace {

constexpr int kSlideTitleLevel = 2;

// Text of one DrawingML paragraph (a:p): runs, fields, line breaks.
std::string ParagraphText(const pugi::xml_node& p) {
  std::string text;
  Walk(p, [&](const pugi::xml_node& n) {
    if (Is(n, "t")) {
      text += n.child_value();
      return false;
    }
    if (Is(n, "br")) {
      text += '\n';
      return false;
    }
    return n.type() == pugi::node_element && !Is(n, "rPr") && !Is(n, "pPr");
  });
  return text;
}

std::string_view PlaceholderType(const pugi::xml_node& shape) {
  for (pugi::xml_node nv = shape.first_child(); nv; nv = nv.next_sibling()) {
    if (const pugi::xml_node ph = Path(nv, {"nvPr", "ph"})) {
      const std::string_view type = Attr(ph, "type");
      return type.empty() ? "body" : type;  // a placeholder without a type is a body
    }
  }
  return {};
}

class SlideReader {
 public:
  SlideReader(ExtractedDocument& doc, int slide) : doc_(doc) { proto_.slide = slide; }

  // The slide's shapes: the title first, then the rest in drawing order.
  void Slide(const pugi::xml_node& root, bool notes) {
    const pugi::xml_node tree = Path(root, {"cSld", "spTree"});
    std::vector<std::string> titles;
    ExtractedDocument body;
    // Shapes in drawing order, inside groups too. Of mc:AlternateContent, only the Choice
    // is read: the Fallback repeats the same text for older readers.
    std::vector<pugi::xml_node> shapes;
    Walk(tree, [&](const pugi::xml_node& n) {
      if (Is(n, "sp") || Is(n, "graphicFrame")) {
        shapes.push_back(n);
        return false;
      }
      return Is(n, "grpSp") || Is(n, "AlternateContent") || Is(n, "Choice");
    });
    for (const pugi::xml_node& shape : shapes) {
      const std::string_view ph = PlaceholderType(shape);
      if (ph == "sldNum" || ph == "dt" || ph == "ftr" || ph == "hdr" || ph == "sldImg") continue;
      if (Is(shape, "graphicFrame")) {
        Table(Descendant(shape, "tbl"), body);
        continue;
      }
      const pugi::xml_node tx = Child(shape, "txBody");
      const bool title = !notes && (ph == "title" || ph == "ctrTitle");
      std::string joined;
      for (pugi::xml_node p = tx.first_child(); p; p = p.next_sibling()) {
        if (!Is(p, "p")) continue;
        std::string text = ParagraphText(p);
        if (title) {
          joined += joined.empty() ? "" : " ";
          joined += text;
        } else {
          AddParagraph(body, std::move(text), proto_);
        }
      }
      if (title) titles.push_back(CollapseSpaces(joined));
    }
    for (std::string& t : titles) AddHeading(doc_, kSlideTitleLevel, std::move(t), proto_);
    for (Block& b : body.blocks) doc_.blocks.push_back(std::move(b));
  }

 private:
  void Table(const pugi::xml_node& tbl, ExtractedDocument& out) {
    if (!tbl) return;
    std::vector<std::vector<std::string>> rows;
    for (pugi::xml_node tr = tbl.first_child(); tr; tr = tr.next_sibling()) {
      if (!Is(tr, "tr")) continue;
      rows.emplace_back();
      for (pugi::xml_node tc = tr.first_child(); tc; tc = tc.next_sibling()) {
        if (!Is(tc, "tc")) continue;
        std::string cell;
        for (pugi::xml_node p = Child(tc, "txBody").first_child(); p; p = p.next_sibling()) {
          if (!Is(p, "p")) continue;
          cell += cell.empty() ? "" : " ";
          cell += ParagraphText(p);
        }
        rows.back().push_back(std::move(cell));
      }
    }
    // PowerPoint's "header row" table option.
    const bool header = Attr(Child(tbl, "tblPr"), "firstRow") == "1";
    AddTable(out, std::move(rows), header, proto_);
  }

  ExtractedDocument& doc_;
  Block proto_;
};

}  // namespace

Result<ExtractedDocument> ExtractPptx(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(auto zip, ZipArchive::Open(in.bytes, in.limits));
  const std::string main = MainPartPath(*zip, "ppt/presentation.xml");
  if (!zip->Has(main)) return Corrupt("not a PowerPoint file (" + main + " is missing)");
  DOCENT_ASSIGN_OR_RETURN(XmlDoc presentation, ReadXml(*zip, main));
  DOCENT_ASSIGN_OR_RETURN(auto rels, ReadRelationships(*zip, main));

  std::vector<std::string> slides;
  for (pugi::xml_node id = Child(presentation->document_element(), "sldIdLst").first_child(); id;
       id = id.next_sibling()) {
    auto rel = rels.find(std::string(PrefixedAttr(id, "id")));
    if (Is(id, "sldId") && rel != rels.end() && rel->second.type == "slide") {
      slides.push_back(rel->second.target);
    }
  }
  ExtractedDocument doc;
  for (size_t i = 0; i < slides.size(); ++i) {
    if (!zip->Has(slides[i])) {
      doc.warnings.push_back("slide " + std::to_string(i + 1) + " is missing (" + slides[i] + ")");
      continue;
    }
    SlideReader reader(doc, static_cast<int>(i + 1));
    DOCENT_ASSIGN_OR_RETURN(XmlDoc slide, ReadXml(*zip, slides[i]));
    reader.Slide(slide->document_element(), /*notes=*/false);
    DOCENT_ASSIGN_OR_RETURN(auto slide_rels, ReadRelationships(*zip, slides[i]));
    for (const auto& [rid, rel] : slide_rels) {
      if (rel.type != "notesSlide") continue;
      DOCENT_ASSIGN_OR_RETURN(XmlDoc notes, ReadXmlIfPresent(*zip, rel.target));
      if (notes) reader.Slide(notes->document_element(), /*notes=*/true);
    }
  }
  doc.title = ReadCoreTitle(*zip, doc.warnings);
  return doc;
}

}  // namespace docent::ingest
