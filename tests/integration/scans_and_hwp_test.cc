// HWP 5 files and scanned pages through the real interfaces: `docent add` over the shared HWP
// samples and a scan (per-page progress, skips, exit code), `docent search --json` finding
// their text with `source` and location, and an upload of a scan over HTTP reporting its
// pages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/ocr_test_util.h"
#include "support/doc_writers.h"
#include "support/server_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using testing::RunDocent;

// A one-page scan of a short Korean notice; its text is what was drawn.
std::string ScannedNotice(const std::filesystem::path& path) {
  const std::string text =
      "방문객은 평일 오전 9시부터 오후 6시까지 본사에 출입할 수 있다. 방문증은 퇴실할 때 "
      "안내데스크에 반납한다.";
  auto jpegs = testing::ScanPages("notice", {{{testing::DocItem::Kind::kParagraph, 1, text, {}}}});
  EXPECT_TRUE(jpegs.ok()) << jpegs.status().ToString();
  if (jpegs.ok()) {
    EXPECT_TRUE(testing::WriteImagePdf(path, *jpegs).ok());
  }
  return text;
}

TEST(ScansAndHwpTest, AddReadsHwpAndScansAndSkipsFilesWithoutText) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const auto hwp = testing::SharedDir() / "documents" / "hwp";
  ScannedNotice(dir.path() / "notice.pdf");
  auto add = RunDocent({"add", hwp.string(), (dir.path() / "notice.pdf").string(), "--data", data});
  EXPECT_EQ(add.exit_code, 0) << add.out << add.err;
  // The six samples with no text at all are skipped, not failed; the scan shows its page.
  for (const char* empty : {"bookmark.hwp", "color_fill.hwp", "gradation_fill.hwp",
                            "image_fill.hwp", "outline.hwp", "shadow.hwp"}) {
    EXPECT_NE(add.out.find("skip " + (hwp / empty).string() + ": "), std::string::npos)
        << empty << "\n"
        << add.out;
  }
  EXPECT_NE(add.out.find("added " + (hwp / "work_report.hwp").string()), std::string::npos);
  EXPECT_NE(add.out.find("added " + (hwp / "hwp-spec-distribution.hwp").string()),
            std::string::npos);
  EXPECT_NE(add.err.find("ocr notice.pdf: page 1 of 1"), std::string::npos) << add.err;
  EXPECT_NE(add.out.find(" 0 failed"), std::string::npos) << add.out;

  // Search finds the decrypted distribution document, located by section and heading.
  auto found = RunDocent({"search", "--data", data, "배포용 문서 데이터", "-k", "1", "--json"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  auto results = nlohmann::json::parse(found.out)["results"];
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["source"], (hwp / "hwp-spec-distribution.hwp").string());
  EXPECT_NE(results[0]["location"].get<std::string>().find("section "), std::string::npos)
      << results[0];

  // And the scan, by a word OCR read, cited to its page.
  auto scan = RunDocent({"search", "--data", data, "안내데스크 방문증", "-k", "1", "--json"});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto hit = nlohmann::json::parse(scan.out)["results"];
  ASSERT_EQ(hit.size(), 1u);
  EXPECT_EQ(hit[0]["source"], (dir.path() / "notice.pdf").string());
  EXPECT_EQ(hit[0]["location"], "p. 1");

  auto ask = RunDocent({"ask", "--data", data, "방문객은 몇 시까지 출입할 수 있나요?"});
  ASSERT_EQ(ask.exit_code, 0) << ask.err;
  EXPECT_NE(ask.out.find("오후 6시"), std::string::npos) << ask.out;
}

TEST(ScansAndHwpTest, UploadedScanReportsItsPages) {
  testing::TempDir dir;
  const std::string text = ScannedNotice(dir.path() / "notice.pdf");
  testing::ServerProcess server((dir.path() / "data").string());
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  httplib::MultipartFormDataItems items = {
      {"file", testing::ReadFileOrEmpty(dir.path() / "notice.pdf"), "notice.pdf",
       "application/pdf"},
      {"file", testing::ReadFileOrEmpty(testing::SharedDir() / "documents/hwp/work_report.hwp"),
       "work_report.hwp", "application/octet-stream"}};
  auto up = http->Post("/v1/documents?wait=true", items);
  ASSERT_EQ(up->status, 200) << up->body;
  auto uploads = nlohmann::json::parse(up->body)["uploads"];
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_EQ(uploads[0]["status"], "ready") << uploads[0];
  EXPECT_EQ(uploads[0]["pages_done"], 1);
  EXPECT_EQ(uploads[0]["pages_total"], 1);
  EXPECT_EQ(uploads[1]["status"], "ready") << uploads[1];
  EXPECT_FALSE(uploads[1].contains("pages_total"));  // no OCR in an HWP file
  auto job = http->Get("/v1/uploads/" + std::to_string(uploads[0]["job"].get<int>()));
  ASSERT_EQ(job->status, 200);
  EXPECT_EQ(nlohmann::json::parse(job->body)["pages_total"], 1);
  auto doc = http->Get("/v1/documents/" + std::to_string(uploads[0]["id"].get<int>()));
  ASSERT_EQ(doc->status, 200);
  const std::string read = nlohmann::json::parse(doc->body)["text"].get<std::string>();
  // (The accuracy bar is measured over full pages in ocr_slow_test; a two-line notice is too
  // short for it: one misread word is 3%.)
  EXPECT_GE(ingest::test::CharAccuracy(text, read), 0.9) << read;
}

// A long scan does not hold up searches: while the upload is still being read (status
// "indexing", pages not all done), a search is answered, and the scan is still being read
// when the answer is back.
TEST(ScansAndHwpTest, SearchesAnswerWhileAScanIsRead) {
  testing::TempDir dir;
  const auto paragraphs = ingest::test::CorpusPassages("korquad-dev", 4, 250, 450);
  ASSERT_EQ(paragraphs.size(), 4u);
  std::vector<std::vector<testing::DocItem>> pages;
  for (const std::string& p : paragraphs) {
    pages.push_back({{testing::DocItem::Kind::kParagraph, 1, p, {}}});
  }
  auto jpegs = testing::ScanPages("long scan", pages);
  ASSERT_TRUE(jpegs.ok()) << jpegs.status().ToString();
  ASSERT_TRUE(testing::WriteImagePdf(dir.path() / "long.pdf", *jpegs).ok());
  testing::ServerProcess server((dir.path() / "data").string());
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  httplib::MultipartFormDataItems notes = {
      {"file", "# Leave\n\nEvery employee receives 15 days of annual leave.\n", "leave.md",
       "text/markdown"}};
  ASSERT_EQ(http->Post("/v1/documents?wait=true", notes)->status, 200);
  httplib::MultipartFormDataItems scan = {
      {"file", testing::ReadFileOrEmpty(dir.path() / "long.pdf"), "long.pdf", "application/pdf"}};
  auto up = http->Post("/v1/documents", scan);
  ASSERT_EQ(up->status, 202) << up->body;
  const std::string job =
      "/v1/uploads/" +
      std::to_string(nlohmann::json::parse(up->body)["uploads"][0]["job"].get<int>());
  // Until OCR has started on the scan (the first page read: the job reports its pages).
  nlohmann::json state;
  do {
    auto r = http->Get(job);
    ASSERT_EQ(r->status, 200);
    state = nlohmann::json::parse(r->body);
    ASSERT_NE(state["status"], "failed") << state;
    ASSERT_NE(state["status"], "ready") << "the scan was read before a search could be made";
  } while (!state.contains("pages_total"));
  auto search =
      http->Post("/v1/search", R"({"query": "annual leave", "k": 3})", "application/json");
  ASSERT_EQ(search->status, 200) << search->body;
  EXPECT_EQ(nlohmann::json::parse(search->body)["results"].size(), 1u);
  auto after = nlohmann::json::parse(http->Get(job)->body);
  EXPECT_EQ(after["status"], "indexing") << after;
  EXPECT_LT(after["pages_done"].get<int>(), 4) << after;
}

}  // namespace
}  // namespace docent
