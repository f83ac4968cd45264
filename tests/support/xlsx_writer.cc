// WriteXlsx: a SpreadsheetML package (ECMA-376) with shared strings, real numeric cells and a
// bold first row, as Excel and LibreOffice Calc save it.
#include <algorithm>
#include <map>
#include <string>

#include "support/doc_writers.h"

namespace docent::testing {
namespace {

constexpr char kXmlHeader[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr char kSheetNs[] = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr char kRelNs[] = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr size_t kMaxSheetNameChars = 31;  // Excel refuses longer sheet names

// A cell is numeric only in canonical decimal form ("42", "-3.5", "0.25"), so writing it as
// a number loses nothing: "007", "1.50", "1e3", "v2.3" and "E01" stay text.
bool IsCanonicalNumber(const std::string& s) {
  size_t i = s.empty() || s[0] != '-' ? 0 : 1;
  const size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const size_t int_digits = i - int_start;
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return false;
  size_t digits = int_digits;
  if (i < s.size() && s[i] == '.') {
    const size_t frac_start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == frac_start || s[i - 1] == '0') return false;
    digits += i - frac_start;
  }
  // A double holds 15 significant digits exactly; longer ids stay text.
  return i == s.size() && digits <= 15 && s != "-0";
}

std::string ColumnName(size_t index) {
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

// Display width in Excel's character units: Hangul and other wide characters count double.
double DisplayWidth(const std::string& text) {
  double width = 0;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    width += b >= 0xE0 ? 2.0 : 1.0;
  }
  return width;
}

size_t CodePoints(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

class SharedStrings {
 public:
  size_t Index(const std::string& text) {
    ++count_;
    auto [it, inserted] = index_.emplace(text, order_.size());
    if (inserted) order_.push_back(text);
    return it->second;
  }
  std::string Xml() const {
    std::string xml = std::string(kXmlHeader) + "<sst xmlns=\"" + kSheetNs + "\" count=\"" +
                      std::to_string(count_) + "\" uniqueCount=\"" + std::to_string(order_.size()) +
                      "\">";
    for (const std::string& text : order_) {
      xml += "<si><t xml:space=\"preserve\">" + XmlEscape(text) + "</t></si>";
    }
    return xml + "</sst>";
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> order_;
  size_t count_ = 0;
};

std::string Worksheet(const Sheet& sheet, SharedStrings& strings) {
  size_t columns = 0;
  for (const auto& row : sheet.rows) columns = std::max(columns, row.size());
  std::string xml =
      std::string(kXmlHeader) + "<worksheet xmlns=\"" + kSheetNs + "\" xmlns:r=\"" + kRelNs + "\">";
  if (columns > 0) {
    xml += "<dimension ref=\"A1:" + ColumnName(columns - 1) + std::to_string(sheet.rows.size()) +
           "\"/>";
  }
  xml +=
      "<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
      "<sheetFormatPr defaultRowHeight=\"15\"/>";
  if (columns > 0) {
    xml += "<cols>";
    for (size_t c = 0; c < columns; ++c) {
      double width = 8;
      for (const auto& row : sheet.rows) {
        if (c < row.size()) width = std::max(width, DisplayWidth(row[c]) + 2);
      }
      const std::string n = std::to_string(c + 1);
      xml += "<col min=\"" + n + "\" max=\"" + n + "\" width=\"" +
             std::to_string(static_cast<int>(std::min(width, 80.0))) + "\" customWidth=\"1\"/>";
    }
    xml += "</cols>";
  }
  xml += "<sheetData>";
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::string row_number = std::to_string(r + 1);
    xml += "<row r=\"" + row_number + "\">";
    for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
      const std::string& value = sheet.rows[r][c];
      if (value.empty()) continue;  // Excel writes no element for an empty cell
      const std::string style = r == 0 ? " s=\"1\"" : "";
      xml += "<c r=\"" + ColumnName(c) + row_number + "\"" + style;
      if (IsCanonicalNumber(value)) {
        xml += "><v>" + value + "</v></c>";
      } else {
        xml += " t=\"s\"><v>" + std::to_string(strings.Index(value)) + "</v></c>";
      }
    }
    xml += "</row>";
  }
  return xml +
         "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" "
         "bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>";
}

std::string Styles() {
  return std::string(kXmlHeader) + "<styleSheet xmlns=\"" + kSheetNs + "\">" +
         "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>"
         "</font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
         "</fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
         "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
         "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border>"
         "</borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
         "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\">"
         "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
         "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
         "applyFont=\"1\"/></cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" "
         "xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";
}

Status CheckSheetNames(const std::vector<Sheet>& sheets) {
  if (sheets.empty()) return InvalidArgument("xlsx: a workbook needs at least one sheet");
  std::vector<std::string> seen;
  for (const Sheet& sheet : sheets) {
    if (sheet.name.empty() || CodePoints(sheet.name) > kMaxSheetNameChars ||
        sheet.name.find_first_of("[]:*?/\\") != std::string::npos) {
      return InvalidArgument("xlsx: invalid sheet name \"" + sheet.name + "\"");
    }
    if (std::find(seen.begin(), seen.end(), sheet.name) != seen.end()) {
      return InvalidArgument("xlsx: duplicate sheet name \"" + sheet.name + "\"");
    }
    seen.push_back(sheet.name);
  }
  return Status::Ok();
}

}  // namespace

Status WriteXlsx(const std::filesystem::path& path, const std::vector<Sheet>& sheets) {
  return WriteXlsx(path, sheets, "");
}

Status WriteXlsx(const std::filesystem::path& path, const std::vector<Sheet>& sheets,
                 std::string_view title) {
  DOCENT_RETURN_IF_ERROR(CheckSheetNames(sheets));
  const std::string rel_type =
      "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  std::string types =
      std::string(kXmlHeader) +
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
      "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
      "<Override PartName=\"/docProps/core.xml\" "
      "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
      "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.extended-properties+xml\"/>";
  std::string workbook = std::string(kXmlHeader) + "<workbook xmlns=\"" + kSheetNs +
                         "\" xmlns:r=\"" + kRelNs +
                         "\"><bookViews><workbookView/></bookViews>"
                         "<sheets>";
  std::string workbook_rels =
      std::string(kXmlHeader) +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  SharedStrings strings;
  std::vector<ZipEntry> sheet_entries;
  for (size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    types += "<Override PartName=\"/xl/worksheets/sheet" + n +
             ".xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>";
    workbook += "<sheet name=\"" + XmlEscape(sheets[i].name) + "\" sheetId=\"" + n +
                "\" r:id=\"rId" + n + "\"/>";
    workbook_rels += "<Relationship Id=\"rId" + n + "\" Type=\"" + rel_type +
                     "worksheet\" Target=\"worksheets/sheet" + n + ".xml\"/>";
    sheet_entries.push_back({"xl/worksheets/sheet" + n + ".xml", Worksheet(sheets[i], strings)});
  }
  const std::string styles_id = "rId" + std::to_string(sheets.size() + 1);
  const std::string strings_id = "rId" + std::to_string(sheets.size() + 2);
  workbook_rels += "<Relationship Id=\"" + styles_id + "\" Type=\"" + rel_type +
                   "styles\" Target=\"styles.xml\"/><Relationship Id=\"" + strings_id +
                   "\" Type=\"" + rel_type +
                   "sharedStrings\" Target=\"sharedStrings.xml\"/>"
                   "</Relationships>";
  types += "</Types>";
  workbook += "</sheets></workbook>";

  const std::string package_rels =
      std::string(kXmlHeader) +
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Type=\"" +
      rel_type +
      "officeDocument\" "
      "Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas."
      "openxmlformats.org/package/2006/relationships/metadata/core-properties\" "
      "Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"" +
      rel_type + "extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";

  std::vector<ZipEntry> entries = {
      {"[Content_Types].xml", types},
      {"_rels/.rels", package_rels},
      {"xl/workbook.xml", workbook},
      {"xl/_rels/workbook.xml.rels", workbook_rels},
  };
  for (ZipEntry& entry : sheet_entries) entries.push_back(std::move(entry));
  entries.push_back({"xl/sharedStrings.xml", strings.Xml()});
  entries.push_back({"xl/styles.xml", Styles()});
  entries.push_back({"docProps/core.xml", internal::OoxmlCoreProps(title)});
  entries.push_back({"docProps/app.xml", internal::OoxmlAppProps("docent")});
  return WriteZip(path, entries);
}

}  // namespace docent::testing
