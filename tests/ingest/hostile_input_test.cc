// Hostile and broken input: zip bombs (honest and lying), oversized, empty, unknown and
// mis-named files, deep nesting, and a seeded mutation sweep over every format. Each must
// end in a clear Status naming the file, never a crash or an escaped exception.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "docent/util/utf8.h"
#include "ingest/ingest_test_util.h"

namespace docent::ingest {
namespace {

using testing::TempDir;
using testing::WriteZip;
using testing::ZipEntry;

constexpr char kRootRels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

// Text that deflate cannot shrink much, so only the size limits can refuse it.
std::string Incompressible(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, ' ');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

std::string ZipBytes(const TempDir& dir, const std::vector<ZipEntry>& entries) {
  const auto path = dir / "scratch.zip";
  EXPECT_TRUE(WriteZip(path, entries).ok());
  return testing::ReadFileOrEmpty(path);
}

void ExpectError(const Result<ExtractedDocument>& doc, StatusCode code,
                 const std::string& message_part) {
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), code) << doc.status().ToString();
  EXPECT_NE(doc.status().message().find(message_part), std::string::npos) << doc.status().message();
}

TEST(ZipBombTest, CompressionRatioIsRefusedBeforeInflating) {
  TempDir dir;
  const std::string bomb = ZipBytes(
      dir, {{"_rels/.rels", kRootRels}, {"word/document.xml", std::string(5 << 20, '\0')}});
  ASSERT_LT(bomb.size(), 64u << 10);
  Limits limits;
  limits.max_compression_ratio = 50;
  ExpectError(ExtractBytes(bomb, "bomb.docx", limits), StatusCode::kTooLarge,
              "bomb.docx: word/document.xml: zip entry compression ratio");
  // The default limits refuse it too: 5 MB of zeros deflates past 1000:1.
  ExpectError(ExtractBytes(bomb, "bomb.docx"), StatusCode::kTooLarge, "zip bomb");
}

TEST(ZipBombTest, EntryAndTotalSizeLimits) {
  TempDir dir;
  Limits limits;
  limits.max_entry_bytes = 1 << 20;
  const std::string big = ZipBytes(
      dir, {{"_rels/.rels", kRootRels}, {"word/document.xml", Incompressible(2 << 20, 1)}});
  ExpectError(ExtractBytes(big, "big.docx", limits), StatusCode::kTooLarge, "per-entry limit");

  limits = Limits{};
  limits.max_uncompressed_bytes = 1 << 20;
  const std::string p = "<hs:sec xmlns:hs=\"s\" xmlns:hp=\"p\"><hp:p><hp:run><hp:t>";
  const std::string sections =
      ZipBytes(dir, {{"Contents/section0.xml",
                      p + Incompressible(600 << 10, 2) + "</hp:t></hp:run></hp:p></hs:sec>"},
                     {"Contents/section1.xml",
                      p + Incompressible(600 << 10, 3) + "</hp:t></hp:run></hp:p></hs:sec>"}});
  ExpectError(ExtractBytes(sections, "two.hwpx", limits), StatusCode::kTooLarge,
              "two.hwpx: Contents/section1.xml: zip would inflate past the limit");
}

// Rewrites the uncompressed size that the central directory and the local header declare
// for `name`, as a crafted bomb would.
void PatchDeclaredSize(std::string& zip, const std::string& name, uint32_t size) {
  auto put32 = [&](size_t at) { std::memcpy(&zip[at], &size, 4); };  // little-endian host
  auto get16 = [&](size_t at) {
    return static_cast<size_t>(static_cast<unsigned char>(zip[at])) |
           static_cast<size_t>(static_cast<unsigned char>(zip[at + 1])) << 8;
  };
  int patched = 0;
  for (size_t at = zip.find("PK\x03\x04"); at != std::string::npos;
       at = zip.find("PK\x03\x04", at + 4)) {
    if (zip.compare(at + 30, name.size(), name) == 0 && get16(at + 26) == name.size()) {
      put32(at + 22);
      ++patched;
    }
  }
  for (size_t at = zip.find("PK\x01\x02"); at != std::string::npos;
       at = zip.find("PK\x01\x02", at + 4)) {
    if (zip.compare(at + 46, name.size(), name) == 0 && get16(at + 28) == name.size()) {
      put32(at + 24);
      ++patched;
    }
  }
  ASSERT_EQ(patched, 2);
}

TEST(ZipBombTest, LyingDeclaredSizeIsCaughtWhileInflating) {
  TempDir dir;
  std::string bomb =
      ZipBytes(dir, {{"_rels/.rels", kRootRels}, {"word/document.xml", std::string(5 << 20, ' ')}});
  PatchDeclaredSize(bomb, "word/document.xml", 1000);
  // 1000 declared bytes from ~5 KB compressed passes every check made before inflating.
  ExpectError(ExtractBytes(bomb, "liar.docx"), StatusCode::kCorrupt,
              "liar.docx: word/document.xml: zip entry inflates past its declared size of 1000");
}

TEST(ZipBombTest, TooManyEntries) {
  TempDir dir;
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back({"f" + std::to_string(i), "x"});
  Limits limits;
  limits.max_zip_entries = 3;
  ExpectError(ExtractBytes(ZipBytes(dir, entries), "many.xlsx", limits), StatusCode::kTooLarge,
              "many.xlsx: zip holds 5 entries, over the limit of 3");
}

TEST(HostileTest, NotAZipAndPasswordProtectedOffice) {
  ExpectError(ExtractBytes("just text", "fake.docx"), StatusCode::kCorrupt,
              "fake.docx: not a valid zip archive");
  const std::string ole =
      std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, 'x');
  ExpectError(ExtractBytes(ole, "secret.xlsx"), StatusCode::kCorrupt, "password-protected");
}

TEST(HostileTest, OversizedFileIsRefusedBeforeReading) {
  TempDir dir;
  // A sparse 1 GB file: refusing it must not read it.
  const auto huge = dir / "huge.pdf";
  { std::ofstream(huge).put('%'); }
  std::filesystem::resize_file(huge, 1ull << 30);
  ExpectError(ExtractFile(huge), StatusCode::kTooLarge,
              "huge.pdf: file is 1024 MB, over the limit of 100 MB");
  Limits limits;
  limits.max_file_bytes = 10;
  ExpectError(ExtractFile(dir.Write("small.txt", "eleven bytes"), limits), StatusCode::kTooLarge,
              "small.txt: file is 12 bytes, over the limit of 10 bytes");
  ExpectError(ExtractBytes("eleven bytes", "mem.txt", limits), StatusCode::kTooLarge, "mem.txt");
}

TEST(HostileTest, UnknownTypes) {
  EXPECT_EQ(FormatForPath("a/b/Report.HTM"), "html");
  EXPECT_EQ(FormatForPath("notes.markdown"), "md");
  EXPECT_EQ(FormatForPath("x.Docx"), "docx");
  EXPECT_EQ(FormatForPath("보고서.hwpx"), "hwpx");
  EXPECT_EQ(FormatForPath("setup.exe"), std::nullopt);
  EXPECT_EQ(FormatForPath("규정.HWP"), "hwp");
  EXPECT_EQ(FormatForPath("scan.TIFF"), "image");
  EXPECT_EQ(FormatForPath("legacy.doc"), std::nullopt);
  EXPECT_EQ(FormatForPath("Makefile"), std::nullopt);
  ExpectError(ExtractBytes("MZ\x90", "setup.exe"), StatusCode::kUnsupported,
              "setup.exe: unsupported file type \".exe\"");
  TempDir dir;
  ExpectError(ExtractFile(dir.Write("photo.svg", "<svg/>")), StatusCode::kUnsupported,
              "photo.svg: unsupported file type");
  // An image that is not one: corrupt, not unsupported.
  ExpectError(ExtractFile(dir.Write("photo.jpg", "\xFF\xD8\xFF")), StatusCode::kCorrupt,
              "photo.jpg: ");
}

TEST(HostileTest, EmptyAndMissingFiles) {
  TempDir dir;
  auto doc = ExtractFile(dir.Write("x.txt", ""));
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(doc.status().message(), "x.txt: empty file");
  ExpectError(ExtractFile(dir.Write("e.docx", "")), StatusCode::kInvalidArgument, "empty file");
  ExpectError(ExtractFile(dir / "gone.pdf"), StatusCode::kNotFound, "gone.pdf: no such file");
}

TEST(HostileTest, DeepNestingDoesNotExhaustTheStack) {
  const int depth = 200000;
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += "<w:sdt><w:sdtContent>";
    close += "</w:sdtContent></w:sdt>";
  }
  std::string runs;
  for (int i = 0; i < depth; ++i) runs += "<w:hyperlink>";
  runs += "<w:r><w:t>deep run</w:t></w:r>";
  for (int i = 0; i < depth; ++i) runs += "</w:hyperlink>";
  const std::string document = "<w:document xmlns:w=\"w\"><w:body><w:p>" + runs + "</w:p>" + open +
                               "<w:p><w:r><w:t>too deep</w:t></w:r></w:p>" + close +
                               "</w:body></w:document>";
  TempDir dir;
  Limits limits;
  limits.max_compression_ratio = 100000;  // repeated tags deflate very well
  auto doc =
      ExtractBytes(ZipBytes(dir, {{"_rels/.rels", kRootRels}, {"word/document.xml", document}}),
                   "deep.docx", limits);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(test::AllText(*doc), "deep run\n");
  EXPECT_TRUE(test::HasWarningContaining(*doc, "nested too deeply"));
  // HTML and Markdown nest without recursion at all.
  std::string html;
  for (int i = 0; i < depth; ++i) html += "<div><span>";
  html += "bottom";
  EXPECT_EQ(test::AllText(test::MustExtractBytes(html, "deep.html")), "bottom\n");
  std::string tables;
  for (int i = 0; i < depth; ++i) tables += "<table><tr><td>";
  EXPECT_EQ(test::AllText(test::MustExtractBytes(tables + "cell", "tables.html")), "cell\n");
  EXPECT_TRUE(ExtractBytes(std::string(depth, '[') + "x" + std::string(depth, ']'), "d.md").ok());
}

// A seeded sweep of byte flips, truncations and splices over a real file of every format:
// each result is either a clean document (valid UTF-8, some text) or an error naming the file.
TEST(HostileTest, MutatedFilesFailCleanly) {
  TempDir dir;
  const auto model = test::LeavePolicyModel();
  ASSERT_TRUE(testing::WriteDocx(dir / "m.docx", model).ok());
  ASSERT_TRUE(testing::WriteHwpx(dir / "m.hwpx", model).ok());
  ASSERT_TRUE(testing::WriteHtml(dir / "m.html", model).ok());
  ASSERT_TRUE(testing::WriteMarkdown(dir / "m.md", model).ok());
  ASSERT_TRUE(testing::WritePptx(dir / "m.pptx", "t", {{"제목", {"내용"}, "노트"}}).ok());
  ASSERT_TRUE(testing::WriteXlsx(dir / "m.xlsx", {{"S", {{"a", "b"}, {"1", "2"}}}}).ok());
  ASSERT_TRUE(testing::WritePdf(dir / "m.pdf", "t", {model.items}).ok());
  std::mt19937 rng(20250101);
  for (const char* name : {"m.docx", "m.hwpx", "m.html", "m.md", "m.pptx", "m.xlsx", "m.pdf"}) {
    const std::string original = testing::ReadFileOrEmpty(dir / name);
    ASSERT_FALSE(original.empty()) << name;
    for (int round = 0; round < 150; ++round) {
      std::string bytes = original;
      switch (round % 3) {
        case 0:
          for (int k = 0; k < 8; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
          break;
        case 1:
          bytes.resize(rng() % bytes.size());
          break;
        default: {
          const size_t at = rng() % bytes.size();
          bytes.insert(at, original.substr(rng() % original.size(), 64));
        }
      }
      auto doc = ExtractBytes(bytes, name);
      if (doc.ok()) {
        EXPECT_FALSE(doc->blocks.empty()) << name;
        for (const Block& b : doc->blocks) EXPECT_TRUE(util::IsValidUtf8(b.text)) << name;
        EXPECT_TRUE(util::IsValidUtf8(doc->title)) << name;
      } else {
        EXPECT_EQ(doc.status().message().rfind(std::string(name) + ": ", 0), 0u)
            << doc.status().ToString();
        EXPECT_NE(doc.status().code(), StatusCode::kInternal) << doc.status().ToString();
      }
    }
  }
}

}  // namespace
}  // namespace docent::ingest
