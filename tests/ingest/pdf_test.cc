// PDF through poppler: pages, outline headings, metadata title, Korean text, and the ways a
// PDF can fail (not a PDF, truncated, encrypted, no text layer).
#include <gtest/gtest.h>

#include <string>

#include "ingest/ingest_test_util.h"

namespace docent::ingest {
namespace {

using test::AllText;
using test::Heading;
using test::MustExtract;
using test::OfKind;
using test::Para;
using testing::TempDir;

std::filesystem::path WritePolicyPdf(const TempDir& dir) {
  const std::filesystem::path path = dir / "policy.pdf";
  const std::vector<std::vector<testing::DocItem>> pages = {
      {Heading(1, "연차 휴가"), Para("직원은 입사 1년 후 15일의 연차 휴가를 받는다."),
       test::Table({{"이름", "일수"}, {"김민수", "15"}})},
      {Heading(2, "Sick leave"), Para("Sick leave needs a doctor's note after three days.")}};
  EXPECT_TRUE(testing::WritePdf(path, "휴가 규정 Leave policy", pages).ok());
  return path;
}

TEST(PdfTest, PagesOutlineHeadingsTitleAndKoreanText) {
  TempDir dir;
  auto doc = MustExtract(WritePolicyPdf(dir));
  EXPECT_EQ(doc.format, "pdf");
  EXPECT_EQ(doc.title, "휴가 규정 Leave policy");
  const auto headings = OfKind(doc, BlockKind::kHeading);
  ASSERT_EQ(headings.size(), 2u) << AllText(doc);
  EXPECT_EQ(headings[0].text, "연차 휴가");
  EXPECT_EQ(headings[0].level, 1);
  EXPECT_EQ(headings[0].page, 1);
  EXPECT_EQ(headings[1].text, "Sick leave");
  EXPECT_EQ(headings[1].level, 2);
  EXPECT_EQ(headings[1].page, 2);
  bool korean_on_1 = false, english_on_2 = false, cell_on_1 = false;
  for (const Block& b : doc.blocks) {
    EXPECT_TRUE(b.page == 1 || b.page == 2) << b.text;
    if (b.kind != BlockKind::kParagraph) continue;
    korean_on_1 |= b.page == 1 && b.text == "직원은 입사 1년 후 15일의 연차 휴가를 받는다.";
    english_on_2 |= b.page == 2 && b.text == "Sick leave needs a doctor's note after three days.";
    cell_on_1 |= b.page == 1 && b.text.find("김민수") != std::string::npos;
  }
  EXPECT_TRUE(korean_on_1) << AllText(doc);
  EXPECT_TRUE(english_on_2) << AllText(doc);
  EXPECT_TRUE(cell_on_1) << AllText(doc);
}

TEST(PdfTest, UntitledPdfFallsBackToFileStem) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePdf(dir / "memo.pdf", "", {{Para("Just a short memo.")}}).ok());
  auto doc = MustExtract(dir / "memo.pdf");
  EXPECT_EQ(doc.title, "memo");
  EXPECT_EQ(AllText(doc), "Just a short memo.\n");
}

TEST(PdfTest, NotAPdfIsCorrupt) {
  auto doc = ExtractBytes("<html>surprise</html>", "fake.pdf");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(doc.status().message(), "fake.pdf: not a PDF (no %PDF- header)");
}

TEST(PdfTest, TruncatedPdfIsCorrupt) {
  TempDir dir;
  const std::string bytes = testing::ReadFileOrEmpty(WritePolicyPdf(dir));
  ASSERT_GT(bytes.size(), 1000u);
  // Cut inside the first page's objects: no page tree or xref survives.
  auto doc = ExtractBytes(std::string_view(bytes).substr(0, 600), "cut.pdf");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt) << doc.status().ToString();
  EXPECT_EQ(doc.status().message().rfind("cut.pdf: damaged PDF", 0), 0u) << doc.status().message();
}

TEST(PdfTest, EncryptedPdfIsRefusedWithReason) {
  auto doc = ExtractFile(testing::SourceDir() / "tests/data/ingest/encrypted.pdf");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(doc.status().message(), "encrypted.pdf: encrypted PDF (password required)");
}

TEST(PdfTest, PageWithoutTextHasNoExtractableText) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePdf(dir / "scan.pdf", "Scanned", {{}}).ok());
  auto doc = ExtractFile(dir / "scan.pdf");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(doc.status().message().rfind("scan.pdf: no extractable text", 0), 0u)
      << doc.status().message();
}

}  // namespace
}  // namespace docent::ingest
