// The zip+XML formats: docx, pptx, xlsx and hwpx, from the fixture writers and from
// hand-written packages for what the writers do not produce (localized styles, revisions,
// text boxes, dates, reordered slides, footnotes).
#include <gtest/gtest.h>

#include <string>

#include "docent/ingest/zip_archive.h"
#include "ingest/ingest_test_util.h"

namespace docent::ingest {
namespace {

using test::AllText;
using test::MustExtract;
using test::OfKind;
using test::Texts;
using testing::TempDir;
using testing::WriteZip;
using testing::ZipEntry;

const std::vector<std::string> kLeaveRows = {"이름: 김민수 | 부서: 영업 | 일수: 15",
                                             "이름: Lee | 부서: R&D | 일수: 20"};

void ExpectLeavePolicy(const ExtractedDocument& doc) {
  EXPECT_EQ(doc.title, "휴가 규정 Leave policy");
  const auto headings = OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 2u);
  EXPECT_EQ(headings[0].text, "연차 휴가");
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].text, "Sick leave");
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"직원은 입사 1년 후 15일의 연차 휴가를 받는다.",
                                      "Sick leave needs a doctor's note after three days."}));
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow), kLeaveRows);
}

TEST(DocxTest, WriterOutputGivesTitleHeadingsParagraphsAndRows) {
  TempDir dir;
  ASSERT_TRUE(testing::WriteDocx(dir / "policy.docx", test::LeavePolicyModel()).ok());
  auto doc = MustExtract(dir / "policy.docx");
  EXPECT_EQ(doc.format, "docx");
  ExpectLeavePolicy(doc);
}

constexpr char kRootRels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

TEST(DocxTest, LocalizedStylesRevisionsTextBoxesFootnotes) {
  // Korean Word names style ids "1", "a3"...; the style names stay English. The styles part
  // uses another prefix for the same namespace, which must not matter.
  const std::string styles =
      "<s:styles xmlns:s=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<s:style s:type=\"paragraph\" s:styleId=\"a3\"><s:name s:val=\"Title\"/></s:style>"
      "<s:style s:type=\"paragraph\" s:styleId=\"1\"><s:name s:val=\"heading 1\"/></s:style>"
      "<s:style s:type=\"paragraph\" s:styleId=\"MyHead\"><s:name s:val=\"Chapter\"/>"
      "<s:basedOn s:val=\"1\"/></s:style></s:styles>";
  const std::string box =
      "<w:txbxContent><w:p><w:r><w:t>box text</w:t></w:r></w:p></w:txbxContent>";
  const std::string document =
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
      "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><w:body>"
      "<w:p><w:pPr><w:pStyle w:val=\"a3\"/></w:pPr><w:r><w:t>문서 제목</w:t></w:r></w:p>"
      "<w:p><w:pPr><w:pStyle w:val=\"1\"/></w:pPr><w:r><w:t>첫 장</w:t></w:r></w:p>"
      "<w:p><w:pPr><w:pStyle w:val=\"MyHead\"/></w:pPr><w:r><w:t>Derived</w:t></w:r></w:p>"
      "<w:p><w:r><w:t xml:space=\"preserve\">Hello </w:t></w:r>"
      "<w:del><w:r><w:delText>deleted</w:delText></w:r></w:del>"
      "<w:ins><w:r><w:t>inserted</w:t></w:r></w:ins>"
      "<w:r><w:fldChar w:fldCharType=\"begin\"/><w:instrText>PAGE</w:instrText></w:r>"
      "<w:r><w:tab/><w:t>tab</w:t><w:br/><w:t>next</w:t></w:r></w:p>"
      "<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing>" +
      box + "</w:drawing></mc:Choice><mc:Fallback><w:pict>" + box +
      "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p><w:p><w:r><w:t>b2</w:t></w:r></w:p></w:tc></w:tr>"
      "<w:tr><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>"
      "<w:sdt><w:sdtContent><w:p><w:r><w:t>in control</w:t></w:r></w:p></w:sdtContent></w:sdt>"
      "</w:body></w:document>";
  const std::string footnotes =
      "<w:footnotes xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
      "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p>"
      "</w:footnote><w:footnote w:id=\"1\"><w:p><w:r><w:t>각주 내용</w:t></w:r></w:p>"
      "</w:footnote></w:footnotes>";
  TempDir dir;
  ASSERT_TRUE(WriteZip(dir / "ko.docx", {{"_rels/.rels", kRootRels},
                                         {"word/document.xml", document},
                                         {"word/styles.xml", styles},
                                         {"word/footnotes.xml", footnotes}})
                  .ok());
  auto doc = MustExtract(dir / "ko.docx");
  EXPECT_EQ(doc.title, "문서 제목");  // no docProps/core.xml: the Title-style paragraph
  const auto headings = OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 3u);
  EXPECT_EQ(headings[1].text, "첫 장");
  EXPECT_EQ(headings[1].level, 1);
  EXPECT_EQ(headings[2].text, "Derived");
  EXPECT_EQ(headings[2].level, 1);
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"Hello inserted tab\nnext", "box text", "in control",
                                      "각주 내용"}));
  // No header row marked: the rows stand alone.
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow), (std::vector<std::string>{"a | b b2", "c"}));
}

TEST(DocxTest, MalformedXmlIsCorruptAndNamesTheEntry) {
  TempDir dir;
  ASSERT_TRUE(WriteZip(dir / "bad.docx", {{"_rels/.rels", kRootRels},
                                          {"word/document.xml", "<w:document><w:body><w:p>"}})
                  .ok());
  auto doc = ExtractFile(dir / "bad.docx");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(doc.status().message().rfind("bad.docx: word/document.xml: malformed XML", 0), 0u)
      << doc.status().message();
  ASSERT_TRUE(WriteZip(dir / "empty.docx", {{"readme.txt", "not word"}}).ok());
  auto missing = ExtractFile(dir / "empty.docx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(missing.status().message().find("word/document.xml is missing"), std::string::npos);
}

std::vector<testing::Slide> Deck() {
  return {{"첫 슬라이드", {"항목 하나", "Item two"}, "발표자 노트입니다."},
          {"Second slide", {"Only bullet"}, ""}};
}

TEST(PptxTest, SlidesGiveTitleHeadingsBodyAndNotes) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePptx(dir / "deck.pptx", "분기 보고 Deck", Deck()).ok());
  auto doc = MustExtract(dir / "deck.pptx");
  EXPECT_EQ(doc.format, "pptx");
  EXPECT_EQ(doc.title, "분기 보고 Deck");
  ASSERT_EQ(doc.blocks.size(), 6u) << AllText(doc);
  const std::vector<std::tuple<BlockKind, int, std::string, int>> expected = {
      {BlockKind::kHeading, 2, "첫 슬라이드", 1},
      {BlockKind::kParagraph, 0, "항목 하나", 1},
      {BlockKind::kParagraph, 0, "Item two", 1},
      {BlockKind::kParagraph, 0, "발표자 노트입니다.", 1},
      {BlockKind::kHeading, 2, "Second slide", 2},
      {BlockKind::kParagraph, 0, "Only bullet", 2}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [kind, level, text, slide] = expected[i];
    EXPECT_EQ(doc.blocks[i].kind, kind) << i;
    EXPECT_EQ(doc.blocks[i].level, level) << i;
    EXPECT_EQ(doc.blocks[i].text, text) << i;
    EXPECT_EQ(doc.blocks[i].slide, slide) << i;
  }
}

TEST(PptxTest, FollowsPresentationOrderNotFileNames) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePptx(dir / "deck.pptx", "", Deck()).ok());
  // Swap the two slides in p:sldIdLst, as moving a slide in PowerPoint does.
  const std::string bytes = testing::ReadFileOrEmpty(dir / "deck.pptx");
  auto zip = ZipArchive::Open(bytes, Limits{});
  ASSERT_TRUE(zip.ok());
  std::vector<ZipEntry> entries;
  for (const std::string& name : (*zip)->Names()) {
    auto data = (*zip)->Read(name);
    ASSERT_TRUE(data.ok());
    entries.push_back({name, *data});
  }
  for (ZipEntry& e : entries) {
    if (e.name != "ppt/presentation.xml") continue;
    const size_t first = e.data.find("<p:sldId ");
    const size_t second = e.data.find("<p:sldId ", first + 1);
    ASSERT_NE(second, std::string::npos);
    const size_t end = e.data.find("/>", second) + 2;
    const std::string a = e.data.substr(first, second - first);
    const std::string b = e.data.substr(second, end - second);
    e.data.replace(first, end - first, b + a);
  }
  ASSERT_TRUE(WriteZip(dir / "moved.pptx", entries).ok());
  auto doc = MustExtract(dir / "moved.pptx");
  EXPECT_EQ(doc.title, "Second slide");  // no core title: the first heading
  const auto headings = OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 2u);
  EXPECT_EQ(headings[0].text, "Second slide");
  EXPECT_EQ(headings[0].slide, 1);
  EXPECT_EQ(headings[1].text, "첫 슬라이드");
  EXPECT_EQ(headings[1].slide, 2);
}

TEST(XlsxTest, SheetsGiveHeadingsAndLabelledRows) {
  TempDir dir;
  const std::vector<testing::Sheet> sheets = {
      {"직원", {{"이름", "입사", "연차"}, {"김민수", "2020", "15"}, {"Lee", "2021", "12.5"}}},
      {"Empty", {}},
      {"Notes", {{"just one row", "", "third"}}}};
  ASSERT_TRUE(testing::WriteXlsx(dir / "staff.xlsx", sheets, "직원 명부").ok());
  auto doc = MustExtract(dir / "staff.xlsx");
  EXPECT_EQ(doc.format, "xlsx");
  EXPECT_EQ(doc.title, "직원 명부");
  ASSERT_EQ(doc.blocks.size(), 5u) << AllText(doc);
  EXPECT_EQ(doc.blocks[0].kind, BlockKind::kHeading);
  EXPECT_EQ(doc.blocks[0].level, 2);
  EXPECT_EQ(doc.blocks[0].text, "직원");
  EXPECT_EQ(doc.blocks[1].text, "이름: 김민수 | 입사: 2020 | 연차: 15");
  EXPECT_EQ(doc.blocks[2].text, "이름: Lee | 입사: 2021 | 연차: 12.5");
  EXPECT_EQ(doc.blocks[2].sheet, "직원");
  EXPECT_EQ(doc.blocks[3].text, "Notes");
  EXPECT_EQ(doc.blocks[4].kind, BlockKind::kTableRow);
  EXPECT_EQ(doc.blocks[4].text, "just one row | third");
  EXPECT_EQ(doc.blocks[4].sheet, "Notes");

  ASSERT_TRUE(testing::WriteXlsx(dir / "untitled.xlsx", sheets).ok());
  EXPECT_EQ(MustExtract(dir / "untitled.xlsx").title, "untitled");  // not "직원"
}

TEST(XlsxTest, DatesBooleansInlineStringsAndFloatNoise) {
  const std::string ns =
      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  auto is = [](const char* ref, const char* text) {
    return std::string("<c r=\"") + ref + "\" t=\"inlineStr\"><is><t>" + text + "</t></is></c>";
  };
  const std::string sheet =
      "<worksheet " + ns + "><sheetData><row r=\"1\">" + is("A1", "Date") + is("B1", "When") +
      is("C1", "Flag") + is("D1", "Value") + is("E1", "Formula") + is("F1", "Err") +
      "</row><row r=\"3\"><c r=\"A3\" s=\"1\"><v>45292</v></c><c r=\"B3\" "
      "s=\"2\"><v>45292.5</v></c>"
      "<c r=\"C3\" t=\"b\"><v>1</v></c><c r=\"D3\"><v>0.30000000000000004</v></c>"
      "<c r=\"E3\" t=\"str\"><f>A1</f><v>computed</v></c><c r=\"F3\" t=\"e\"><v>#DIV/0!</v></c>" +
      is("XFD3", "last column") + "</row></sheetData></worksheet>";
  const std::string styles =
      "<styleSheet " + ns +
      "><numFmts count=\"1\"><numFmt numFmtId=\"164\" "
      "formatCode=\"yyyy\\-mm\\-dd\\ hh:mm\"/></numFmts><cellXfs count=\"3\"><xf numFmtId=\"0\"/>"
      "<xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>";
  TempDir dir;
  ASSERT_TRUE(
      WriteZip(dir / "d.xlsx",
               {{"xl/workbook.xml", "<workbook " + ns +
                                        "><sheets><sheet name=\"Log\" "
                                        "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
                {"xl/_rels/workbook.xml.rels",
                 "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                 "relationships\"><Relationship Id=\"rId1\" Type=\"" +
                     rel +
                     "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
                     "Type=\"" +
                     rel + "styles\" Target=\"styles.xml\"/></Relationships>"},
                {"xl/worksheets/sheet1.xml", sheet},
                {"xl/styles.xml", styles}})
          .ok());
  auto doc = MustExtract(dir / "d.xlsx");
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow),
            (std::vector<std::string>{"Date: 2024-01-01 | When: 2024-01-01 12:00 | Flag: TRUE | "
                                      "Value: 0.3 | Formula: computed | last column"}));
}

TEST(HwpxTest, WriterOutputGivesTitleOutlineHeadingsAndRows) {
  TempDir dir;
  ASSERT_TRUE(testing::WriteHwpx(dir / "policy.hwpx", test::LeavePolicyModel()).ok());
  auto doc = MustExtract(dir / "policy.hwpx");
  EXPECT_EQ(doc.format, "hwpx");
  ExpectLeavePolicy(doc);
}

std::string Section(const std::string& body) {
  return "<hs:sec xmlns:hs=\"http://www.hancom.co.kr/hwpml/2011/section\" "
         "xmlns:hp=\"http://www.hancom.co.kr/hwpml/2011/paragraph\">" +
         body + "</hs:sec>";
}

std::string HwpxParagraph(const std::string& runs) {
  return "<hp:p id=\"0\" paraPrIDRef=\"0\" styleIDRef=\"0\"><hp:run charPrIDRef=\"0\">" + runs +
         "</hp:run><hp:linesegarray><hp:lineseg textpos=\"0\"/></hp:linesegarray></hp:p>";
}

TEST(HwpxTest, SpineOrderFootnotesLineBreaksAndTitleFromFirstParagraph) {
  const std::string hpf =
      "<opf:package xmlns:opf=\"http://www.idpf.org/2007/opf/\"><opf:metadata><opf:title/>"
      "</opf:metadata><opf:manifest>"
      "<opf:item id=\"s0\" href=\"Contents/section0.xml\" media-type=\"application/xml\"/>"
      "<opf:item id=\"s1\" href=\"Contents/section1.xml\" media-type=\"application/xml\"/>"
      "</opf:manifest><opf:spine><opf:itemref idref=\"s1\"/><opf:itemref idref=\"s0\"/>"
      "</opf:spine></opf:package>";
  const std::string first = Section(
      HwpxParagraph("<hp:t>보고서 제목</hp:t>") +
      HwpxParagraph("<hp:ctrl><hp:header><hp:subList>" + HwpxParagraph("<hp:t>머리말</hp:t>") +
                    "</hp:subList></hp:header></hp:ctrl>"
                    "<hp:t>첫째 줄<hp:lineBreak/>둘째 줄</hp:t>"
                    "<hp:ctrl><hp:footNote><hp:subList>" +
                    HwpxParagraph("<hp:t>각주 내용</hp:t>") +
                    "</hp:subList></hp:footNote></hp:ctrl><hp:t> 이어서</hp:t>"));
  const std::string second = Section(HwpxParagraph("<hp:t>다음 구역</hp:t>"));
  TempDir dir;
  ASSERT_TRUE(WriteZip(dir / "r.hwpx", {{"mimetype", "application/hwp+zip", true},
                                        {"Contents/content.hpf", hpf},
                                        {"Contents/section0.xml", second},
                                        {"Contents/section1.xml", first}})
                  .ok());
  auto doc = MustExtract(dir / "r.hwpx");
  EXPECT_EQ(doc.title, "보고서 제목");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"보고서 제목", "첫째 줄\n둘째 줄 이어서", "각주 내용",
                                      "다음 구역"}));
}

TEST(HwpxTest, MalformedSectionIsCorrupt) {
  TempDir dir;
  ASSERT_TRUE(WriteZip(dir / "x.hwpx", {{"Contents/section0.xml", "<hs:sec><hp:p>"}}).ok());
  auto doc = ExtractFile(dir / "x.hwpx");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(doc.status().message().find("x.hwpx: Contents/section0.xml: malformed XML"),
            std::string::npos)
      << doc.status().message();
}

}  // namespace
}  // namespace docent::ingest
