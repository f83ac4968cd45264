// `docent COMMAND --help` for every command, against flag lists written out here by hand from
// each command's parser, so a flag dropped from cli/usage.cc's table fails a test; and the
// listing tables lining up by display width when titles are Korean.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "docent/cli/table.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using testing::RunDocent;

// Every command and the flags its parser accepts, as the cmd_*.cc files declared them when this
// test was written (serve: cmd_serve.cc's list plus --answer-cache-mb and --audit-log; ask:
// --answer-cache-mb, which cmd_ask.cc reads).
const std::map<std::string, std::vector<std::string>>& ExpectedFlags() {
  static const auto* flags = new std::map<std::string, std::vector<std::string>>{
      {"add", {"--data", "--batch-files", "--ocr", "--ocr-threads", "--workspace", "--quiet"}},
      {"search", {"--data", "-k", "--workspace", "--json"}},
      {"ask",
       {"--data", "-k", "--model", "--threads", "--max-tokens", "--workspace", "--json",
        "--answer-cache-mb"}},
      {"docs", {"--data", "--workspace", "--json"}},
      {"eval", {"--data", "--max-queries", "--misses", "--workspace", "--json"}},
      {"serve",
       {"--data",
        "--host",
        "--port",
        "--max-upload-mb",
        "--max-json-kb",
        "--queue",
        "--model",
        "--slots",
        "--threads",
        "--context",
        "--gen-queue",
        "--gen-queue-per-client",
        "--request-timeout",
        "--prefix-cache-mb",
        "--api-key-file",
        "--context-cache",
        "--kv-store-mb",
        "--kv-type",
        "--ocr",
        "--ocr-threads",
        "--answer-cache-mb",
        "--audit-log"}},
      {"warm",
       {"--data", "--model", "--kv-store-mb", "--threads", "--kernels", "--context", "--kv-type"}},
      {"generate",
       {"-m", "--model", "-p", "--prompt", "-n", "--temp", "--seed", "--top-k", "--top-p",
        "--min-p", "--repeat-penalty", "--threads", "--kernels", "--chat"}},
      {"bench",
       {"-m", "--model", "--threads", "-p", "-n", "--reps", "--kernels", "--parallel", "--json"}},
      {"kv-fidelity",
       {"-m", "--contexts", "--seed", "--recompute", "--threads", "--kernels", "--json",
        "--sweep"}},
      {"synth-model",
       {"--shape", "--type", "-o", "--seed", "--vocab", "--threads", "--logit-scale", "--list"}},
      {"workspaces", {"--data", "--json"}},
  };
  return *flags;
}

// Terminal columns, computed apart from util::DisplayWidth: two for a Hangul syllable or a
// Hangul Jamo, one for anything else (the titles below hold nothing wider or narrower).
size_t Columns(const std::string& s) {
  size_t columns = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char lead = static_cast<unsigned char>(s[i]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? lead : len == 2 ? lead & 0x1F : len == 3 ? lead & 0x0F : lead & 0x07;
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    const bool wide = (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF);
    columns += wide ? 2 : 1;
    i += len;
  }
  return columns;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

TEST(CliHelpTest, EveryCommandPrintsItsUsageAndEveryFlag) {
  for (const auto& [command, flags] : ExpectedFlags()) {
    SCOPED_TRACE(command);
    for (const char* help : {"--help", "-h"}) {
      auto r = RunDocent({command, help});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(r.err.empty()) << r.err;
      EXPECT_EQ(r.out.rfind("usage: docent " + command + " ", 0), 0u) << r.out;
      for (const std::string& flag : flags) {
        // Each flag opens an option line: "  --data DIR  ..." or "  --json  ...".
        EXPECT_NE(r.out.find("\n  " + flag + " "), std::string::npos)
            << flag << " is missing from:\n"
            << r.out;
      }
    }
  }
}

TEST(CliHelpTest, HelpAnywhereBeforeDoubleDashWins) {
  auto r = RunDocent({"serve", "--port", "0", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("usage: docent serve", 0), 0u) << r.out;
  // After "--" it is an argument: search runs, and wants exactly one query.
  testing::TempDir dir;
  auto after = RunDocent({"search", "--data", (dir / "data").string(), "x", "--", "--help"});
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_EQ(after.out.find("usage: docent search"), std::string::npos) << after.out;
  EXPECT_NE(after.err.find("search needs one quoted query"), std::string::npos) << after.err;
  // `docent help COMMAND` is the same help.
  auto help = RunDocent({"help", "docs"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, RunDocent({"docs", "--help"}).out);
}

TEST(CliHelpTest, UnknownFlagIsStillExitTwoNamingIt) {
  auto r = RunDocent({"search", "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliHelpTest, GeneralUsageListsEveryCommand) {
  auto help = RunDocent({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const auto& entry : ExpectedFlags()) {
    EXPECT_NE(help.out.find("\n  " + entry.first + " "), std::string::npos)
        << entry.first << " is missing from:\n"
        << help.out;
  }
  EXPECT_EQ(RunDocent({"help"}).out, help.out);
  auto bare = RunDocent({});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_EQ(bare.err, help.out);
  EXPECT_TRUE(bare.out.empty());
  auto version = RunDocent({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("docent ", 0), 0u) << version.out;
  auto unknown = RunDocent({"frobnicate", "--help"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos) << unknown.err;
}

TEST(CliHelpTest, DocsLsColumnsLineUpWithKoreanTitles) {
  testing::TempDir dir;
  dir.Write("docs/leave.md", "# 연차 휴가 규정\n\n연차 휴가는 입사 1년 후 15일이 주어진다.\n");
  dir.Write("docs/travel.md",
            "# Travel policy\n\nBook economy class for flights under six hours.\n");
  // 28 syllables and 11 spaces: 67 columns, so the 40-column TITLE cuts it.
  dir.Write("docs/long.md",
            "# 연차 휴가 및 병가 사용에 관한 세부 규정과 절차 안내서 개정판 제이판\n\n"
            "병가는 연 10일까지 쓸 수 있다.\n");
  const std::string data = (dir / "data").string();
  auto add = RunDocent({"add", "--data", data, (dir / "docs").string()});
  ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  auto ls = RunDocent({"docs", "ls", "--data", data});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  const std::vector<std::string> lines = Lines(ls.out);
  ASSERT_EQ(lines.size(), 4u) << ls.out;
  EXPECT_NE(ls.out.find("연차 휴가 규정"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("Travel policy"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("…"), std::string::npos) << "the long title is cut:\n" << ls.out;

  // Where SIZE ends: after the header's "SIZE", after each row's "123 B" / "1.2 KB".
  const size_t header_end = lines[0].find("SIZE");
  ASSERT_NE(header_end, std::string::npos) << lines[0];
  const size_t size_column_end = Columns(lines[0].substr(0, header_end + 4));
  const std::regex size_cell(R"(\d+(\.\d)? (B|KB|MB)  )");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(lines[i], m, size_cell)) << lines[i];
    const size_t end = static_cast<size_t>(m.position(0) + m.length(0)) - 2;
    EXPECT_EQ(Columns(lines[i].substr(0, end)), size_column_end) << ls.out;
  }
  for (const std::string& line : lines) {
    EXPECT_NE(line.back(), ' ') << "no trailing spaces: '" << line << "'";
  }
}

// cli::Table directly (the command line has no test binary of its own).
TEST(CliTableTest, AlignsByDisplayWidthAndCutsWithAnEllipsis) {
  cli::Table table({{"N", -3}, {"NAME", 6}, {"X", 2}});
  table.Row({"7", "한글", "a"});
  table.Row({"12", "abcdefgh", ""});
  table.Row({"1234", "e\u0301", "bc"});
  EXPECT_EQ(table.Text(),
            "  N  NAME    X\n"
            "  7  한글    a\n"
            " 12  abcde…\n"
            "12…  e\u0301       bc\n");
}

TEST(CliTableTest, FormatsSizesAndDates) {
  EXPECT_EQ(cli::FormatSize(0), "0 B");
  EXPECT_EQ(cli::FormatSize(1023), "1023 B");
  EXPECT_EQ(cli::FormatSize(1536), "1.5 KB");
  EXPECT_EQ(cli::FormatSize(3 << 20), "3.0 MB");
  EXPECT_EQ(cli::FormatDate(0), "1970-01-01 00:00");
  EXPECT_EQ(cli::FormatDate(86400 + 3600 + 60), "1970-01-02 01:01");
}

}  // namespace
}  // namespace docent
