// HWP 5 against the real files in ../shared/documents/hwp. Expected text comes from each
// file's PrvText stream: the preview Hangul itself writes when it saves (UTF-16LE, the start
// of the document, tables as "<cell><cell>" rows), independent of docent's record parser.
#include <gtest/gtest.h>
#include <zlib.h>

#include <regex>
#include <sstream>

#include "docent/ingest/blocks.h"
#include "docent/ingest/compound_file.h"
#include "docent/ingest/extract.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/hwp_streams.h"
#include "docent/util/utf8.h"
#include "ingest/ingest_test_util.h"

namespace docent::ingest {
namespace {

std::filesystem::path HwpDir() {
  return testing::SharedDir() / "documents" / "hwp";
}

// The PrvText stream as UTF-8 with "\r\n" as '\n'.
std::string PrvText(const std::string& file_bytes) {
  auto cf = CompoundFile::Open(file_bytes);
  EXPECT_TRUE(cf.ok()) << cf.status().ToString();
  if (!cf.ok()) return {};
  auto prv = cf->ReadStream("PrvText", 1 << 20);
  EXPECT_TRUE(prv.ok()) << prv.status().ToString();
  if (!prv.ok()) return {};
  std::string utf8, out;
  util::AppendUtf16Le(*prv, utf8);
  for (char c : utf8) {
    if (c != '\r') out += c;
  }
  return out;
}

std::vector<std::string> Words(std::string text) {
  for (char& c : text) {
    if (c == '<' || c == '>' || c == '|' || c == '\t' || c == '\n') c = ' ';
  }
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The index of the first word of `expected` not found, in order, in `actual`; or npos.
size_t FirstMissing(const std::vector<std::string>& expected,
                    const std::vector<std::string>& actual) {
  size_t a = 0;
  for (size_t e = 0; e < expected.size(); ++e) {
    while (a < actual.size() && actual[a] != expected[e]) ++a;
    if (a == actual.size()) return e;
    ++a;
  }
  return std::string::npos;
}

struct Sample {
  const char* file;
  bool has_text;  // PrvText holds words
};

// Every file's text holds its preview's words, in order; the files whose preview is empty
// hold no paragraph text and are skipped as "no extractable text" (except the two whose text
// sits only in control records: ruby text and overlapped characters, which docent reads).
TEST(HwpTest, TextHoldsThePreviewWordsInOrder) {
  const Sample samples[] = {
      {"hello_world.hwp", true},     {"range.hwp", true},
      {"draw_text.hwp", true},       {"group_with_draw_text.hwp", true},
      {"work_report.hwp", true},     {"hwp-spec-distribution.hwp", true},
      {"bookmark.hwp", false},       {"color_fill.hwp", false},
      {"gradation_fill.hwp", false}, {"image_fill.hwp", false},
      {"outline.hwp", false},        {"shadow.hwp", false},
  };
  for (const Sample& s : samples) {
    SCOPED_TRACE(s.file);
    const std::string bytes = testing::ReadFileOrEmpty(HwpDir() / s.file);
    ASSERT_FALSE(bytes.empty());
    std::vector<std::string> expected = Words(PrvText(bytes));
    auto doc = ExtractBytes(bytes, s.file);
    if (!s.has_text) {
      EXPECT_TRUE(expected.empty());
      ASSERT_FALSE(doc.ok());
      EXPECT_EQ(doc.status().code(), StatusCode::kUnsupported);
      EXPECT_NE(doc.status().message().find("no extractable text"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    EXPECT_EQ(doc->format, "hwp");
    // The preview stops at about 1,000 characters, mid-word.
    if (bytes.size() > 100000) expected.pop_back();
    ASSERT_FALSE(expected.empty());
    const std::vector<std::string> actual = Words(test::AllText(*doc));
    const size_t missing = FirstMissing(expected, actual);
    EXPECT_EQ(missing, std::string::npos)
        << "preview word " << missing << " \"" << expected[std::min(missing, expected.size() - 1)]
        << "\" not found in order; text:\n"
        << test::AllText(*doc).substr(0, 3000);
  }
}

// A distribution document's body is encrypted in ViewText; BodyText holds only a notice.
// The table of contents in its preview lists numbered headings ("3.2.1. 파일 인식 정보 7"),
// whose numbers Hangul generates from the outline definition: each must come out as a
// heading with the same number and words.
TEST(HwpTest, DistributionDocumentDecryptsAndNumbersItsOutline) {
  const std::string bytes = testing::ReadFileOrEmpty(HwpDir() / "hwp-spec-distribution.hwp");
  auto doc = ExtractBytes(bytes, "hwp-spec-distribution.hwp");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const std::string all = test::AllText(*doc);
  EXPECT_EQ(all.find("상위 버전의 배포용 문서"), std::string::npos);  // not the notice
  std::vector<std::string> headings;
  for (const std::string& h : test::Texts(*doc, BlockKind::kHeading)) {
    headings.push_back(CollapseSpaces(h));
  }
  const std::regex toc_line(R"(^((?:[0-9]+\.)+) (.*\S)\s+[0-9]+$)");
  std::istringstream prv(PrvText(bytes));
  int checked = 0;
  for (std::string line; std::getline(prv, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, toc_line)) continue;
    const std::string want = CollapseSpaces(m[1].str() + " " + m[2].str());
    EXPECT_NE(std::find(headings.begin(), headings.end(), want), headings.end()) << want;
    ++checked;
  }
  EXPECT_GE(checked, 20);
  // Six sections: blocks name theirs.
  EXPECT_EQ(doc->blocks.front().section, 1);
  EXPECT_EQ(doc->blocks.back().section, 6);
  EXPECT_EQ(doc->title, "한글문서파일형식_5.0_revision1.3");
}

// A form made of tables: each preview row whose cells all hold text is a table row block,
// its cells in order.
TEST(HwpTest, TablesKeepTheirRows) {
  const std::string bytes = testing::ReadFileOrEmpty(HwpDir() / "work_report.hwp");
  auto doc = ExtractBytes(bytes, "work_report.hwp");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const std::vector<std::string> rows = test::Texts(*doc, BlockKind::kTableRow);
  const std::regex cells_line(R"(^(<[^<>]+>){2,}$)");
  const std::regex cell(R"(<([^<>]+)>)");
  std::istringstream prv(PrvText(bytes));
  int checked = 0;
  for (std::string line; std::getline(prv, line);) {
    if (!std::regex_match(line, cells_line)) continue;
    std::string want;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), cell);
         it != std::sregex_iterator(); ++it) {
      if (!want.empty()) want += " | ";
      want += CollapseSpaces((*it)[1].str());
    }
    EXPECT_NE(std::find(rows.begin(), rows.end(), want), rows.end()) << want;
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

// A password-protected file is refused by name, before any of its streams is read.
TEST(HwpTest, PasswordProtectedFilesAreRefused) {
  std::string bytes = testing::ReadFileOrEmpty(HwpDir() / "hello_world.hwp");
  const size_t header = bytes.find("HWP Document File");
  ASSERT_NE(header, std::string::npos);
  bytes[header + 36] = static_cast<char>(bytes[header + 36] | 0x02);  // flags: password
  auto doc = ExtractBytes(bytes, "locked.hwp");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(doc.status().message().find("locked.hwp"), std::string::npos);
  EXPECT_NE(doc.status().message().find("password"), std::string::npos);
}

// Hostile bytes: every truncation of a real file, and bytes that are no HWP, fail with a
// message naming the file (or, cut after the text, still read); nothing crashes.
TEST(HwpTest, BrokenFilesFailClearly) {
  const std::string bytes = testing::ReadFileOrEmpty(HwpDir() / "work_report.hwp");
  for (size_t cut = 0; cut < bytes.size(); cut += 509) {
    auto doc = ExtractBytes(std::string_view(bytes).substr(0, cut), "cut.hwp");
    if (!doc.ok()) {
      EXPECT_EQ(doc.status().message().rfind("cut.hwp: ", 0), 0u);
    }
  }
  auto junk = ExtractBytes(std::string(4096, 'x'), "junk.hwp");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(junk.status().message().find("junk.hwp: not an HWP document"), std::string::npos);
}

// Hangul saves HWPX under .hwp too: the content decides, not the name.
TEST(HwpTest, HwpxNamedHwpIsReadAsHwpx) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::WriteHwpx(dir.path() / "policy.hwpx", test::LeavePolicyModel()).ok());
  auto doc = ExtractBytes(testing::ReadFileOrEmpty(dir.path() / "policy.hwpx"), "policy.hwp");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto direct = ExtractFile(dir.path() / "policy.hwpx");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(test::AllText(*doc), test::AllText(*direct));
}

std::string RawDeflate(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A stream that inflates past its cap is refused as it inflates (a bomb never fills memory);
// trailing bytes after the deflate end are ignored (decrypted sections carry padding); a
// truncated stream is corrupt.
TEST(HwpTest, InflationIsCapped) {
  const std::string big(1 << 20, 'a');
  const std::string packed = RawDeflate(big);
  ASSERT_LT(packed.size(), 4096u);
  auto capped = InflateRaw(packed, 100000);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), StatusCode::kTooLarge);
  auto whole = InflateRaw(packed + std::string(40, '\x7f'), 2 << 20);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(*whole, big);
  auto cut = InflateRaw(packed.substr(0, packed.size() / 2), 2 << 20);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace docent::ingest
