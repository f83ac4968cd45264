// WriteDocx: a WordprocessingML package (ECMA-376) that Word and LibreOffice open: headings use
// the built-in Heading1..6 styles (with outline levels), tables are w:tbl with a header row.
#include <algorithm>
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

constexpr char kXmlHeader[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr char kWordNs[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
// A4 in twentieths of a point, with one-inch margins: 9026 twips of text width.
constexpr int kPageWidthTwips = 11906;
constexpr int kPageHeightTwips = 16838;
constexpr int kMarginTwips = 1440;
constexpr int kTextWidthTwips = kPageWidthTwips - 2 * kMarginTwips;

std::string ContentTypes() {
  return std::string(kXmlHeader) +
         "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
         "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
         "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
         "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
         "<Override PartName=\"/docProps/core.xml\" "
         "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
         "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
         "vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
         "</Types>";
}

std::string PackageRels() {
  return std::string(kXmlHeader) +
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
         "2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
         "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
         "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
         "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
         "2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
         "</Relationships>";
}

std::string DocumentRels() {
  return std::string(kXmlHeader) +
         "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
         "2006/relationships/styles\" Target=\"styles.xml\"/>"
         "</Relationships>";
}

// One paragraph style; `size` is in half-points.
std::string ParagraphStyle(const std::string& id, const std::string& name, int size,
                           int outline_level, int space_before) {
  std::string xml = "<w:style w:type=\"paragraph\" w:styleId=\"" + id +
                    "\">"
                    "<w:name w:val=\"" +
                    name +
                    "\"/><w:basedOn w:val=\"Normal\"/>"
                    "<w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>"
                    "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"" +
                    std::to_string(space_before) + "\" w:after=\"120\"/>";
  if (outline_level >= 0) xml += "<w:outlineLvl w:val=\"" + std::to_string(outline_level) + "\"/>";
  xml += "</w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val=\"" + std::to_string(size) +
         "\"/><w:szCs w:val=\"" + std::to_string(size) + "\"/></w:rPr></w:style>";
  return xml;
}

std::string Styles() {
  std::string xml =
      std::string(kXmlHeader) + "<w:styles xmlns:w=\"" + kWordNs + "\">" +
      "<w:docDefaults><w:rPrDefault><w:rPr>"
      "<w:rFonts w:ascii=\"Calibri\" w:hAnsi=\"Calibri\" w:eastAsia=\"Malgun Gothic\" "
      "w:cs=\"Calibri\"/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>"
      "<w:lang w:val=\"en-US\" w:eastAsia=\"ko-KR\" w:bidi=\"ar-SA\"/>"
      "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
      "<w:spacing w:after=\"160\" w:line=\"276\" w:lineRule=\"auto\"/>"
      "</w:pPr></w:pPrDefault></w:docDefaults>"
      "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
      "<w:name w:val=\"Normal\"/><w:qFormat/></w:style>";
  xml += ParagraphStyle("Title", "Title", 48, -1, 0);
  const int sizes[] = {36, 30, 26, 24, 22, 22};
  for (int level = 1; level <= 6; ++level) {
    xml += ParagraphStyle("Heading" + std::to_string(level), "heading " + std::to_string(level),
                          sizes[level - 1], level - 1, level <= 2 ? 360 : 240);
  }
  xml +=
      "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">"
      "<w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/>"
      "<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar>"
      "<w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>"
      "<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>"
      "</w:tblCellMar></w:tblPr></w:style>"
      "<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
      "<w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>"
      "<w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
      "<w:tblPr><w:tblBorders>";
  for (const char* side : {"top", "left", "bottom", "right", "insideH", "insideV"}) {
    xml += std::string("<w:") + side +
           " w:val=\"single\" w:sz=\"4\" w:space=\"0\" "
           "w:color=\"auto\"/>";
  }
  xml += "</w:tblBorders></w:tblPr></w:style></w:styles>";
  return xml;
}

// Runs for one paragraph: '\n' becomes a line break (w:br) inside the paragraph.
std::string Runs(const std::string& text, bool bold) {
  const std::string rpr = bold ? "<w:rPr><w:b/><w:bCs/></w:rPr>" : "";
  std::string xml = "<w:r>" + rpr;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? end : end - start);
    xml += "<w:t xml:space=\"preserve\">" + XmlEscape(line) + "</w:t>";
    if (end == std::string::npos) break;
    xml += "<w:br/>";
    start = end + 1;
  }
  return xml + "</w:r>";
}

std::string Paragraph(const std::string& text, const std::string& style, bool bold = false) {
  std::string xml = "<w:p>";
  if (!style.empty()) xml += "<w:pPr><w:pStyle w:val=\"" + style + "\"/></w:pPr>";
  if (!text.empty()) xml += Runs(text, bold);
  return xml + "</w:p>";
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  size_t columns = 1;
  for (const auto& row : rows) columns = std::max(columns, row.size());
  const std::string width = std::to_string(kTextWidthTwips / static_cast<int>(columns));
  std::string xml =
      "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>"
      "<w:tblW w:w=\"5000\" w:type=\"pct\"/>"
      "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" "
      "w:firstColumn=\"1\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/>"
      "</w:tblPr><w:tblGrid>";
  for (size_t c = 0; c < columns; ++c) xml += "<w:gridCol w:w=\"" + width + "\"/>";
  xml += "</w:tblGrid>";
  for (size_t r = 0; r < rows.size(); ++r) {
    const bool header = r == 0 && rows.size() > 1;
    xml += "<w:tr>";
    if (header) xml += "<w:trPr><w:tblHeader/></w:trPr>";
    for (size_t c = 0; c < columns; ++c) {
      // Every cell needs a paragraph, so short rows are padded with empty cells.
      const std::string text = c < rows[r].size() ? rows[r][c] : std::string();
      xml += "<w:tc><w:tcPr><w:tcW w:w=\"" + width + "\" w:type=\"dxa\"/></w:tcPr>" +
             Paragraph(text, "", header) + "</w:tc>";
    }
    xml += "</w:tr>";
  }
  return xml + "</w:tbl>";
}

std::string Document(const DocModel& doc) {
  std::string xml = std::string(kXmlHeader) + "<w:document xmlns:w=\"" + kWordNs +
                    "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    "relationships\"><w:body>";
  bool ends_with_table = false;
  for (const DocItem& item : doc.items) {
    ends_with_table = item.kind == DocItem::Kind::kTable;
    switch (item.kind) {
      case DocItem::Kind::kHeading: {
        const int level = std::clamp(item.level, 1, 6);
        xml += Paragraph(item.text, "Heading" + std::to_string(level));
        break;
      }
      case DocItem::Kind::kParagraph:
        xml += Paragraph(item.text, "");
        break;
      case DocItem::Kind::kTable:
        xml += Table(item.rows);
        break;
    }
  }
  // Word always saves a paragraph after a final table; write one too, as Word would.
  if (ends_with_table) xml += "<w:p/>";
  xml += "<w:sectPr><w:pgSz w:w=\"" + std::to_string(kPageWidthTwips) + "\" w:h=\"" +
         std::to_string(kPageHeightTwips) +
         "\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" "
         "w:bottom=\"1440\" w:left=\"1440\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/>"
         "</w:sectPr></w:body></w:document>";
  return xml;
}

}  // namespace

Status WriteDocx(const std::filesystem::path& path, const DocModel& doc) {
  return WriteZip(path, {
                            {"[Content_Types].xml", ContentTypes()},
                            {"_rels/.rels", PackageRels()},
                            {"word/document.xml", Document(doc)},
                            {"word/_rels/document.xml.rels", DocumentRels()},
                            {"word/styles.xml", Styles()},
                            {"docProps/core.xml", internal::OoxmlCoreProps(doc.title)},
                            {"docProps/app.xml", internal::OoxmlAppProps("docent")},
                        });
}

}  // namespace docent::testing
