// OCR through the real extractors: scanned pages built here (NanumGothic at 10.5 pt, 200 dpi,
// turned 0.7 degrees, Gaussian noise, JPEG quality 70, a PDF with no text layer), their text
// known because it is what was drawn. The full accuracy bar over three pages of each language
// is ocr_slow_test.cc; these keep to one or two small pages so they also run under ASan.
#include <gtest/gtest.h>

#include <mutex>

#include "docent/ingest/extract.h"
#include "ingest/ingest_test_util.h"
#include "ingest/ocr_test_util.h"

namespace docent::ingest {
namespace {

std::string Joined(const ExtractedDocument& doc) {
  std::string out;
  for (const Block& b : doc.blocks) out += b.text + " ";
  return out;
}

struct Scan {
  std::string text;                // what was drawn
  std::vector<std::string> jpegs;  // one per page
};

Scan MakeScan(size_t pages, testing::ScanOptions options = {}) {
  Scan scan;
  const auto korean = test::CorpusPassages("korquad-dev", pages, 250, 450, 220);
  const auto english = test::CorpusPassages("squad-dev", pages, 350, 650, 300);
  EXPECT_EQ(korean.size(), pages);
  EXPECT_EQ(english.size(), pages);
  std::vector<std::vector<std::string>> text;
  for (size_t i = 0; i < pages && i < korean.size() && i < english.size(); ++i) {
    text.push_back({korean[i], english[i]});
    scan.text += korean[i] + " " + english[i] + " ";
  }
  auto jpegs = testing::ScanPages("scan", test::AsPages(text), options);
  EXPECT_TRUE(jpegs.ok()) << jpegs.status().ToString();
  if (jpegs.ok()) scan.jpegs = std::move(*jpegs);
  return scan;
}

// A PDF with no text layer is read by OCR, page by page, with progress; its text is the
// drawn text to within the bar.
TEST(OcrTest, ScannedPdfIsReadWithProgress) {
  const Scan scan = MakeScan(2);
  ASSERT_EQ(scan.jpegs.size(), 2u);
  testing::TempDir dir;
  ASSERT_TRUE(testing::WriteImagePdf(dir.path() / "scan.pdf", scan.jpegs).ok());
  Limits limits;
  std::mutex mu;
  std::vector<std::pair<int, int>> progress;
  limits.ocr.on_page = [&](int done, int total) {
    std::lock_guard lock(mu);
    progress.emplace_back(done, total);
  };
  limits.ocr.threads = 2;
  auto doc = ExtractFile(dir.path() / "scan.pdf", limits);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(progress, (std::vector<std::pair<int, int>>{{1, 2}, {2, 2}}));
  EXPECT_EQ(doc->blocks.front().page, 1);
  EXPECT_EQ(doc->blocks.back().page, 2);
  const double accuracy = test::CharAccuracy(scan.text, Joined(*doc));
  EXPECT_GE(accuracy, 0.95) << Joined(*doc);

  // With OCR off the same file has no text, and the message says how to read it.
  limits.ocr.mode = OcrMode::kOff;
  auto off = ExtractFile(dir.path() / "scan.pdf", limits);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(off.status().message().find("--ocr auto"), std::string::npos);
}

// Image files are documents: a JPEG is one page, a TIFF every page it holds.
TEST(OcrTest, ImageFilesAreRead) {
  const Scan scan = MakeScan(1);
  ASSERT_EQ(scan.jpegs.size(), 1u);
  auto doc = ExtractBytes(scan.jpegs[0], "notice.jpg");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->format, "image");
  EXPECT_EQ(doc->title, "notice");
  EXPECT_GE(test::CharAccuracy(scan.text, Joined(*doc)), 0.95) << Joined(*doc);

  Limits small;
  small.max_image_pixels = 1000;  // the limit is checked on the header, before decoding
  auto big = ExtractBytes(scan.jpegs[0], "big.jpg", small);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(big.status().message().rfind("big.jpg: ", 0), 0u);

  auto junk = ExtractBytes(std::string(5000, '\x11'), "junk.png");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kCorrupt);
  auto cut = ExtractBytes(scan.jpegs[0].substr(0, 600), "cut.jpg");
  if (!cut.ok()) {
    EXPECT_EQ(cut.status().message().rfind("cut.jpg: ", 0), 0u);
  }
}

// A page scanned 6 degrees askew is turned upright before it is read (turned the wrong way,
// its skew doubles and the page no longer reads: this test fails).
TEST(OcrTest, SkewedPagesAreStraightened) {
  testing::ScanOptions askew;
  askew.angle_degrees = 6;
  const Scan scan = MakeScan(1, askew);
  ASSERT_EQ(scan.jpegs.size(), 1u);
  auto doc = ExtractBytes(scan.jpegs[0], "askew.jpg");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_GE(test::CharAccuracy(scan.text, Joined(*doc)), 0.95) << Joined(*doc);
}

// --ocr force reads every page as an image even when it has a text layer.
TEST(OcrTest, ForceReadsPagesThatHaveText) {
  testing::TempDir dir;
  const std::string text = "The quarterly safety review found no incidents in the warehouse.";
  ASSERT_TRUE(testing::WritePdf(dir.path() / "t.pdf", "t",
                                {{{testing::DocItem::Kind::kParagraph, 1, text, {}}}})
                  .ok());
  Limits limits;
  int pages = 0;
  limits.ocr.on_page = [&](int, int) { ++pages; };
  auto layer = ExtractFile(dir.path() / "t.pdf", limits);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(pages, 0);  // a text layer: no OCR under auto
  limits.ocr.mode = OcrMode::kForce;
  auto forced = ExtractFile(dir.path() / "t.pdf", limits);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(pages, 1);
  EXPECT_GE(test::CharAccuracy(text, Joined(*forced)), 0.95) << Joined(*forced);
}

// A machine without Tesseract's language data still reads a PDF's text pages: a page
// without a text layer (a blank separator) costs a warning, not the document.
TEST(OcrTest, WithoutLanguageDataTextPagesStillCount) {
  testing::TempDir dir;
  const std::string text = "The quarterly safety review found no incidents in the warehouse.";
  ASSERT_TRUE(testing::WritePdf(dir.path() / "t.pdf", "t",
                                {{{testing::DocItem::Kind::kParagraph, 1, text, {}}},
                                 {{testing::DocItem::Kind::kParagraph, 1, "7", {}}}})
                  .ok());
  const char* before = std::getenv("TESSDATA_PREFIX");
  const std::string saved = before != nullptr ? before : "";
  setenv("TESSDATA_PREFIX", (dir.path() / "no-tessdata").c_str(), 1);
  auto doc = ExtractFile(dir.path() / "t.pdf");
  if (before != nullptr) {
    setenv("TESSDATA_PREFIX", saved.c_str(), 1);
  } else {
    unsetenv("TESSDATA_PREFIX");
  }
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(Joined(*doc), text + " ");
  ASSERT_EQ(doc->warnings.size(), 1u);
  EXPECT_NE(doc->warnings[0].find("1 pages without a text layer were not read"), std::string::npos)
      << doc->warnings[0];
}

}  // namespace
}  // namespace docent::ingest
