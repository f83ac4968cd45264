// XLSX (SpreadsheetML): sheets in workbook order, each opened by a level-2 heading with the
// sheet's name, then one kTableRow per non-empty row labelled by the sheet's first
// non-empty row ("Name: Kim | Joined: 2024-03-01"), with `sheet` set. Cells: shared and
// inline strings, numbers without binary noise (0.1+0.2 shows as 0.3), booleans, formula
// results, and dates turned from serial numbers to ISO dates by the cell's number format.
// Title: docProps/core.xml, else the file stem (sheet names like "Sheet1" make poor titles).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/xml_util.h"
#include "docent/ingest/zip_archive.h"

namespace docent::ingest {
namespace {

constexpr int kSheetHeadingLevel = 2;
constexpr size_t kMaxColumns = 16384;  // Excel's own limit (XFD)

// Text of a shared or inline string: its runs, without phonetic guides (rPh).
std::string StringItemText(const pugi::xml_node& si) {
  std::string text;
  Walk(si, [&](const pugi::xml_node& n) {
    if (Is(n, "t")) text += n.child_value();
    return n.type() == pugi::node_element && !Is(n, "t") && !Is(n, "rPh");
  });
  return text;
}

// Whether a number format shows a date (and a time). Built-in ids per ECMA-376 18.8.30 plus
// the East Asian date ids Korean Excel uses; custom codes by their y/d/h/s letters outside
// quoted text, [colour]/[locale] sections and escapes.
struct DateKind {
  bool date = false;
  bool time = false;
};

DateKind FormatKind(int id, std::string_view code) {
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 58)) {
    return {true, false};
  }
  if (id == 22) return {true, true};
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47)) {
    return {false, true};
  }
  DateKind kind;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      i = code.find('"', i + 1);
      if (i == std::string_view::npos) break;
    } else if (c == '[') {
      i = code.find(']', i + 1);
      if (i == std::string_view::npos) break;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
      kind.date = true;
    } else if (c == 'h' || c == 'H' || c == 's' || c == 'S') {
      kind.time = true;
    }
  }
  return kind;
}

// Serial day number to "YYYY-MM-DD[ HH:MM[:SS]]" (days-from-civil inverted, H. Hinnant).
std::string SerialToIso(double serial, bool date1904, DateKind kind) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958465) return {};  // past 9999-12-31
  double whole = std::floor(serial);
  int64_t seconds = std::llround((serial - whole) * 86400.0);
  if (seconds >= 86400) {
    whole += 1;
    seconds -= 86400;
  }
  // 1900 system: serial 1 is 1900-01-01, and Lotus's phantom 1900-02-29 (serial 60) shifts
  // everything after it by one. Days are counted from 1970-01-01 below.
  int64_t days = static_cast<int64_t>(whole);
  days += date1904 ? -24107 : (days < 60 ? -25568 : -25569);
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[96];
  std::string out;
  if (kind.date) {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d));
    out = buf;
  }
  if (kind.time && (seconds > 0 || !kind.date)) {
    std::snprintf(buf, sizeof buf, seconds % 60 ? "%02lld:%02lld:%02lld" : "%02lld:%02lld",
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60));
    out += out.empty() ? buf : std::string(" ") + buf;
  }
  return out;
}

std::string FormatNumber(std::string_view v) {
  const std::string s(v);
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(x)) return s;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

// "BC12" -> 54 (0-based); nullopt when the reference has no column letters.
std::optional<size_t> ColumnOf(std::string_view ref) {
  size_t col = 0, letters = 0;
  for (char c : ref) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<size_t>(c - 'A' + 1);
    if (++letters > 3) return std::nullopt;
  }
  if (letters == 0) return std::nullopt;
  return col - 1;
}

struct Workbook {
  std::vector<std::string> shared;
  std::vector<DateKind> xf_kinds;  // per cell style index (the s attribute)
  bool date1904 = false;
};

std::string CellText(const pugi::xml_node& c, const Workbook& wb) {
  const std::string_view type = Attr(c, "t");
  const char* v = Child(c, "v").child_value();
  if (type == "s") {
    const size_t i = static_cast<size_t>(std::strtoull(v, nullptr, 10));
    return i < wb.shared.size() ? wb.shared[i] : std::string();
  }
  if (type == "inlineStr") return StringItemText(Child(c, "is"));
  if (type == "str") return v;
  if (type == "b") return std::string_view(v) == "1" ? "TRUE" : "FALSE";
  if (type == "e" || *v == '\0') return {};  // #DIV/0! and friends say nothing
  const size_t style =
      static_cast<size_t>(std::strtoull(std::string(Attr(c, "s")).c_str(), nullptr, 10));
  if (style < wb.xf_kinds.size() && (wb.xf_kinds[style].date || wb.xf_kinds[style].time)) {
    std::string iso = SerialToIso(std::strtod(v, nullptr), wb.date1904, wb.xf_kinds[style]);
    if (!iso.empty()) return iso;
  }
  return FormatNumber(v);
}

// Rows are kept sparse, as (column, text) pairs: a hostile sheet with one cell in column XFD
// on every row must not cost 16384 strings per row.
using SparseRow = std::map<size_t, std::string>;

// The row's cells labelled by the header cells of the same columns.
std::string RowText(const SparseRow& row, const SparseRow* header) {
  std::vector<std::string> cells, labels;
  for (const auto& [col, text] : row) {
    cells.push_back(text);
    if (header != nullptr) {
      auto it = header->find(col);
      labels.push_back(it == header->end() ? std::string() : it->second);
    }
  }
  return TableRowText(cells, header != nullptr ? &labels : nullptr);
}

void ReadSheet(const pugi::xml_node& worksheet, const std::string& name, const Workbook& wb,
               ExtractedDocument& doc) {
  Block proto;
  proto.sheet = name;
  SparseRow header;
  size_t rows = 0;
  for (pugi::xml_node row = Child(worksheet, "sheetData").first_child(); row;
       row = row.next_sibling()) {
    if (!Is(row, "row")) continue;
    SparseRow cells;
    size_t next = 0;
    for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
      if (!Is(c, "c")) continue;
      const size_t col = ColumnOf(Attr(c, "r")).value_or(next);
      next = col + 1;
      if (col >= kMaxColumns) continue;
      std::string text = CollapseSpaces(CellText(c, wb));
      if (!text.empty()) cells[col] = std::move(text);
    }
    if (cells.empty()) continue;
    if (++rows == 1) {
      AddHeading(doc, kSheetHeadingLevel, name, proto);
      header = std::move(cells);
      continue;
    }
    AddBlock(doc, BlockKind::kTableRow, 0, RowText(cells, &header), proto);
  }
  // A sheet of one row: the row is all it says.
  if (rows == 1) AddBlock(doc, BlockKind::kTableRow, 0, RowText(header, nullptr), proto);
}

}  // namespace

Result<ExtractedDocument> ExtractXlsx(const ExtractInput& in) {
  DOCENT_ASSIGN_OR_RETURN(auto zip, ZipArchive::Open(in.bytes, in.limits));
  const std::string main = MainPartPath(*zip, "xl/workbook.xml");
  if (!zip->Has(main)) return Corrupt("not an Excel workbook (" + main + " is missing)");
  DOCENT_ASSIGN_OR_RETURN(XmlDoc workbook_xml, ReadXml(*zip, main));
  DOCENT_ASSIGN_OR_RETURN(auto rels, ReadRelationships(*zip, main));
  auto part = [&](std::string_view type, std::string_view fallback) {
    for (const auto& [id, rel] : rels) {
      if (rel.type == type) return rel.target;
    }
    return std::string(fallback);
  };
  const pugi::xml_node root = workbook_xml->document_element();
  Workbook wb;
  const std::string_view d1904 = Attr(Child(root, "workbookPr"), "date1904");
  wb.date1904 = d1904 == "1" || d1904 == "true";

  DOCENT_ASSIGN_OR_RETURN(XmlDoc strings,
                          ReadXmlIfPresent(*zip, part("sharedStrings", "xl/sharedStrings.xml")));
  if (strings) {
    for (pugi::xml_node si = strings->document_element().first_child(); si;
         si = si.next_sibling()) {
      if (Is(si, "si")) wb.shared.push_back(StringItemText(si));
    }
  }
  DOCENT_ASSIGN_OR_RETURN(XmlDoc styles, ReadXmlIfPresent(*zip, part("styles", "xl/styles.xml")));
  if (styles) {
    std::map<int, std::string> codes;
    for (pugi::xml_node f : Child(styles->document_element(), "numFmts").children()) {
      codes[std::atoi(std::string(Attr(f, "numFmtId")).c_str())] = Attr(f, "formatCode");
    }
    for (pugi::xml_node xf : Child(styles->document_element(), "cellXfs").children()) {
      if (!Is(xf, "xf")) continue;
      const int id = std::atoi(std::string(Attr(xf, "numFmtId")).c_str());
      wb.xf_kinds.push_back(FormatKind(id, codes.count(id) ? codes[id] : std::string()));
    }
  }

  ExtractedDocument doc;
  for (pugi::xml_node sheet : Child(root, "sheets").children()) {
    if (!Is(sheet, "sheet")) continue;
    const std::string name = CollapseSpaces(Attr(sheet, "name"));
    auto rel = rels.find(std::string(PrefixedAttr(sheet, "id")));
    if (rel == rels.end() || rel->second.type != "worksheet") continue;  // chart sheets
    if (!zip->Has(rel->second.target)) {
      doc.warnings.push_back("sheet \"" + name + "\" is missing (" + rel->second.target + ")");
      continue;
    }
    DOCENT_ASSIGN_OR_RETURN(XmlDoc ws, ReadXml(*zip, rel->second.target));
    ReadSheet(ws->document_element(), name, wb, doc);
  }
  doc.title = ReadCoreTitle(*zip, doc.warnings);
  if (doc.title.empty()) doc.title = FileStem(in.file_name);
  return doc;
}

}  // namespace docent::ingest
