// make_examples: writes the examples/ corpus, a fictional company's bilingual documents in
// every format docent ingests, from the sources in tools/examples/*.inc.
//
// Usage: make_examples OUTDIR   (the repository keeps its output in examples/)
//
// Sources use a small line format, one element per line:
//   title: T          the document title (metadata where the format has it)
//   # .. ######       headings, level 1-6
//   | a | b |         a table row; consecutive rows form one table
//   ---page---        a page break (PDF)
//   - text            a bullet (a slide bullet in a deck; a paragraph elsewhere)
//   > text            a speaker note line (decks only)
//   anything else     a paragraph
// In workbooks each "## name" starts a sheet. Output is deterministic, so regenerating over
// an unchanged tree leaves the files byte for byte the same.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/doc_writers.h"

namespace {

using docent::Status;
using docent::testing::DocItem;
using docent::testing::DocModel;
using docent::testing::Sheet;
using docent::testing::Slide;

constexpr char kHandbookEn[] =
#include "examples/handbook_en.inc"
    ;
constexpr char kVisitorAccessKo[] =
#include "examples/visitor_access_ko.inc"
    ;
constexpr char kLeavePolicyKo[] =
#include "examples/leave_policy_ko.inc"
    ;
constexpr char kExpensePolicyEn[] =
#include "examples/expense_policy_en.inc"
    ;
constexpr char kExpensePolicyKo[] =
#include "examples/expense_policy_ko.inc"
    ;
constexpr char kExpenseLimits[] =
#include "examples/expense_limits.inc"
    ;
constexpr char kItSecurityEn[] =
#include "examples/it_security_en.inc"
    ;
constexpr char kItSecurityKo[] =
#include "examples/it_security_ko.inc"
    ;
constexpr char kOnboardingFaqKo[] =
#include "examples/onboarding_faq_ko.inc"
    ;
constexpr char kOnboardingFaqEn[] =
#include "examples/onboarding_faq_en.inc"
    ;
constexpr char kHb200TrainingEn[] =
#include "examples/hb200_training_en.inc"
    ;
constexpr char kHb200ManualKo[] =
#include "examples/hb200_manual_ko.inc"
    ;
constexpr char kHb200ErrorCodes[] =
#include "examples/hb200_error_codes.inc"
    ;

constexpr char kReadme[] =
    "# Example documents\n\n"
    "Everything in this folder is fictional: Hanbit Robotics (한빛로보틱스), its people, "
    "policies, e-mail addresses and the HB-200 robot are invented for docent's demos and "
    "tests, in Korean and English and in every format docent reads (md, txt, html, docx, "
    "pptx, xlsx, hwpx, pdf, and a scanned PDF that only OCR reads: "
    "visitor-access-ko-scan.pdf). The files are generated from the sources in `tools/examples/` by "
    "`tools/make_examples.cc`; regenerate them with `make examples` (which runs "
    "`build/tools/make_examples examples`). The questions in `tests/data/rag/` are answered, "
    "or deliberately not answered, by these documents.\n";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// "| a | b |" -> {"a", "b"}.
std::vector<std::string> Cells(std::string_view row) {
  row = Trim(row);
  if (!row.empty() && row.front() == '|') row.remove_prefix(1);
  if (!row.empty() && row.back() == '|') row.remove_suffix(1);
  std::vector<std::string> cells;
  while (true) {
    const size_t bar = row.find('|');
    cells.emplace_back(Trim(row.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    row.remove_prefix(bar + 1);
  }
  return cells;
}

// Heading level of a "## text" line, or 0 when the line is not a heading.
int HeadingLevel(std::string_view line) {
  size_t level = 0;
  while (level < line.size() && line[level] == '#') ++level;
  return level >= 1 && level <= 6 && level < line.size() && line[level] == ' '
             ? static_cast<int>(level)
             : 0;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A parsed source: its title and its items, cut into pages at "---page---".
struct Source {
  std::string title;
  std::vector<std::vector<DocItem>> pages{1};

  DocModel Model() const {
    DocModel doc{title, {}};
    for (const auto& page : pages) doc.items.insert(doc.items.end(), page.begin(), page.end());
    return doc;
  }
};

Source Parse(std::string_view text) {
  Source source;
  for (const std::string_view line : Lines(text)) {
    std::vector<DocItem>& items = source.pages.back();
    if (StartsWith(line, "title: ")) {
      source.title = std::string(line.substr(7));
    } else if (line == "---page---") {
      source.pages.emplace_back();
    } else if (const int level = HeadingLevel(line); level > 0) {
      items.push_back({DocItem::Kind::kHeading, level, std::string(Trim(line.substr(level))), {}});
    } else if (line.front() == '|') {
      if (items.empty() || items.back().kind != DocItem::Kind::kTable) {
        items.push_back({DocItem::Kind::kTable, 1, "", {}});
      }
      items.back().rows.push_back(Cells(line));
    } else {
      items.push_back({DocItem::Kind::kParagraph, 1, std::string(line), {}});
    }
  }
  return source;
}

// A deck: "# title" starts a slide, "- " lines are bullets, "> " lines notes.
std::vector<Slide> ParseSlides(std::string_view text) {
  std::vector<Slide> slides;
  for (const std::string_view line : Lines(text)) {
    if (StartsWith(line, "title: ")) continue;
    if (HeadingLevel(line) == 1) {
      slides.push_back({std::string(line.substr(2)), {}, ""});
    } else if (slides.empty()) {
      continue;
    } else if (StartsWith(line, "> ")) {
      std::string& notes = slides.back().notes;
      if (!notes.empty()) notes += '\n';
      notes += line.substr(2);
    } else {
      slides.back().bullets.emplace_back(StartsWith(line, "- ") ? line.substr(2) : line);
    }
  }
  return slides;
}

// A workbook: "## name" starts a sheet, table rows fill it.
std::vector<Sheet> ParseSheets(std::string_view text) {
  std::vector<Sheet> sheets;
  for (const std::string_view line : Lines(text)) {
    if (HeadingLevel(line) == 2) {
      sheets.push_back({std::string(line.substr(3)), {}});
    } else if (!sheets.empty() && line.front() == '|') {
      sheets.back().rows.push_back(Cells(line));
    }
  }
  return sheets;
}

// A scanned copy: the pages as WritePdf lays them out, scanned (200 dpi, turned, noisy, JPEG),
// in a PDF with no text layer.
Status WriteScan(const std::filesystem::path& path, const Source& source) {
  DOCENT_ASSIGN_OR_RETURN(auto jpegs, docent::testing::ScanPages(source.title, source.pages));
  return docent::testing::WriteImagePdf(path, jpegs);
}

struct Output {
  const char* file;
  const char* language;
  Status status;
};

std::vector<Output> WriteAll(const std::filesystem::path& dir) {
  namespace t = docent::testing;
  const Source handbook = Parse(kHandbookEn);
  const Source it_en = Parse(kItSecurityEn);
  const Source manual_ko = Parse(kHb200ManualKo);
  return {
      {"employee-handbook-en.md", "en",
       t::WriteMarkdown(dir / "employee-handbook-en.md", handbook.Model())},
      {"leave-policy-ko.hwpx", "ko",
       t::WriteHwpx(dir / "leave-policy-ko.hwpx", Parse(kLeavePolicyKo).Model())},
      {"expense-policy-en.docx", "en",
       t::WriteDocx(dir / "expense-policy-en.docx", Parse(kExpensePolicyEn).Model())},
      {"expense-policy-ko.docx", "ko",
       t::WriteDocx(dir / "expense-policy-ko.docx", Parse(kExpensePolicyKo).Model())},
      {"expense-limits.xlsx", "en+ko",
       t::WriteXlsx(dir / "expense-limits.xlsx", ParseSheets(kExpenseLimits),
                    Parse(kExpenseLimits).title)},
      {"it-security-en.pdf", "en",
       t::WritePdf(dir / "it-security-en.pdf", it_en.title, it_en.pages)},
      {"it-security-ko.hwpx", "ko",
       t::WriteHwpx(dir / "it-security-ko.hwpx", Parse(kItSecurityKo).Model())},
      {"onboarding-faq-ko.html", "ko",
       t::WriteHtml(dir / "onboarding-faq-ko.html", Parse(kOnboardingFaqKo).Model())},
      {"onboarding-faq-en.txt", "en",
       t::WriteTextFile(dir / "onboarding-faq-en.txt", kOnboardingFaqEn)},
      {"hb-200-training-en.pptx", "en",
       t::WritePptx(dir / "hb-200-training-en.pptx", Parse(kHb200TrainingEn).title,
                    ParseSlides(kHb200TrainingEn))},
      {"hb-200-manual-ko.pdf", "ko",
       t::WritePdf(dir / "hb-200-manual-ko.pdf", manual_ko.title, manual_ko.pages)},
      {"hb-200-error-codes.xlsx", "en+ko",
       t::WriteXlsx(dir / "hb-200-error-codes.xlsx", ParseSheets(kHb200ErrorCodes),
                    Parse(kHb200ErrorCodes).title)},
      {"visitor-access-ko-scan.pdf", "ko",
       WriteScan(dir / "visitor-access-ko-scan.pdf", Parse(kVisitorAccessKo))},
      {"README.md", "en", t::WriteTextFile(dir / "README.md", kReadme)},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::fprintf(stderr, "%s: %s\n", dir.c_str(), error.message().c_str());
    return 1;
  }
  int failures = 0;
  for (const Output& out : WriteAll(dir)) {
    if (!out.status.ok()) {
      std::fprintf(stderr, "%s: %s\n", out.file, out.status.ToString().c_str());
      ++failures;
      continue;
    }
    const auto size = std::filesystem::file_size(dir / out.file, error);
    std::printf("%-26s %-6s %8ju bytes\n", out.file, out.language,
                static_cast<uintmax_t>(error ? 0 : size));
  }
  return failures == 0 ? 0 : 1;
}
