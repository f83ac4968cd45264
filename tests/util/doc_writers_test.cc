// Tests for the fixture writers in tests/support/doc_writers.h: every package opens with libzip,
// holds the parts its format requires (each with a content type, every relationship resolving),
// parses with pugixml, and PDFs extract back through poppler, Hangul included.
#include "support/doc_writers.h"

#include <gtest/gtest.h>
#include <poppler-document.h>
#include <poppler-page.h>
#include <zip.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace docent::testing {
namespace {

// A zip archive read fully into memory: entry names in order, data and compression method.
struct Archive {
  std::vector<std::string> names;
  std::map<std::string, std::string> data;
  std::map<std::string, int> method;

  bool Has(const std::string& name) const { return data.count(name) > 0; }
};

Archive ReadArchive(const std::filesystem::path& path) {
  Archive archive;
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(za, nullptr) << path << " does not open as a zip (error " << error << ")";
  if (za == nullptr) return archive;
  const zip_int64_t count = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st);
    std::string bytes(st.size, '\0');
    zip_file_t* file = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
    EXPECT_NE(file, nullptr);
    if (file != nullptr) {
      EXPECT_EQ(zip_fread(file, bytes.data(), st.size), static_cast<zip_int64_t>(st.size));
      zip_fclose(file);
    }
    archive.names.push_back(st.name);
    archive.method[st.name] = st.comp_method;
    archive.data[st.name] = std::move(bytes);
  }
  zip_close(za);
  return archive;
}

pugi::xml_document ParseEntry(const Archive& archive, const std::string& name) {
  pugi::xml_document doc;
  auto it = archive.data.find(name);
  EXPECT_NE(it, archive.data.end()) << "missing entry " << name;
  if (it == archive.data.end()) return doc;
  const pugi::xml_parse_result result = doc.load_buffer(it->second.data(), it->second.size());
  EXPECT_TRUE(result) << name << ": " << result.description() << " at " << result.offset;
  return doc;
}

// Every descendant element of `node` named `name`, in document order.
std::vector<pugi::xml_node> All(const pugi::xml_node& node, const char* name) {
  std::vector<pugi::xml_node> out;
  for (const auto& x : node.select_nodes((std::string(".//") + name).c_str())) {
    out.push_back(x.node());
  }
  return out;
}

std::string JoinedText(const pugi::xml_node& node, const char* text_element) {
  std::string text;
  for (const pugi::xml_node& t : All(node, text_element)) text += t.text().get();
  return text;
}

// The OPC rules a reader relies on: every part has a content type, and every relationship
// target (resolved against its source part's folder) is a part of the package.
void ExpectConsistentOpcPackage(const Archive& archive) {
  pugi::xml_document types = ParseEntry(archive, "[Content_Types].xml");
  std::vector<std::string> defaults, overrides;
  for (pugi::xml_node d : types.child("Types").children("Default")) {
    defaults.push_back(d.attribute("Extension").value());
  }
  for (pugi::xml_node o : types.child("Types").children("Override")) {
    const std::string part = std::string(o.attribute("PartName").value()).substr(1);
    overrides.push_back(part);
    EXPECT_TRUE(archive.Has(part)) << "content type for missing part " << part;
  }
  for (const std::string& name : archive.names) {
    if (name == "[Content_Types].xml") continue;
    const std::string ext = name.substr(name.rfind('.') + 1);
    const bool typed = std::count(overrides.begin(), overrides.end(), name) > 0 ||
                       std::count(defaults.begin(), defaults.end(), ext) > 0;
    EXPECT_TRUE(typed) << name << " has no content type";
    if (ext != "rels") continue;
    // word/_rels/document.xml.rels describes word/document.xml; targets are relative to word/.
    const size_t rels_dir = name.rfind("_rels/");
    std::string base = name.substr(0, rels_dir);
    pugi::xml_document rels = ParseEntry(archive, name);
    for (pugi::xml_node rel : rels.child("Relationships").children("Relationship")) {
      std::string target = base + rel.attribute("Target").value();
      // Resolve "a/b/../c" segments.
      for (size_t up; (up = target.find("/../")) != std::string::npos;) {
        const size_t parent = target.rfind('/', up - 1);
        target.erase(parent == std::string::npos ? 0 : parent + 1,
                     up + 4 - (parent == std::string::npos ? 0 : parent + 1));
      }
      EXPECT_TRUE(archive.Has(target)) << name << " points at missing " << target;
    }
  }
}

DocModel SampleDoc() {
  DocModel doc;
  doc.title = "연차 규정 & <Leave> \"policy\"";
  doc.items = {
      {DocItem::Kind::kHeading, 1, "제1장 연차 휴가", {}},
      {DocItem::Kind::kParagraph, 1, "입사 1년 차 직원은 연 15일의 연차를 받습니다. A&B <ok>", {}},
      {DocItem::Kind::kHeading, 2, "Carry-over", {}},
      {DocItem::Kind::kParagraph, 1, "Up to 5 days carry over.\nSecond line.", {}},
      {DocItem::Kind::kTable, 1, "", {{"근속", "일수"}, {"1년", "15"}, {"3년 | 이상", "16"}}},
  };
  return doc;
}

TEST(DocWritersTest, ZipKeepsOrderDataAndCompression) {
  TempDir dir;
  const auto path = dir / "a.zip";
  ASSERT_TRUE(WriteZip(path, {{"mimetype", "application/x-test", true},
                              {"dir/b.txt", std::string(1000, 'b')},
                              {"한글.txt", "가나다"}})
                  .ok());
  const Archive archive = ReadArchive(path);
  EXPECT_EQ(archive.names, (std::vector<std::string>{"mimetype", "dir/b.txt", "한글.txt"}));
  EXPECT_EQ(archive.method.at("mimetype"), ZIP_CM_STORE);
  EXPECT_EQ(archive.method.at("dir/b.txt"), ZIP_CM_DEFLATE);
  EXPECT_EQ(archive.data.at("dir/b.txt"), std::string(1000, 'b'));
  EXPECT_EQ(archive.data.at("한글.txt"), "가나다");
  EXPECT_FALSE(WriteZip(dir / "dup.zip", {{"x", "1"}, {"x", "2"}}).ok());
  EXPECT_EQ(WriteZip(dir / "no/such/dir/a.zip", {{"x", "1"}}).code(), StatusCode::kIOError);
}

TEST(DocWritersTest, XmlEscapeEscapesAndDropsControls) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'\x01\td"), "a&lt;b&gt;&amp;&quot;c&apos;\td");
}

TEST(DocWritersTest, DocxIsAWordPackage) {
  TempDir dir;
  ASSERT_TRUE(WriteDocx(dir / "a.docx", SampleDoc()).ok());
  const Archive archive = ReadArchive(dir / "a.docx");
  ExpectConsistentOpcPackage(archive);
  pugi::xml_document core = ParseEntry(archive, "docProps/core.xml");
  EXPECT_STREQ(core.first_child().child("dc:title").text().get(), "연차 규정 & <Leave> \"policy\"");
  pugi::xml_document styles = ParseEntry(archive, "word/styles.xml");
  for (const char* id : {"Title", "Heading1", "Heading6", "TableGrid"}) {
    EXPECT_TRUE(styles.select_node((std::string("//w:style[@w:styleId='") + id + "']").c_str()))
        << id;
  }
  pugi::xml_document document = ParseEntry(archive, "word/document.xml");
  pugi::xml_node body = document.child("w:document").child("w:body");
  pugi::xml_node first = body.first_child();
  EXPECT_STREQ(first.child("w:pPr").child("w:pStyle").attribute("w:val").value(), "Heading1");
  EXPECT_EQ(JoinedText(first, "w:t"), "제1장 연차 휴가");
  EXPECT_NE(JoinedText(body, "w:t").find("A&B <ok>"), std::string::npos);
  EXPECT_EQ(All(body, "w:br").size(), 1u);
  pugi::xml_node table = body.child("w:tbl");
  ASSERT_TRUE(table);
  EXPECT_EQ(All(table, "w:tr").size(), 3u);
  EXPECT_EQ(All(table, "w:tc").size(), 6u);
  EXPECT_EQ(JoinedText(table, "w:t"), "근속일수1년153년 | 이상16");
  EXPECT_STREQ(body.last_child().name(), "w:sectPr");
}

TEST(DocWritersTest, PptxHasTitlePlaceholdersAndNotes) {
  TempDir dir;
  const std::vector<Slide> slides = {
      {"HB-200 개요", {"최대 적재 200 kg", "배터리 8시간"}, "발표자 메모: 안전 수칙 강조"},
      {"Setup", {"Unbox", "Charge"}, ""},
  };
  ASSERT_TRUE(WritePptx(dir / "a.pptx", "HB-200 Training", slides).ok());
  const Archive archive = ReadArchive(dir / "a.pptx");
  ExpectConsistentOpcPackage(archive);
  pugi::xml_document presentation = ParseEntry(archive, "ppt/presentation.xml");
  EXPECT_EQ(All(presentation, "p:sldId").size(), 2u);
  pugi::xml_document slide = ParseEntry(archive, "ppt/slides/slide1.xml");
  pugi::xml_node title = slide.select_node("//p:sp[.//p:ph[@type='title']]").node();
  EXPECT_EQ(JoinedText(title, "a:t"), "HB-200 개요");
  pugi::xml_node body = slide.select_node("//p:sp[.//p:ph[@idx='1']]").node();
  EXPECT_EQ(All(body, "a:p").size(), 2u);
  EXPECT_EQ(JoinedText(body, "a:t"), "최대 적재 200 kg배터리 8시간");
  pugi::xml_document notes = ParseEntry(archive, "ppt/notesSlides/notesSlide1.xml");
  EXPECT_EQ(JoinedText(notes, "a:t"), "발표자 메모: 안전 수칙 강조");
  EXPECT_FALSE(archive.Has("ppt/notesSlides/notesSlide2.xml"));
  EXPECT_TRUE(archive.Has("ppt/slideMasters/slideMaster1.xml"));
  EXPECT_TRUE(archive.Has("ppt/slideLayouts/slideLayout1.xml"));
  pugi::xml_document core = ParseEntry(archive, "docProps/core.xml");
  EXPECT_STREQ(core.first_child().child("dc:title").text().get(), "HB-200 Training");
}

TEST(DocWritersTest, XlsxWritesNumbersAsNumbers) {
  TempDir dir;
  const std::vector<Sheet> sheets = {
      {"경비 한도", {{"항목", "한도"}, {"식대", "12000"}, {"코드", "007"}, {"비율", "0.5"}}},
      {"Errors", {{"Code", "Meaning"}, {"E01", "Battery low"}, {"E02", "1e3"}}},
  };
  ASSERT_TRUE(WriteXlsx(dir / "a.xlsx", sheets, "Limits").ok());
  const Archive archive = ReadArchive(dir / "a.xlsx");
  ExpectConsistentOpcPackage(archive);
  pugi::xml_document workbook = ParseEntry(archive, "xl/workbook.xml");
  const auto names = All(workbook, "sheet");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_STREQ(names[0].attribute("name").value(), "경비 한도");
  pugi::xml_document strings = ParseEntry(archive, "xl/sharedStrings.xml");
  std::vector<std::string> shared;
  for (pugi::xml_node si : All(strings, "si")) shared.push_back(si.child("t").text().get());
  pugi::xml_document sheet = ParseEntry(archive, "xl/worksheets/sheet1.xml");
  auto cell = [&](const char* ref) {
    return sheet.select_node((std::string("//c[@r='") + ref + "']").c_str()).node();
  };
  EXPECT_STREQ(cell("B2").attribute("t").value(), "");
  EXPECT_STREQ(cell("B2").child("v").text().get(), "12000");
  EXPECT_STREQ(cell("B4").child("v").text().get(), "0.5");
  EXPECT_STREQ(cell("B3").attribute("t").value(), "s");
  EXPECT_EQ(shared.at(cell("B3").child("v").text().as_uint()), "007");
  EXPECT_EQ(shared.at(cell("A2").child("v").text().as_uint()), "식대");
  EXPECT_FALSE(WriteXlsx(dir / "b.xlsx", {{"bad/name", {}}}).ok());
  EXPECT_FALSE(WriteXlsx(dir / "c.xlsx", {}).ok());
}

TEST(DocWritersTest, HwpxIsAnOwpmlPackage) {
  TempDir dir;
  ASSERT_TRUE(WriteHwpx(dir / "a.hwpx", SampleDoc()).ok());
  const Archive archive = ReadArchive(dir / "a.hwpx");
  ASSERT_FALSE(archive.names.empty());
  EXPECT_EQ(archive.names.front(), "mimetype");
  EXPECT_EQ(archive.method.at("mimetype"), ZIP_CM_STORE);
  EXPECT_EQ(archive.data.at("mimetype"), "application/hwp+zip");
  for (const char* name :
       {"version.xml", "settings.xml", "META-INF/container.xml", "META-INF/manifest.xml",
        "Contents/content.hpf", "Contents/header.xml"}) {
    ParseEntry(archive, name);
  }
  pugi::xml_document container = ParseEntry(archive, "META-INF/container.xml");
  EXPECT_STREQ(container.select_node("//ocf:rootfile").node().attribute("full-path").value(),
               "Contents/content.hpf");
  pugi::xml_document hpf = ParseEntry(archive, "Contents/content.hpf");
  EXPECT_STREQ(hpf.select_node("//opf:title").node().text().get(), SampleDoc().title.c_str());
  EXPECT_STREQ(hpf.select_node("//dc:title").node().text().get(), SampleDoc().title.c_str());
  for (pugi::xml_node item : All(hpf, "opf:item")) {
    EXPECT_TRUE(archive.Has(item.attribute("href").value())) << item.attribute("href").value();
  }
  // Hangul looks character shapes up by position, so each id must equal its index.
  pugi::xml_document header = ParseEntry(archive, "Contents/header.xml");
  const auto char_prs = All(header, "hh:charPr");
  for (size_t i = 0; i < char_prs.size(); ++i) {
    EXPECT_EQ(char_prs[i].attribute("id").as_uint(), i);
  }
  const pugi::xml_node outline2 = header.select_node("//hh:style[@engName='Outline 2']").node();
  ASSERT_TRUE(outline2);

  pugi::xml_document section = ParseEntry(archive, "Contents/section0.xml");
  pugi::xml_node sec = section.child("hs:sec");
  EXPECT_STREQ(sec.attribute("xmlns:hp").value(), "http://www.hancom.co.kr/hwpml/2011/paragraph");
  EXPECT_TRUE(sec.first_child().select_node(".//hp:secPr"));
  std::vector<pugi::xml_node> top_paragraphs;
  for (pugi::xml_node p : sec.children("hp:p")) top_paragraphs.push_back(p);
  ASSERT_EQ(top_paragraphs.size(), 5u);
  EXPECT_EQ(JoinedText(top_paragraphs[0], "hp:t"), "제1장 연차 휴가");
  EXPECT_STREQ(top_paragraphs[2].attribute("styleIDRef").value(), outline2.attribute("id").value());
  EXPECT_EQ(JoinedText(top_paragraphs[1], "hp:t"),
            "입사 1년 차 직원은 연 15일의 연차를 받습니다. A&B <ok>");
  EXPECT_EQ(All(top_paragraphs[3], "hp:lineBreak").size(), 1u);
  pugi::xml_node table = top_paragraphs[4].select_node(".//hp:tbl").node();
  ASSERT_TRUE(table);
  EXPECT_EQ(table.attribute("rowCnt").as_int(), 3);
  EXPECT_EQ(All(table, "hp:tr").size(), 3u);
  EXPECT_EQ(table.select_nodes("./hp:tr/hp:tc/hp:subList/hp:p/hp:run/hp:t").size(), 6u);
  EXPECT_EQ(JoinedText(table, "hp:t"), "근속일수1년153년 | 이상16");
}

TEST(DocWritersTest, HtmlAndMarkdown) {
  TempDir dir;
  ASSERT_TRUE(WriteHtml(dir / "a.html", SampleDoc()).ok());
  const std::string html = ReadFileOrEmpty(dir / "a.html");
  EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"ko\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<title>연차 규정 &amp; &lt;Leave&gt; &quot;policy&quot;</title>"),
            std::string::npos);
  EXPECT_NE(html.find("<h1>제1장 연차 휴가</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Carry-over</h2>"), std::string::npos);
  EXPECT_NE(html.find("A&amp;B &lt;ok&gt;</p>"), std::string::npos);
  EXPECT_NE(html.find("<thead>\n<tr><th>근속</th><th>일수</th></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>1년</td><td>15</td></tr>"), std::string::npos);

  ASSERT_TRUE(WriteMarkdown(dir / "a.md", SampleDoc()).ok());
  EXPECT_EQ(ReadFileOrEmpty(dir / "a.md"),
            "# 제1장 연차 휴가\n\n"
            "입사 1년 차 직원은 연 15일의 연차를 받습니다. A&B <ok>\n\n"
            "## Carry-over\n\n"
            "Up to 5 days carry over.  \nSecond line.\n\n"
            "| 근속 | 일수 |\n| --- | --- |\n| 1년 | 15 |\n| 3년 \\| 이상 | 16 |\n");
}

std::string CollapseSpaces(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string PageText(const poppler::document& doc, int index) {
  std::unique_ptr<poppler::page> page(doc.create_page(index));
  if (!page) return "";
  const poppler::byte_array utf8 = page->text().to_utf8();
  return CollapseSpaces(std::string(utf8.begin(), utf8.end()));
}

TEST(DocWritersTest, PdfTextExtractsBackWithHangul) {
  TempDir dir;
  const std::string long_ko =
      "신규 입사자는 입사 첫 주 월요일 오전 9시에 본사 3층 인사팀으로 출근하여 출입 배지와 "
      "노트북을 수령합니다. 배지를 분실한 경우 즉시 보안팀에 신고해야 하며 재발급 비용은 "
      "1만 원입니다. 급여는 매월 25일에 지급되며 25일이 휴일이면 직전 영업일에 지급됩니다.";
  const std::vector<std::vector<DocItem>> pages = {
      {{DocItem::Kind::kHeading, 1, "Leave Policy", {}},
       {DocItem::Kind::kParagraph, 1, "Employees receive 15 days of annual leave.", {}}},
      {{DocItem::Kind::kHeading, 2, "온보딩 안내", {}},
       {DocItem::Kind::kParagraph, 1, long_ko, {}},
       {DocItem::Kind::kTable, 1, "", {{"코드", "의미"}, {"E01", "배터리 부족"}}}},
  };
  const auto path = dir / "a.pdf";
  ASSERT_TRUE(WritePdf(path, "휴가 규정 Handbook", pages).ok());
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path.string()));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->pages(), 2);
  const poppler::byte_array title = doc->get_title().to_utf8();
  EXPECT_EQ(std::string(title.begin(), title.end()), "휴가 규정 Handbook");
  const std::string page1 = PageText(*doc, 0);
  const std::string page2 = PageText(*doc, 1);
  EXPECT_NE(page1.find("Employees receive 15 days of annual leave."), std::string::npos) << page1;
  EXPECT_EQ(page1.find("온보딩"), std::string::npos);
  EXPECT_NE(page2.find("온보딩 안내"), std::string::npos) << page2;
  // The long paragraph wraps over several lines; joined back it is the same text.
  EXPECT_NE(page2.find(long_ko), std::string::npos) << page2;
  EXPECT_NE(page2.find("배터리 부족"), std::string::npos) << page2;
  bool nanum_embedded = false;
  for (const poppler::font_info& font : doc->fonts()) {
    nanum_embedded |= font.name().find("NanumGothic") != std::string::npos && font.is_embedded();
  }
  EXPECT_TRUE(nanum_embedded);
}

TEST(DocWritersTest, PdfRefusesOverflowAndMissingGlyphs) {
  TempDir dir;
  std::vector<DocItem> too_much;
  for (int i = 0; i < 80; ++i) too_much.push_back({DocItem::Kind::kParagraph, 1, "line", {}});
  const Status overflow = WritePdf(dir / "a.pdf", "t", {too_much});
  EXPECT_EQ(overflow.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(overflow.message().find("page 1"), std::string::npos) << overflow.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir / "a.pdf"));
  const Status glyph = WritePdf(dir / "b.pdf", "t",
                                {{{DocItem::Kind::kParagraph, 1, "smile \xF0\x9F\x98\x80", {}}}});
  EXPECT_EQ(glyph.code(), StatusCode::kInvalidArgument) << glyph.ToString();
  EXPECT_EQ(WritePdf(dir / "c.pdf", "t", {}).code(), StatusCode::kInvalidArgument);
}

TEST(DocWritersTest, OutputIsDeterministic) {
  TempDir dir;
  const std::vector<std::vector<DocItem>> pages = {SampleDoc().items};
  for (const char* name : {"1", "2"}) {
    const std::string n = name;
    ASSERT_TRUE(WriteDocx(dir / (n + ".docx"), SampleDoc()).ok());
    ASSERT_TRUE(WriteHwpx(dir / (n + ".hwpx"), SampleDoc()).ok());
    ASSERT_TRUE(WritePdf(dir / (n + ".pdf"), "t", pages).ok());
  }
  for (const char* ext : {".docx", ".hwpx", ".pdf"}) {
    const std::string e = ext;
    EXPECT_EQ(ReadFileOrEmpty(dir / ("1" + e)), ReadFileOrEmpty(dir / ("2" + e))) << ext;
  }
}

// The examples/ corpus and the questions in tests/data/rag must agree: each answerable row
// names an example file whose text holds the expected substring. Guards hand edits of either.
void CollectText(const pugi::xml_node& node, std::vector<std::string>& out) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata) out.push_back(child.value());
    CollectText(child, out);
  }
}

bool ExampleContains(const std::filesystem::path& file, const std::string& needle) {
  const std::string ext = file.extension().string();
  if (ext == ".pdf") {
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(file.string()));
    if (!doc) return false;
    for (int i = 0; i < doc->pages(); ++i) {
      if (PageText(*doc, i).find(CollapseSpaces(needle)) != std::string::npos) return true;
    }
    return false;
  }
  if (ext == ".md" || ext == ".txt" || ext == ".html") {
    return ReadFileOrEmpty(file).find(needle) != std::string::npos;
  }
  // Office and OWPML packages: the substring sits inside one text node.
  const Archive archive = ReadArchive(file);
  for (const std::string& name : archive.names) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".xml") continue;
    std::vector<std::string> texts;
    CollectText(ParseEntry(archive, name), texts);
    for (const std::string& text : texts) {
      if (text.find(needle) != std::string::npos) return true;
    }
  }
  return false;
}

std::vector<std::vector<std::string>> ReadTsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cells.push_back(line.substr(start, tab - start));
    }
    cells.push_back(line.substr(start));
    rows.push_back(std::move(cells));
  }
  return rows;
}

TEST(ExamplesCorpusTest, AnswerableQuestionsPointAtTheirAnswers) {
  const auto rows = ReadTsv(SourceDir() / "tests/data/rag/answerable.tsv");
  ASSERT_GE(rows.size(), 30u);
  size_t korean = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 3u) << row[0];
    korean += internal::HasHangul(row[0]) ? 1 : 0;
    const auto file = SourceDir() / "examples" / row[2];
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    EXPECT_TRUE(ExampleContains(file, row[1])) << row[2] << " lacks \"" << row[1] << "\"";
  }
  EXPECT_GE(korean, rows.size() / 2 - 2);
  EXPECT_GE(rows.size() - korean, rows.size() / 2 - 2);
}

TEST(ExamplesCorpusTest, UnanswerableQuestionsAreBilingual) {
  const auto rows = ReadTsv(SourceDir() / "tests/data/rag/unanswerable.tsv");
  ASSERT_GE(rows.size(), 30u);
  size_t korean = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row.size(), 1u) << row[0];
    EXPECT_FALSE(row[0].empty());
    korean += internal::HasHangul(row[0]) ? 1 : 0;
  }
  EXPECT_EQ(korean * 2, rows.size());
}

}  // namespace
}  // namespace docent::testing
