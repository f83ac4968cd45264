// Drives the real docent binary: add, docs, search, ask and their error paths.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using testing::RunDocent;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = (dir_ / "data").string();
    dir_.Write(
        "docs/leave.md",
        "# Leave policy\n\n## Annual leave\n\nEvery employee receives 15 days of annual "
        "leave per year. Unused days may be carried over until March 31.\n\n## Sick leave\n\n"
        "Sick leave of more than three days requires a doctor's note.\n");
    dir_.Write("docs/휴가.txt",
               "연차 휴가는 입사 1년 후 15일이 주어진다. 병가는 연 10일까지 쓸 수 있다.\n");
    dir_.Write("docs/notes.xyz", "not a document type");
    dir_.Write("docs/broken.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage");
  }

  testing::RunResult Docent(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(data_);
    return RunDocent(args);
  }

  testing::TempDir dir_;
  std::string data_;
};

TEST_F(CliTest, AddReportsOneLinePerFileAndGoesOnAfterBadOnes) {
  auto r = Docent({"add", (dir_ / "docs").string()});
  EXPECT_EQ(r.exit_code, 1) << "a failed file makes the batch exit non-zero";
  EXPECT_NE(r.out.find("added " + (dir_ / "docs/leave.md").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("added " + (dir_ / "docs/휴가.txt").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("skip " + (dir_ / "docs/notes.xyz").string() + ": "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed " + (dir_ / "docs/broken.pdf").string() + ": "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 added"), std::string::npos) << r.out;

  auto again = Docent({"add", (dir_ / "docs/leave.md").string()});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;

  auto ls = Docent({"docs", "ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto docs = nlohmann::json::parse(ls.out);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0]["title"], "Leave policy");
  EXPECT_EQ(docs[0]["format"], "md");
  EXPECT_GE(docs[0]["chunks"].get<int>(), 1);
}

TEST_F(CliTest, SearchAndAskAreDeterministicAndCited) {
  ASSERT_NE(Docent({"add", (dir_ / "docs").string()}).exit_code, 2);
  auto s = Docent({"search", "sick leave doctor", "-k", "3", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto sj = nlohmann::json::parse(s.out);
  ASSERT_FALSE(sj["results"].empty());
  EXPECT_EQ(sj["results"][0]["title"], "Leave policy");
  // The small document is one chunk; its location is the heading path where it starts.
  EXPECT_EQ(sj["results"][0]["location"], "Leave policy > Annual leave");
  EXPECT_NE(sj["results"][0]["text"].get<std::string>().find("doctor's note"), std::string::npos);

  auto a1 = Docent({"ask", "Does sick leave need a doctor's note?", "--json"});
  auto a2 = Docent({"ask", "Does sick leave need a doctor's note?", "--json"});
  ASSERT_EQ(a1.exit_code, 0) << a1.err;
  EXPECT_EQ(a1.out, a2.out) << "the same question must give a byte-identical answer";
  auto aj = nlohmann::json::parse(a1.out);
  EXPECT_TRUE(aj["found"].get<bool>());
  EXPECT_NE(aj["answer"].get<std::string>().find("doctor's note"), std::string::npos) << a1.out;
  EXPECT_NE(aj["answer"].get<std::string>().find("[1]"), std::string::npos);
  ASSERT_FALSE(aj["citations"].empty());
  EXPECT_EQ(aj["citations"][0]["title"], "Leave policy");

  auto ko = Docent({"ask", "병가는 며칠까지 쓸 수 있나요?", "--json"});
  auto kj = nlohmann::json::parse(ko.out);
  EXPECT_TRUE(kj["found"].get<bool>()) << ko.out;
  EXPECT_NE(kj["answer"].get<std::string>().find("10일"), std::string::npos) << ko.out;

  auto none = Docent({"ask", "What is the parking fee at the headquarters garage?", "--json"});
  auto nj = nlohmann::json::parse(none.out);
  EXPECT_FALSE(nj["found"].get<bool>()) << none.out;
  EXPECT_TRUE(nj["citations"].empty());
}

TEST_F(CliTest, RemoveByPathAndById) {
  ASSERT_NE(Docent({"add", (dir_ / "docs").string()}).exit_code, 2);
  auto rm = Docent({"docs", "rm", (dir_ / "docs/leave.md").string()});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  auto s = Docent({"search", "annual leave", "--json"});
  auto sj = nlohmann::json::parse(s.out);
  for (const auto& r : sj["results"]) EXPECT_NE(r["title"], "Leave policy");
  auto missing = Docent({"docs", "rm", "9999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("9999"), std::string::npos) << missing.err;
}

TEST_F(CliTest, BadUsageIsExitTwoWithAMessage) {
  auto r = Docent({"search"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("search needs"), std::string::npos);
  auto k = Docent({"search", "x", "-k", "lots"});
  EXPECT_EQ(k.exit_code, 2);
  EXPECT_NE(k.err.find("-k"), std::string::npos);
  auto unknown = RunDocent({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
}

}  // namespace
}  // namespace docent
