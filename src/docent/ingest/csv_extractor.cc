// CSV (RFC 4180) and TSV: quoted fields may hold delimiters, doubled quotes and line breaks.
// The first non-empty row is the header; every other row becomes one kTableRow labelled by
// it ("Name: Kim | Team: Sales"), so a row cited alone still says what its values are.
// Tolerant where real exports break the RFC: a stray quote inside an unquoted field is
// text, and an unterminated quoted field runs to the end with a warning.
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/text_decoding.h"

namespace docent::ingest {
namespace {

// European Excel writes ';' where the decimal separator is ','; the header line tells.
char SniffDelimiter(std::string_view text) {
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas) return '\t';
  return ',';
}

class CsvReader {
 public:
  CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {}

  // Reads the next record into `fields`; false at the end of input.
  bool Next(std::vector<std::string>& fields) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    std::string field;
    bool quoted = false;      // inside a quoted section
    bool was_quoted = false;  // the field began with a quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c != '"') {
          field += c;
        } else if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
        }
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == delimiter_) {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\n') {
        break;
      } else {
        field += c;
      }
    }
    if (quoted) unterminated_ = true;
    fields.push_back(std::move(field));
    return true;
  }

  bool unterminated() const { return unterminated_; }

 private:
  std::string_view text_;
  char delimiter_;
  size_t pos_ = 0;
  bool unterminated_ = false;
};

bool AllEmpty(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    if (!Trim(f).empty()) return false;
  }
  return true;
}

}  // namespace

Result<ExtractedDocument> ExtractCsv(const ExtractInput& in, char delimiter) {
  DOCENT_ASSIGN_OR_RETURN(DecodedText decoded, DecodeText(in.bytes));
  ExtractedDocument doc;
  doc.warnings = std::move(decoded.warnings);
  if (delimiter == ',') delimiter = SniffDelimiter(decoded.text);
  CsvReader reader(decoded.text, delimiter);
  std::vector<std::string> header;
  std::vector<std::string> fields;
  size_t rows = 0;
  while (reader.Next(fields)) {
    if (AllEmpty(fields)) continue;
    for (std::string& f : fields) f = CollapseSpaces(f);
    ++rows;
    if (header.empty()) {
      header = fields;
      continue;
    }
    AddBlock(doc, BlockKind::kTableRow, 0, TableRowText(fields, &header));
  }
  // A header with no rows under it is all the file says.
  if (rows == 1) AddBlock(doc, BlockKind::kTableRow, 0, TableRowText(header));
  if (reader.unterminated()) {
    doc.warnings.push_back("unterminated quoted field at the end of the file");
  }
  return doc;
}

}  // namespace docent::ingest
