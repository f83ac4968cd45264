// The OCR bar (issue 15): character accuracy (1 - CER) >= 0.95 for Korean, English and mixed
// pages, three pages of each, built as a scanner would give them (ocr_test.cc says how), with
// the text drawn taken from the shared KorQuAD and SQuAD corpora. Prints each language's
// accuracy and the pages per second at 2 threads. Labelled slow: not run under ASan.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "docent/ingest/extract.h"
#include "ingest/ocr_test_util.h"

namespace docent::ingest {
namespace {

struct Language {
  const char* name;
  std::vector<std::vector<std::string>> pages;
};

std::vector<std::vector<std::string>> Pages(const std::vector<std::string>& a,
                                            const std::vector<std::string>& b, size_t per_page) {
  std::vector<std::vector<std::string>> pages(3);
  for (size_t p = 0; p < 3; ++p) {
    for (size_t k = 0; k < per_page; ++k) {
      const std::vector<std::string>& from = (b.empty() || k % 2 == 0) ? a : b;
      const size_t i = p * per_page + k;
      if (i < from.size()) pages[p].push_back(from[i]);
    }
  }
  return pages;
}

TEST(OcrAccuracyTest, ThreePagesOfEachLanguageReachTheBar) {
  const auto korean = test::CorpusPassages("korquad-dev", 12, 250, 450);
  const auto english = test::CorpusPassages("squad-dev", 12, 350, 650);
  ASSERT_EQ(korean.size(), 12u);
  ASSERT_EQ(english.size(), 12u);
  const std::vector<std::string> none;
  const Language languages[] = {{"Korean", Pages(korean, none, 4)},
                                {"English", Pages(english, none, 4)},
                                {"mixed", Pages(korean, english, 4)}};
  for (const Language& lang : languages) {
    SCOPED_TRACE(lang.name);
    std::string drawn;
    for (const auto& page : lang.pages) {
      ASSERT_FALSE(page.empty());
      for (const std::string& p : page) drawn += p + " ";
    }
    auto jpegs = testing::ScanPages(lang.name, test::AsPages(lang.pages));
    ASSERT_TRUE(jpegs.ok()) << jpegs.status().ToString();
    ASSERT_EQ(jpegs->size(), 3u);
    testing::TempDir dir;
    ASSERT_TRUE(testing::WriteImagePdf(dir.path() / "scan.pdf", *jpegs).ok());
    Limits limits;
    limits.ocr.threads = 2;
    const auto start = std::chrono::steady_clock::now();
    auto doc = ExtractFile(dir.path() / "scan.pdf", limits);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    std::string read;
    for (const Block& b : doc->blocks) read += b.text + " ";
    const double accuracy = test::CharAccuracy(drawn, read);
    std::printf(
        "OCR %-7s: character accuracy %.4f over %zu characters, %.2f pages/s at 2 "
        "threads\n",
        lang.name, accuracy, util::CountCodePoints(drawn), 3 / seconds);
    EXPECT_GE(accuracy, 0.95) << read;
  }
}

}  // namespace
}  // namespace docent::ingest
