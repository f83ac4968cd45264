// The plain-text formats: txt (encodings included), Markdown, HTML and CSV/TSV.
#include <gtest/gtest.h>
#include <iconv.h>

#include <string>

#include "ingest/ingest_test_util.h"

namespace docent::ingest {
namespace {

using test::AllText;
using test::HasWarningContaining;
using test::MustExtract;
using test::MustExtractBytes;
using test::Texts;

// Converts UTF-8 test text to a legacy charset with iconv, as an old Windows editor would.
std::string Encode(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4 + 8, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

const std::string kKorean = "연차 휴가는 입사 1년 후 15일이 주어진다. 병가는 진단서가 필요하다.";

TEST(TxtTest, SplitsParagraphsAtBlankLinesAndKeepsLineBreaks) {
  auto doc = MustExtractBytes(
      "First line\nsecond line\n\n\n" + kKorean + "\n\fAfter the page break\n", "notes.txt");
  EXPECT_EQ(doc.format, "txt");
  EXPECT_EQ(doc.title, "notes");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"First line\nsecond line", kKorean, "After the page break"}));
  EXPECT_TRUE(doc.warnings.empty());
}

TEST(TxtTest, StripsUtf8BomAndNormalisesCrLf) {
  auto doc = MustExtractBytes("\xEF\xBB\xBFHello\r\nworld\r\n\r\nBye", "a.txt");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph), (std::vector<std::string>{"Hello\nworld", "Bye"}));
}

TEST(TxtTest, DetectsAndConvertsCp949) {
  const std::string legacy = Encode(kKorean + "\n\n두 번째 문단입니다.", "CP949");
  ASSERT_FALSE(legacy.empty());
  auto doc = MustExtractBytes(legacy, "legacy.txt");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{kKorean, "두 번째 문단입니다."}));
  EXPECT_TRUE(HasWarningContaining(doc, "converted from CP949"));
}

TEST(TxtTest, ConvertsCp949OnlySyllablesThatEucKrLacks) {
  // "똠" and "햏" exist only in CP949's extension, not in EUC-KR proper.
  auto doc = MustExtractBytes(Encode("똠방각하 햏햏 문서", "CP949"), "x.txt");
  EXPECT_EQ(AllText(doc), "똠방각하 햏햏 문서\n");
}

TEST(TxtTest, ConvertsUtf16WithBom) {
  const std::string le = "\xFF\xFE" + Encode("Hello 안녕\n\n둘", "UTF-16LE");
  auto doc = MustExtractBytes(le, "u16.txt");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph), (std::vector<std::string>{"Hello 안녕", "둘"}));
  EXPECT_TRUE(HasWarningContaining(doc, "UTF-16LE"));
  const std::string be = "\xFE\xFF" + Encode("Big endian 한글", "UTF-16BE");
  EXPECT_EQ(AllText(MustExtractBytes(be, "u16be.txt")), "Big endian 한글\n");
}

TEST(TxtTest, InvalidBytesBecomeReplacementCharWithOffsetWarning) {
  auto doc = MustExtractBytes(std::string("abc\xFF"
                                          "def \xC3(x"),
                              "bad.txt");
  EXPECT_EQ(AllText(doc),
            "abc\xEF\xBF\xBD"
            "def \xEF\xBF\xBD(x\n");
  EXPECT_TRUE(HasWarningContaining(doc, "invalid UTF-8 replaced at byte 3")) << doc.warnings[0];
}

TEST(TxtTest, Latin1IsNotMistakenForCp949) {
  // "déçu" in Latin-1 happens to convert from CP949 too, but as Hanja, not Hangul.
  auto doc = MustExtractBytes(std::string("Il \xE9tait d\xE9\xE7u."), "fr.txt");
  EXPECT_EQ(AllText(doc), "Il \xEF\xBF\xBDtait d\xEF\xBF\xBD\xEF\xBF\xBDu.\n");
  EXPECT_FALSE(HasWarningContaining(doc, "CP949"));
}

TEST(TxtTest, BinaryDataIsRefused) {
  std::string bytes = "\x89PNG\r\n\x1A\n";
  bytes += std::string(200, '\0');
  auto doc = ExtractBytes(bytes, "image.txt");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(doc.status().message().find("image.txt: binary"), std::string::npos);
}

TEST(TxtTest, WhitespaceOnlyHasNoExtractableText) {
  auto doc = ExtractBytes(" \n\t\n ", "blank.txt");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "blank.txt: no extractable text");
}

TEST(MarkdownTest, WriterOutputGivesHeadingsParagraphsAndLabelledRows) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::WriteMarkdown(dir / "policy.md", test::LeavePolicyModel()).ok());
  auto doc = MustExtract(dir / "policy.md");
  EXPECT_EQ(doc.format, "md");
  EXPECT_EQ(doc.title, "연차 휴가");  // Markdown has no metadata: the first heading
  const auto headings = test::OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 2u);
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].text, "Sick leave");
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow),
            (std::vector<std::string>{"이름: 김민수 | 부서: 영업 | 일수: 15",
                                      "이름: Lee | 부서: R&D | 일수: 20"}));
}

TEST(MarkdownTest, StripsSyntaxAndHandlesBlocks) {
  const std::string md =
      "---\ntitle: \"Handbook 2025\"\nauthor: HR\n---\n"
      "Setext title\n============\n\n"
      "Some **bold**, *em*, __strong__, ~~gone~~ and `a_b*c` with [a link](http://x.y/(z)) "
      "and ![logo](l.png) plus <span>html</span>.\nSoft wrapped line.\n\n"
      "- first item\n  continued\n* [x] done task\n1. numbered\n\n"
      "> quoted **text**\n\n"
      "```cpp\nint main() { return 2 * 3; }\n```\n\n"
      "Subheading\n---\n"
      "### ATX closed ###\n"
      "[ref]: http://example.com\n"
      "snake_case_name and 2 * 3 * 4 stay; 근무는 9~18시, **중요**합니다. Tom &amp; Jerry\\*\n";
  auto doc = MustExtractBytes(md, "handbook.markdown");
  EXPECT_EQ(doc.title, "Handbook 2025");
  const auto headings = test::OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 3u);
  EXPECT_EQ(headings[0].text, "Setext title");
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].text, "Subheading");
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(headings[2].text, "ATX closed");
  EXPECT_EQ(headings[2].level, 3);
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{
                "Some bold, em, strong, gone and a_b*c with a link and logo plus html. Soft "
                "wrapped line.",
                "first item continued", "done task", "numbered", "quoted text",
                "int main() { return 2 * 3; }",
                "snake_case_name and 2 * 3 * 4 stay; 근무는 9~18시, 중요합니다. Tom & Jerry*"}));
}

TEST(HtmlTest, WriterOutputGivesTitleHeadingsAndLabelledRows) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::WriteHtml(dir / "policy.htm", test::LeavePolicyModel()).ok());
  auto doc = MustExtract(dir / "policy.htm");
  EXPECT_EQ(doc.format, "html");
  EXPECT_EQ(doc.title, "휴가 규정 Leave policy");
  const auto headings = test::OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 2u);
  EXPECT_EQ(headings[0].text, "연차 휴가");
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"직원은 입사 1년 후 15일의 연차 휴가를 받는다.",
                                      "Sick leave needs a doctor's note after three days."}));
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow),
            (std::vector<std::string>{"이름: 김민수 | 부서: 영업 | 일수: 15",
                                      "이름: Lee | 부서: R&D | 일수: 20"}));
  EXPECT_EQ(AllText(doc).find("border-collapse"), std::string::npos);  // <style> skipped
}

TEST(HtmlTest, SkipsCodeAndChromeAndDecodesEntities) {
  const std::string html =
      "<html><head><title>T &amp; C</title><script>var a = '<p>no</p>';</script>"
      "<style>p { color: red }</style></head><body>"
      "<nav><a href=/>Home</a><svg><title>icon</title></svg></nav>"
      "<div>&#xAC00;&#44033; &lt;tag&gt; caf&eacute; &nbsp;x&copy &unknown; a&b</div>"
      "<p hidden>secret</p><input hidden type=text><p>visible<br>line two<br><br>new para</p>"
      "<noscript>enable js</noscript><template><p>tpl</p></template>"
      "<ul><li>one<li>two <b>bold</b></ul><!-- comment <p>x</p> -->"
      "<h3 class=\"x>y\">Third</h3><pre>  keep\n  lines</pre></body></html>";
  auto doc = MustExtractBytes(html, "page.html");
  EXPECT_EQ(doc.title, "T & C");
  EXPECT_EQ(Texts(doc, BlockKind::kParagraph),
            (std::vector<std::string>{"가각 <tag> café x© &unknown; a&b", "visible\nline two",
                                      "new para", "one", "two bold", "keep\nlines"}));
  const auto headings = test::OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 1u);
  EXPECT_EQ(headings[0].text, "Third");
  EXPECT_EQ(headings[0].level, 3);
}

TEST(HtmlTest, HonoursMetaCharset) {
  // windows-1252 bytes are not CP949-looking; only the declaration says what they are.
  const std::string html =
      "<html><head><meta http-equiv=\"Content-Type\" "
      "content=\"text/html; charset=windows-1252\"></head>"
      "<body><p>Caf\xE9 \x93quoted\x94</p></body></html>";
  auto doc = MustExtractBytes(html, "old.html");
  EXPECT_EQ(AllText(doc), "Café “quoted”\n");
  const std::string korean = "<meta charset=\"euc-kr\"><p>" + Encode(kKorean, "EUC-KR") + "</p>";
  EXPECT_EQ(AllText(MustExtractBytes(korean, "kr.html")), kKorean + "\n");
}

TEST(HtmlTest, LayoutTablesYieldTheirBlocksNotRows) {
  const std::string html =
      "<table><tr><td><h2>Menu</h2><p>Intro text.</p><p>More text.</p></td>"
      "<td><table><tr><th>K</th><th>V</th></tr><tr><td>a</td><td>1</td></tr></table></td>"
      "</tr></table>";
  auto doc = MustExtractBytes(html, "layout.html");
  ASSERT_EQ(doc.blocks.size(), 4u);
  EXPECT_EQ(doc.blocks[0].kind, BlockKind::kHeading);
  EXPECT_EQ(doc.blocks[1].text, "Intro text.");
  EXPECT_EQ(doc.blocks[2].text, "More text.");
  EXPECT_EQ(doc.blocks[3].kind, BlockKind::kTableRow);
  EXPECT_EQ(doc.blocks[3].text, "K: a | V: 1");
}

TEST(CsvTest, QuotedFieldsAndHeaderLabels) {
  const std::string csv =
      "이름,부서,메모\r\n"
      "김민수,영업,\"쉼표, 그리고 \"\"따옴표\"\"\"\r\n"
      "\r\n"
      "Lee,R&D,\"two\nlines\"\r\n"
      ",,only memo\n";
  auto doc = MustExtractBytes(csv, "staff.csv");
  EXPECT_EQ(doc.format, "csv");
  EXPECT_EQ(doc.title, "staff");
  EXPECT_EQ(
      Texts(doc, BlockKind::kTableRow),
      (std::vector<std::string>{"이름: 김민수 | 부서: 영업 | 메모: 쉼표, 그리고 \"따옴표\"",
                                "이름: Lee | 부서: R&D | 메모: two lines", "메모: only memo"}));
}

TEST(CsvTest, SniffsSemicolonsAndReadsTsvAndLegacyEncoding) {
  EXPECT_EQ(Texts(MustExtractBytes("a;b\n1,5;2\n", "eu.csv"), BlockKind::kTableRow),
            (std::vector<std::string>{"a: 1,5 | b: 2"}));
  EXPECT_EQ(Texts(MustExtractBytes("k\tv\nx, y\tz\n", "t.tsv"), BlockKind::kTableRow),
            (std::vector<std::string>{"k: x, y | v: z"}));
  auto doc = MustExtractBytes(Encode("품목,수량\n사과,3\n", "CP949"), "excel.csv");
  EXPECT_EQ(Texts(doc, BlockKind::kTableRow), (std::vector<std::string>{"품목: 사과 | 수량: 3"}));
  EXPECT_TRUE(HasWarningContaining(doc, "CP949"));
  // A header alone is still the file's content; an open quote at the end is a warning.
  EXPECT_EQ(Texts(MustExtractBytes("only,header\n", "h.csv"), BlockKind::kTableRow),
            (std::vector<std::string>{"only | header"}));
  EXPECT_TRUE(HasWarningContaining(MustExtractBytes("a,b\n1,\"open", "q.csv"), "unterminated"));
}

}  // namespace
}  // namespace docent::ingest
