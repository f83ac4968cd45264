// WriteHwpx: an OWPML package (KS X 6101, Hancom's .hwpx) that Hangul opens. The mimetype
// entry comes first and stored, like EPUB's; headings use the built-in "개요 N" (Outline N)
// styles; tables are hp:tbl/hp:tr/hp:tc with each cell's text in hp:subList/hp:p.
#include <algorithm>
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

constexpr char kXmlHeader[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>";
constexpr char kNsHead[] = "http://www.hancom.co.kr/hwpml/2011/head";
constexpr char kNsCore[] = "http://www.hancom.co.kr/hwpml/2011/core";
constexpr char kNsPara[] = "http://www.hancom.co.kr/hwpml/2011/paragraph";
constexpr char kNsSection[] = "http://www.hancom.co.kr/hwpml/2011/section";
// A4 in HWPUNIT (1/7200 inch) with 30 mm side margins: 42520 units of text width.
constexpr int kPageWidth = 59528;
constexpr int kPageHeight = 84186;
constexpr int kSideMargin = 8504;
constexpr int kTextWidth = kPageWidth - 2 * kSideMargin;
constexpr int kCellHeight = 1200;
// Character heights (1/100 pt) of charPr 0 (body) and 1..6 (headings 1..6); 7 is bold body.
constexpr int kCharHeights[] = {1000, 1800, 1500, 1300, 1200, 1100, 1000, 1000};
constexpr int kBoldBodyCharPr = 7;
constexpr int kTableBorderFill = 3;

std::string FontFaces() {
  std::string xml = "<hh:fontfaces itemCnt=\"7\">";
  for (const char* lang : {"HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER"}) {
    xml += std::string("<hh:fontface lang=\"") + lang +
           "\" fontCnt=\"1\">"
           "<hh:font id=\"0\" face=\"함초롬돋움\" type=\"TTF\" isEmbedded=\"0\">"
           "<hh:typeInfo familyType=\"FCAT_GOTHIC\" weight=\"6\" proportion=\"4\" contrast=\"0\" "
           "strokeVariation=\"1\" armStyle=\"1\" letterform=\"1\" midline=\"1\" xHeight=\"1\"/>"
           "</hh:font></hh:fontface>";
  }
  return xml + "</hh:fontfaces>";
}

std::string BorderFill(int id, const char* line_type, const char* width, bool brush) {
  std::string xml = "<hh:borderFill id=\"" + std::to_string(id) +
                    "\" threeD=\"0\" shadow=\"0\" centerLine=\"NONE\" breakCellSeparateLine=\"0\">"
                    "<hh:slash type=\"NONE\" Crooked=\"0\" isCounter=\"0\"/>"
                    "<hh:backSlash type=\"NONE\" Crooked=\"0\" isCounter=\"0\"/>";
  for (const char* side : {"leftBorder", "rightBorder", "topBorder", "bottomBorder"}) {
    xml += std::string("<hh:") + side + " type=\"" + line_type + "\" width=\"" + width +
           "\" color=\"#000000\"/>";
  }
  xml += "<hh:diagonal type=\"SOLID\" width=\"0.1 mm\" color=\"#000000\"/>";
  if (brush) {
    xml +=
        "<hc:fillBrush><hc:winBrush faceColor=\"none\" hatchColor=\"#999999\" alpha=\"0\"/>"
        "</hc:fillBrush>";
  }
  return xml + "</hh:borderFill>";
}

// Character shapes: ids must equal their position in the list, as Hangul looks them up so.
std::string CharProperties() {
  const std::string all_langs_zero =
      "hangul=\"0\" latin=\"0\" hanja=\"0\" japanese=\"0\" other=\"0\" symbol=\"0\" user=\"0\"";
  const std::string all_langs_100 =
      "hangul=\"100\" latin=\"100\" hanja=\"100\" japanese=\"100\" "
      "other=\"100\" symbol=\"100\" user=\"100\"";
  const int count = static_cast<int>(std::size(kCharHeights));
  std::string xml = "<hh:charProperties itemCnt=\"" + std::to_string(count) + "\">";
  for (int id = 0; id < count; ++id) {
    const bool bold = id > 0;
    xml += "<hh:charPr id=\"" + std::to_string(id) + "\" height=\"" +
           std::to_string(kCharHeights[id]) +
           "\" textColor=\"#000000\" shadeColor=\"none\" "
           "useFontSpace=\"0\" useKerning=\"0\" symMark=\"NONE\" borderFillIDRef=\"2\">"
           "<hh:fontRef " +
           all_langs_zero + "/><hh:ratio " + all_langs_100 + "/><hh:spacing " + all_langs_zero +
           "/><hh:relSz " + all_langs_100 + "/><hh:offset " + all_langs_zero + "/>" +
           (bold ? "<hh:bold/>" : "") +
           "<hh:underline type=\"NONE\" shape=\"SOLID\" color=\"#000000\"/>"
           "<hh:strikeout shape=\"NONE\" color=\"#000000\"/><hh:outline type=\"NONE\"/>"
           "<hh:shadow type=\"NONE\" color=\"#C0C0C0\" offsetX=\"10\" offsetY=\"10\"/>"
           "</hh:charPr>";
  }
  return xml + "</hh:charProperties>";
}

// paraPr 0 is body text, 1 is a heading (left-aligned, kept with the next paragraph).
std::string ParaPr(int id, const char* align, bool keep_with_next, int space_before,
                   int space_after) {
  return "<hh:paraPr id=\"" + std::to_string(id) +
         "\" tabPrIDRef=\"0\" condense=\"0\" "
         "fontLineHeight=\"0\" snapToGrid=\"1\" suppressLineNumbers=\"0\" checked=\"0\" "
         "textDir=\"LTR\"><hh:align horizontal=\"" +
         align +
         "\" vertical=\"BASELINE\"/>"
         "<hh:heading type=\"NONE\" idRef=\"0\" level=\"0\"/><hh:breakSetting "
         "breakLatinWord=\"KEEP_WORD\" breakNonLatinWord=\"KEEP_WORD\" widowOrphan=\"0\" "
         "keepWithNext=\"" +
         (keep_with_next ? "1" : "0") +
         "\" keepLines=\"0\" "
         "pageBreakBefore=\"0\" lineWrap=\"BREAK\"/><hh:autoSpacing eAsianEng=\"0\" "
         "eAsianNum=\"0\"/><hh:margin><hc:intent value=\"0\" unit=\"HWPUNIT\"/>"
         "<hc:left value=\"0\" unit=\"HWPUNIT\"/><hc:right value=\"0\" unit=\"HWPUNIT\"/>"
         "<hc:prev value=\"" +
         std::to_string(space_before) +
         "\" unit=\"HWPUNIT\"/>"
         "<hc:next value=\"" +
         std::to_string(space_after) +
         "\" unit=\"HWPUNIT\"/></hh:margin>"
         "<hh:lineSpacing type=\"PERCENT\" value=\"160\" unit=\"HWPUNIT\"/>"
         "<hh:border borderFillIDRef=\"2\" offsetLeft=\"0\" offsetRight=\"0\" offsetTop=\"0\" "
         "offsetBottom=\"0\" connect=\"0\" ignoreMargin=\"0\"/></hh:paraPr>";
}

// Outline numbering 1, which the section's outlineShapeIDRef names (as Hangul's own blank
// document does); no paragraph uses it, so no numbers are shown.
std::string Numberings() {
  std::string xml = "<hh:numberings itemCnt=\"1\"><hh:numbering id=\"1\" start=\"0\">";
  for (int level = 1; level <= 7; ++level) {
    const std::string n = std::to_string(level);
    xml += "<hh:paraHead start=\"1\" level=\"" + n +
           "\" align=\"LEFT\" useInstWidth=\"1\" "
           "autoIndent=\"1\" widthAdjust=\"0\" textOffsetType=\"PERCENT\" textOffset=\"50\" "
           "numFormat=\"DIGIT\" charPrIDRef=\"4294967295\" checkable=\"0\">^" +
           n + ".</hh:paraHead>";
  }
  return xml + "</hh:numbering></hh:numberings>";
}

std::string Header() {
  std::string xml = std::string(kXmlHeader) + "<hh:head xmlns:hh=\"" + kNsHead + "\" xmlns:hc=\"" +
                    kNsCore + "\" xmlns:hp=\"" + kNsPara +
                    "\" version=\"1.4\" secCnt=\"1\">"
                    "<hh:beginNum page=\"1\" footnote=\"1\" endnote=\"1\" pic=\"1\" tbl=\"1\" "
                    "equation=\"1\"/><hh:refList>" +
                    FontFaces() + "<hh:borderFills itemCnt=\"3\">" +
                    BorderFill(1, "NONE", "0.1 mm", false) + BorderFill(2, "NONE", "0.1 mm", true) +
                    BorderFill(kTableBorderFill, "SOLID", "0.12 mm", false) + "</hh:borderFills>" +
                    CharProperties() +
                    "<hh:tabProperties itemCnt=\"1\"><hh:tabPr id=\"0\" autoTabLeft=\"0\" "
                    "autoTabRight=\"0\"/></hh:tabProperties>" +
                    Numberings() + "<hh:paraProperties itemCnt=\"2\">" +
                    ParaPr(0, "JUSTIFY", false, 0, 0) + ParaPr(1, "LEFT", true, 1200, 600) +
                    "</hh:paraProperties><hh:styles itemCnt=\"7\">"
                    "<hh:style id=\"0\" type=\"PARA\" name=\"바탕글\" engName=\"Normal\" "
                    "paraPrIDRef=\"0\" charPrIDRef=\"0\" nextStyleIDRef=\"0\" langID=\"1042\" "
                    "lockForm=\"0\"/>";
  for (int level = 1; level <= 6; ++level) {
    const std::string n = std::to_string(level);
    xml += "<hh:style id=\"" + n + "\" type=\"PARA\" name=\"개요 " + n + "\" engName=\"Outline " +
           n + "\" paraPrIDRef=\"1\" charPrIDRef=\"" + n +
           "\" nextStyleIDRef=\"0\" langID=\"1042\" lockForm=\"0\"/>";
  }
  return xml +
         "</hh:styles></hh:refList><hh:compatibleDocument targetProgram=\"HWP201X\">"
         "<hh:layoutCompatibility/></hh:compatibleDocument><hh:docOption>"
         "<hh:linkinfo path=\"\" pageInherit=\"0\" footnoteInherit=\"0\"/>"
         "</hh:docOption></hh:head>";
}

// Page setup, carried by the first run of the section's first paragraph.
std::string SectionProperties() {
  std::string xml =
      "<hp:secPr id=\"\" textDirection=\"HORIZONTAL\" spaceColumns=\"1134\" tabStop=\"8000\" "
      "tabStopVal=\"4000\" tabStopUnit=\"HWPUNIT\" outlineShapeIDRef=\"1\" memoShapeIDRef=\"0\" "
      "textVerticalWidthHead=\"0\" masterPageCnt=\"0\"><hp:grid lineGrid=\"0\" charGrid=\"0\" "
      "wonggojiFormat=\"0\"/><hp:startNum pageStartsOn=\"BOTH\" page=\"0\" pic=\"0\" tbl=\"0\" "
      "equation=\"0\"/><hp:visibility hideFirstHeader=\"0\" hideFirstFooter=\"0\" "
      "hideFirstMasterPage=\"0\" border=\"SHOW_ALL\" fill=\"SHOW_ALL\" hideFirstPageNum=\"0\" "
      "hideFirstEmptyLine=\"0\" showLineNumber=\"0\"/><hp:lineNumberShape restartType=\"0\" "
      "countBy=\"0\" distance=\"0\" startNumber=\"0\"/><hp:pagePr landscape=\"WIDELY\" width=\"" +
      std::to_string(kPageWidth) + "\" height=\"" + std::to_string(kPageHeight) +
      "\" gutterType=\"LEFT_ONLY\"><hp:margin header=\"4252\" footer=\"4252\" gutter=\"0\" "
      "left=\"" +
      std::to_string(kSideMargin) + "\" right=\"" + std::to_string(kSideMargin) +
      "\" top=\"5668\" bottom=\"4252\"/></hp:pagePr>";
  for (const char* kind : {"footNotePr", "endNotePr"}) {
    const bool foot = kind[0] == 'f';
    xml += std::string("<hp:") + kind +
           "><hp:autoNumFormat type=\"DIGIT\" userChar=\"\" "
           "prefixChar=\"\" suffixChar=\")\" supscript=\"0\"/><hp:noteLine length=\"" +
           (foot ? "-1" : "14692344") +
           "\" type=\"SOLID\" width=\"0.12 mm\" color=\"#000000\"/>"
           "<hp:noteSpacing betweenNotes=\"" +
           (foot ? "283" : "0") +
           "\" belowLine=\"567\" "
           "aboveLine=\"850\"/><hp:numbering type=\"CONTINUOUS\" newNum=\"1\"/><hp:placement "
           "place=\"" +
           (foot ? "EACH_COLUMN" : "END_OF_DOCUMENT") +
           "\" beneathText=\"0\"/>"
           "</hp:" +
           kind + ">";
  }
  for (const char* type : {"BOTH", "EVEN", "ODD"}) {
    xml += std::string("<hp:pageBorderFill type=\"") + type +
           "\" borderFillIDRef=\"1\" "
           "textBorder=\"PAPER\" headerInside=\"0\" footerInside=\"0\" fillArea=\"PAPER\">"
           "<hp:offset left=\"1417\" right=\"1417\" top=\"1417\" bottom=\"1417\"/>"
           "</hp:pageBorderFill>";
  }
  return xml +
         "</hp:secPr><hp:ctrl><hp:colPr id=\"\" type=\"NEWSPAPER\" layout=\"LEFT\" "
         "colCount=\"1\" sameSz=\"1\" sameGap=\"0\"/></hp:ctrl>";
}

// hp:t for one paragraph's text; '\n' becomes an in-paragraph hp:lineBreak.
std::string TextElement(const std::string& text) {
  std::string xml = "<hp:t>";
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    xml += XmlEscape(text.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    xml += "<hp:lineBreak/>";
    start = end + 1;
  }
  return xml + "</hp:t>";
}

class SectionBuilder {
 public:
  // A paragraph whose single text run uses `char_pr`; `inner` replaces the text run when set
  // (a table's run).
  void Paragraph(int style, int para_pr, int char_pr, const std::string& text,
                 const std::string& inner = "") {
    xml_ += Open(style, para_pr);
    if (!secpr_written_) {
      xml_ += "<hp:run charPrIDRef=\"0\">" + SectionProperties() + "</hp:run>";
      secpr_written_ = true;
    }
    xml_ += inner.empty() ? "<hp:run charPrIDRef=\"" + std::to_string(char_pr) + "\">" +
                                TextElement(text) + "</hp:run>"
                          : inner;
    xml_ += "</hp:p>";
  }

  void Table(const std::vector<std::vector<std::string>>& rows) {
    size_t columns = 1;
    for (const auto& row : rows) columns = std::max(columns, row.size());
    const int cell_width = kTextWidth / static_cast<int>(columns);
    const std::string border = std::to_string(kTableBorderFill);
    std::string tbl =
        "<hp:run charPrIDRef=\"0\"><hp:tbl id=\"" + std::to_string(next_id_++) +
        "\" zOrder=\"0\" numberingType=\"TABLE\" textWrap=\"TOP_AND_BOTTOM\" "
        "textFlow=\"BOTH_SIDES\" lock=\"0\" dropcapstyle=\"None\" pageBreak=\"CELL\" "
        "repeatHeader=\"1\" rowCnt=\"" +
        std::to_string(rows.size()) + "\" colCnt=\"" + std::to_string(columns) +
        "\" cellSpacing=\"0\" borderFillIDRef=\"" + border + "\" noAdjust=\"0\"><hp:sz width=\"" +
        std::to_string(cell_width * columns) + "\" widthRelTo=\"ABSOLUTE\" height=\"" +
        std::to_string(kCellHeight * rows.size()) +
        "\" heightRelTo=\"ABSOLUTE\" protect=\"0\"/><hp:pos treatAsChar=\"1\" "
        "affectLSpacing=\"0\" flowWithText=\"1\" allowOverlap=\"0\" holdAnchorAndSO=\"0\" "
        "vertRelTo=\"PARA\" horzRelTo=\"COLUMN\" vertAlign=\"TOP\" horzAlign=\"LEFT\" "
        "vertOffset=\"0\" horzOffset=\"0\"/><hp:outMargin left=\"283\" right=\"283\" "
        "top=\"283\" bottom=\"283\"/><hp:inMargin left=\"510\" right=\"510\" top=\"141\" "
        "bottom=\"141\"/>";
    for (size_t r = 0; r < rows.size(); ++r) {
      tbl += "<hp:tr>";
      const bool header = r == 0 && rows.size() > 1;
      for (size_t c = 0; c < columns; ++c) {
        const std::string text = c < rows[r].size() ? rows[r][c] : std::string();
        tbl += "<hp:tc name=\"\" header=\"" + std::string(header ? "1" : "0") +
               "\" hasMargin=\"0\" protect=\"0\" editable=\"0\" dirty=\"0\" borderFillIDRef=\"" +
               border +
               "\"><hp:subList id=\"\" textDirection=\"HORIZONTAL\" "
               "lineWrap=\"BREAK\" vertAlign=\"CENTER\" linkListIDRef=\"0\" "
               "linkListNextIDRef=\"0\" textWidth=\"0\" textHeight=\"0\" hasTextRef=\"0\" "
               "hasNumRef=\"0\">" +
               Open(0, 0) + "<hp:run charPrIDRef=\"" +
               std::to_string(header ? kBoldBodyCharPr : 0) + "\">" + TextElement(text) +
               "</hp:run></hp:p></hp:subList><hp:cellAddr colAddr=\"" + std::to_string(c) +
               "\" rowAddr=\"" + std::to_string(r) +
               "\"/><hp:cellSpan colSpan=\"1\" "
               "rowSpan=\"1\"/><hp:cellSz width=\"" +
               std::to_string(cell_width) + "\" height=\"" + std::to_string(kCellHeight) +
               "\"/><hp:cellMargin left=\"510\" "
               "right=\"510\" top=\"141\" bottom=\"141\"/></hp:tc>";
      }
      tbl += "</hp:tr>";
    }
    tbl += "</hp:tbl></hp:run>";
    Paragraph(0, 0, 0, "", tbl);
  }

  std::string Finish() {
    if (!secpr_written_) Paragraph(0, 0, 0, "");
    return std::string(kXmlHeader) + "<hs:sec xmlns:hs=\"" + kNsSection + "\" xmlns:hp=\"" +
           kNsPara + "\" xmlns:hc=\"" + kNsCore + "\" xmlns:hh=\"" + kNsHead + "\">" + xml_ +
           "</hs:sec>";
  }

 private:
  std::string Open(int style, int para_pr) {
    return "<hp:p id=\"" + std::to_string(next_id_++) + "\" paraPrIDRef=\"" +
           std::to_string(para_pr) + "\" styleIDRef=\"" + std::to_string(style) +
           "\" pageBreak=\"0\" columnBreak=\"0\" merged=\"0\">";
  }

  std::string xml_;
  bool secpr_written_ = false;
  int next_id_ = 1;
};

std::string ContentHpf(const std::string& title) {
  // Hangul writes the title as opf:title; dc:title is there for generic OPF readers.
  return std::string(kXmlHeader) +
         "<opf:package xmlns:ha=\"http://www.hancom.co.kr/hwpml/2011/app\" xmlns:hp=\"" + kNsPara +
         "\" xmlns:hs=\"" + kNsSection + "\" xmlns:hc=\"" + kNsCore + "\" xmlns:hh=\"" + kNsHead +
         "\" xmlns:hpf=\"http://www.hancom.co.kr/schema/2011/hpf\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
         "xmlns:opf=\"http://www.idpf.org/2007/opf/\" version=\"\" unique-identifier=\"\" "
         "id=\"\"><opf:metadata><opf:title>" +
         XmlEscape(title) + "</opf:title><dc:title>" + XmlEscape(title) +
         "</dc:title><opf:language>ko</opf:language>"
         "<opf:meta name=\"creator\" content=\"text\">docent</opf:meta>"
         "<opf:meta name=\"CreatedDate\" content=\"text\">" +
         kFixedIsoTime +
         "</opf:meta>"
         "</opf:metadata><opf:manifest>"
         "<opf:item id=\"header\" href=\"Contents/header.xml\" media-type=\"application/xml\"/>"
         "<opf:item id=\"section0\" href=\"Contents/section0.xml\" "
         "media-type=\"application/xml\"/><opf:item id=\"settings\" href=\"settings.xml\" "
         "media-type=\"application/xml\"/></opf:manifest><opf:spine>"
         "<opf:itemref idref=\"header\" linear=\"yes\"/>"
         "<opf:itemref idref=\"section0\" linear=\"yes\"/></opf:spine></opf:package>";
}

}  // namespace

Status WriteHwpx(const std::filesystem::path& path, const DocModel& doc) {
  SectionBuilder section;
  for (const DocItem& item : doc.items) {
    switch (item.kind) {
      case DocItem::Kind::kHeading: {
        const int level = std::clamp(item.level, 1, 6);
        section.Paragraph(level, 1, level, item.text);
        break;
      }
      case DocItem::Kind::kParagraph:
        section.Paragraph(0, 0, 0, item.text);
        break;
      case DocItem::Kind::kTable:
        section.Table(item.rows);
        break;
    }
  }
  const std::string version =
      std::string(kXmlHeader) +
      "<hv:HCFVersion xmlns:hv=\"http://www.hancom.co.kr/hwpml/2011/version\" "
      "targetApplication=\"WORDPROCESSOR\" major=\"5\" minor=\"1\" micro=\"0\" buildNumber=\"1\" "
      "os=\"1\" xmlVersion=\"1.4\" application=\"Hancom Office Hangul\" "
      "appVersion=\"11, 0, 0, 0\"/>";
  const std::string container =
      std::string(kXmlHeader) +
      "<ocf:container xmlns:ocf=\"urn:oasis:names:tc:opendocument:xmlns:container\" "
      "xmlns:hpf=\"http://www.hancom.co.kr/schema/2011/hpf\"><ocf:rootfiles>"
      "<ocf:rootfile full-path=\"Contents/content.hpf\" "
      "media-type=\"application/hwpml-package+xml\"/></ocf:rootfiles></ocf:container>";
  const std::string manifest =
      std::string(kXmlHeader) +
      "<odf:manifest xmlns:odf=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>";
  const std::string settings =
      std::string(kXmlHeader) +
      "<ha:HWPApplicationSetting xmlns:ha=\"http://www.hancom.co.kr/hwpml/2011/app\" "
      "xmlns:config=\"urn:oasis:names:tc:opendocument:xmlns:config:1.0\">"
      "<ha:CaretPosition listIDRef=\"0\" paraIDRef=\"0\" pos=\"0\"/></ha:HWPApplicationSetting>";
  return WriteZip(path, {
                            {"mimetype", "application/hwp+zip", /*store=*/true},
                            {"version.xml", version},
                            {"Contents/header.xml", Header()},
                            {"Contents/section0.xml", section.Finish()},
                            {"settings.xml", settings},
                            {"Contents/content.hpf", ContentHpf(doc.title)},
                            {"META-INF/container.xml", container},
                            {"META-INF/manifest.xml", manifest},
                        });
}

}  // namespace docent::testing
