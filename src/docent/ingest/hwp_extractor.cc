// HWP 5 (Hancom's binary .hwp): an OLE2 compound file whose FileHeader stream says whether
// the other streams are compressed (raw deflate), password-protected (refused) or a
// distribution document (배포용 문서: the body in ViewText/Section*, encrypted). DocInfo holds
// the paragraph shapes and numbering definitions; BodyText/Section<N> hold the text as records.
//
// What becomes a block: every paragraph, in reading order, with the text of its inline
// controls (auto numbers, 덧말 ruby text, overlapped characters). Paragraphs in an outline
// (개요) shape become headings, prefixed with the number Hangul would show ("3.2.1."), which
// is not stored in the text but generated from the section's numbering definition. A
// paragraph's tables follow it as kTableRow blocks (cells in row order, a merged cell at its
// top-left address, nested tables inlined into their cell); text boxes, captions, headers and
// footers, footnotes, endnotes and hidden comments follow it as paragraphs. In a document of
// several sections, each block names its section. Pictures and other embedded binaries are not
// read (OCR of images inside HWP files is not done).
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "docent/ingest/blocks.h"
#include "docent/ingest/compound_file.h"
#include "docent/ingest/extractors.h"
#include "docent/ingest/hwp_records.h"
#include "docent/ingest/hwp_streams.h"
#include "docent/util/utf8.h"

namespace docent::ingest {
namespace {

using hwp::RecordTree;
using hwp::U16At;
using hwp::U32At;

constexpr std::string_view kSignature = "HWP Document File";
constexpr uint32_t kFlagCompressed = 1u << 0;
constexpr uint32_t kFlagPassword = 1u << 1;
constexpr uint32_t kFlagDistribution = 1u << 2;
constexpr uint32_t kFlagDrm = 1u << 4;
// A stream may inflate to this much, or to 200 times the file, whichever is smaller.
constexpr uint64_t kMaxStreamBytes = 64ull << 20;
constexpr uint64_t kMaxStreamRatio = 200;
constexpr int kMaxSections = 4096;
constexpr int kMaxNesting = 24;  // tables in cells in text boxes ...
constexpr int kOutlineLevels = 7;
// Real number formats are a few characters ("^1.^2."); a generated number longer than this
// is cut (a hostile format of "^1" repeated would otherwise multiply every heading).
constexpr size_t kMaxNumberFormatBytes = 64;
constexpr size_t kMaxNumberBytes = 64;

struct NumberingLevel {
  uint32_t shape = 0;  // how the number is written: 0 "1", 1 "①", 8 "가", 10 "ㄱ" ...
  std::string format;  // "^1.^2." : ^k is level k's counter
  uint32_t start = 1;
};
using Numbering = std::array<NumberingLevel, kOutlineLevels>;

struct ParaShape {
  int head = 0;            // 0 none, 1 outline (개요), 2 numbered, 3 bullet
  int level = 0;           // 0..6
  uint16_t numbering = 0;  // 1-based numbering id (numbered paragraphs)
};

struct DocInfo {
  std::vector<ParaShape> para_shapes;
  std::vector<Numbering> numberings;
};

DocInfo ReadDocInfo(const RecordTree& tree) {
  // Shapes and numberings are named by u16 ids: more than that many are never used, and a
  // hostile DocInfo of empty records must not become gigabytes of definitions.
  constexpr size_t kMaxDefinitions = 0xFFFF;
  DocInfo info;
  for (const hwp::Record& r : tree.records) {
    if (r.tag == hwp::kParaShape && info.para_shapes.size() < kMaxDefinitions) {
      const uint32_t attr = U32At(r.payload, 0);
      info.para_shapes.push_back({static_cast<int>((attr >> 23) & 3),
                                  static_cast<int>((attr >> 25) & 7), U16At(r.payload, 30)});
    } else if (r.tag == hwp::kNumbering && info.numberings.size() < kMaxDefinitions) {
      // Seven levels of (12 bytes of paragraph-head information, a format string), the start
      // number, then (5.0.2.5 on) each level's start.
      Numbering n;
      size_t at = 0;
      for (NumberingLevel& level : n) {
        level.shape = (U32At(r.payload, at) >> 5) & 0xF;
        at += 12;
        level.format = hwp::WStringAt(r.payload, at, &at);
        if (level.format.size() > kMaxNumberFormatBytes) level.format.clear();  // not a real one
      }
      const uint16_t start = U16At(r.payload, at);
      for (NumberingLevel& level : n) level.start = std::max<uint32_t>(start, 1);
      at += 2;
      if (at + 4 * kOutlineLevels <= r.payload.size()) {
        for (int k = 0; k < kOutlineLevels; ++k) {
          n[k].start = U32At(r.payload, at + 4 * static_cast<size_t>(k));
        }
      }
      info.numberings.push_back(std::move(n));
    }
  }
  return info;
}

// A number as a numbering shape writes it.
std::string FormatNumber(uint32_t n, uint32_t shape) {
  auto pick = [&](std::initializer_list<const char*> seq) -> std::string {
    return n >= 1 && n <= seq.size() ? *(seq.begin() + (n - 1)) : std::to_string(n);
  };
  auto code_point = [&](char32_t first, uint32_t count) -> std::string {
    if (n < 1 || n > count) return std::to_string(n);
    std::string s;
    util::AppendUtf8(first + (n - 1), s);
    return s;
  };
  auto roman = [&](bool upper) {
    static constexpr std::pair<uint32_t, const char*> kRoman[] = {
        {1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"},
        {40, "XL"},  {10, "X"},   {9, "IX"},  {5, "V"},    {4, "IV"},  {1, "I"}};
    std::string s;
    uint32_t x = std::min<uint32_t>(n, 3999);
    for (const auto& [v, t] : kRoman) {
      for (; x >= v; x -= v) s += t;
    }
    if (!upper) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
  };
  switch (shape) {
    case 1:
      return code_point(U'\u2460', 20);  // ①
    case 2:
      return roman(true);
    case 3:
      return roman(false);
    case 4:
      return code_point(U'A', 26);
    case 5:
      return code_point(U'a', 26);
    case 6:
      return code_point(U'\u24B6', 26);  // Ⓐ
    case 7:
      return code_point(U'\u24D0', 26);  // ⓐ
    case 8:
      return pick(
          {"가", "나", "다", "라", "마", "바", "사", "아", "자", "차", "카", "타", "파", "하"});
    case 9:
      return code_point(U'\u326E', 14);  // ㉮
    case 10:
      return pick(
          {"ㄱ", "ㄴ", "ㄷ", "ㄹ", "ㅁ", "ㅂ", "ㅅ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"});
    case 11:
      return code_point(U'\u3260', 14);  // ㉠
    case 12:
      return pick({"일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "십"});
    case 13:
      return pick({"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"});
    default:
      return std::to_string(n);
  }
}

class SectionReader {
 public:
  SectionReader(ExtractedDocument& doc, const DocInfo& info) : doc_(doc), info_(info) {}

  void Read(const RecordTree& tree, int section) {
    tree_ = &tree;
    proto_ = Block{};
    proto_.section = section;
    // The section's outline numbering: its definition control ('secd'), in the first paragraph.
    if (!tree.top.empty()) {
      for (uint32_t c : tree.records[tree.top[0]].children) {
        const hwp::Record& r = tree.records[c];
        if (r.tag == hwp::kCtrlHeader && hwp::CtrlIdAt(r.payload, 0) == "secd") {
          outline_numbering_ = std::max<uint16_t>(U16At(r.payload, 18), 1);
        }
      }
    }
    for (uint32_t i : tree.top) {
      if (Rec(i).tag == hwp::kParaHeader) Paragraph(i, 0);
    }
  }

  bool too_deep() const { return too_deep_; }

 private:
  const hwp::Record& Rec(uint32_t i) const { return tree_->records[i]; }

  // A paragraph's own text with its inline controls. Block-level controls (tables, text
  // boxes, notes...) go to `nested` when given; inside a table cell (`nested` null) their text
  // is inlined.
  std::string ParagraphText(uint32_t para, std::vector<uint32_t>* nested, int depth) {
    std::vector<uint32_t> controls;
    std::string_view text_payload;
    bool has_text = false;
    for (uint32_t c : Rec(para).children) {
      const hwp::Record& r = Rec(c);
      if (r.tag == hwp::kParaText && !has_text) {
        text_payload = r.payload;
        has_text = true;
      } else if (r.tag == hwp::kCtrlHeader) {
        controls.push_back(c);
      }
    }
    std::string out;
    size_t next_control = 0;
    for (const hwp::TextPiece& p : hwp::DecodeParaText(text_payload)) {
      switch (p.kind) {
        case hwp::TextPiece::kText:
          out += p.text;
          break;
        case hwp::TextPiece::kTab:
          out += '\t';
          break;
        case hwp::TextPiece::kLineBreak:
          out += '\n';
          break;
        case hwp::TextPiece::kExtendedControl:
          if (next_control < controls.size()) {
            out += ControlText(controls[next_control++], nested, depth);
          }
          break;
      }
    }
    // Controls the text did not mark (never in well-formed files) still count.
    for (; next_control < controls.size(); ++next_control) {
      out += ControlText(controls[next_control], nested, depth);
    }
    return out;
  }

  // The inline text of a control; a block-level control is queued in `nested`, or inlined.
  std::string ControlText(uint32_t ctrl, std::vector<uint32_t>* nested, int depth) {
    const std::string_view p = Rec(ctrl).payload;
    const std::string id = hwp::CtrlIdAt(p, 0);
    if (id == "atno") {  // an auto number ("표 3"): kind and shape, then the number itself
      return FormatNumber(U16At(p, 8), (U32At(p, 4) >> 4) & 0xFF);
    }
    if (id == "tdut") return hwp::WStringAt(p, 4);  // 덧말: the main text (the ruby is extra)
    if (id == "tcps") return hwp::WStringAt(p, 4);  // 글자 겹침: the overlapped characters
    if (id == "secd" || id == "cold" || Rec(ctrl).children.empty()) return {};
    if (nested != nullptr) {
      nested->push_back(ctrl);
      return {};
    }
    std::string inner = InlineText(ctrl, depth + 1);
    return inner.empty() ? inner : " " + inner + " ";
  }

  // Every paragraph below `node` as one line of text: a table cell's content.
  std::string InlineText(uint32_t node, int depth) {
    if (depth > kMaxNesting) {
      too_deep_ = true;
      return {};
    }
    std::string out;
    for (uint32_t c : Rec(node).children) {
      const hwp::Record& r = Rec(c);
      std::string piece;
      if (r.tag == hwp::kParaHeader) {
        piece = ParagraphText(c, nullptr, depth);
      } else if (!r.children.empty()) {
        piece = InlineText(c, depth + 1);
      }
      if (piece.empty()) continue;
      if (!out.empty()) out += ' ';
      out += piece;
    }
    return out;
  }

  void Paragraph(uint32_t para, int depth) {
    if (depth > kMaxNesting) {
      too_deep_ = true;
      return;
    }
    std::vector<uint32_t> nested;
    std::string text = ParagraphText(para, &nested, depth);
    const uint16_t shape_id = U16At(Rec(para).payload, 8);
    const ParaShape shape =
        shape_id < info_.para_shapes.size() ? info_.para_shapes[shape_id] : ParaShape{};
    if (shape.head == 1 && !Trim(text).empty()) {
      std::string number = NumberFor(outline_numbering_, shape.level);
      AddHeading(doc_, std::min(shape.level + 1, 6),
                 number.empty() ? std::move(text) : number + " " + text, proto_);
    } else if (shape.head == 2 && !Trim(text).empty()) {
      std::string number = NumberFor(shape.numbering, shape.level);
      AddParagraph(doc_, number.empty() ? std::move(text) : number + " " + text, proto_);
    } else {
      AddParagraph(doc_, std::move(text), proto_);
    }
    for (uint32_t ctrl : nested) Control(ctrl, depth + 1);
  }

  // A block-level control: a table, or the paragraph lists below it (text boxes and their
  // captions, headers, footers, notes, comments), in order.
  void Control(uint32_t ctrl, int depth) {
    if (depth > kMaxNesting) {
      too_deep_ = true;
      return;
    }
    if (hwp::CtrlIdAt(Rec(ctrl).payload, 0) == "tbl ") return Table(ctrl, depth);
    Lists(ctrl, depth);
  }

  void Lists(uint32_t node, int depth) {
    if (depth > kMaxNesting) {
      too_deep_ = true;
      return;
    }
    // A list is a LIST_HEADER followed by its paragraphs as siblings; paragraphs are read in
    // order wherever they sit, and other records are searched for lists of their own.
    for (uint32_t c : Rec(node).children) {
      const hwp::Record& r = Rec(c);
      if (r.tag == hwp::kParaHeader) {
        Paragraph(c, depth);
      } else if (r.tag == hwp::kCtrlHeader) {
        Control(c, depth + 1);
      } else if (!r.children.empty()) {
        Lists(c, depth + 1);
      }
    }
  }

  // A table control's children: an optional caption list, the TABLE record (rows, columns),
  // then one LIST_HEADER per stored cell (column, row at offsets 8 and 10) with its paragraphs.
  void Table(uint32_t ctrl, int depth) {
    std::map<std::pair<uint32_t, uint32_t>, std::string> cells;  // (row, col) -> text
    bool seen_table = false;
    std::optional<std::pair<uint32_t, uint32_t>> cell;
    std::vector<uint32_t> caption;
    for (uint32_t c : Rec(ctrl).children) {
      const hwp::Record& r = Rec(c);
      if (r.tag == hwp::kTable) {
        seen_table = true;
      } else if (r.tag == hwp::kListHeader) {
        cell.reset();
        if (seen_table) {
          cell = std::make_pair(U16At(r.payload, 10), U16At(r.payload, 8));
          cells[*cell];  // an empty cell still holds its place
        }
      } else if (r.tag == hwp::kParaHeader) {
        if (cell) {
          std::string& text = cells[*cell];
          std::string piece = ParagraphText(c, nullptr, depth + 1);
          if (!text.empty() && !piece.empty()) text += ' ';
          text += piece;
        } else if (!seen_table) {
          caption.push_back(c);
        }
      }
    }
    for (uint32_t p : caption) Paragraph(p, depth + 1);
    std::vector<std::vector<std::string>> rows;
    std::optional<uint32_t> row;
    for (auto& [at, text] : cells) {
      if (!row || *row != at.first) {
        rows.emplace_back();
        row = at.first;
      }
      rows.back().push_back(std::move(text));
    }
    Block proto = proto_;
    AddTable(doc_, std::move(rows), /*first_row_is_header=*/false, proto);
  }

  // The next number of `level` in numbering `id` (1-based), written with its format.
  std::string NumberFor(uint16_t id, int level) {
    if (id == 0 || id > info_.numberings.size() || level < 0 || level >= kOutlineLevels) return {};
    const Numbering& n = info_.numberings[id - 1];
    auto& counters = counters_[id];
    counters[level] = counters[level] ? *counters[level] + 1 : n[level].start;
    for (int k = level + 1; k < kOutlineLevels; ++k) counters[k].reset();
    std::string out;
    const std::string& f = n[level].format;
    for (size_t i = 0; i < f.size() && out.size() < kMaxNumberBytes; ++i) {
      if (f[i] == '^' && i + 1 < f.size() && f[i + 1] >= '1' && f[i + 1] <= '7') {
        const int k = f[i + 1] - '1';
        out += FormatNumber(counters[k] ? *counters[k] : n[k].start, n[k].shape);
        ++i;
      } else {
        out += f[i];
      }
    }
    return std::string(Trim(out));
  }

  ExtractedDocument& doc_;
  const DocInfo& info_;
  const RecordTree* tree_ = nullptr;
  Block proto_;
  uint16_t outline_numbering_ = 1;
  // Outline counters run on across sections, as Hangul numbers them.
  std::map<uint16_t, std::array<std::optional<uint32_t>, kOutlineLevels>> counters_;
  bool too_deep_ = false;
};

// The title from the "\x05HwpSummaryInformation" property set (the OLE summary format: a
// header, one section of (id, offset) pairs, typed values); PIDSI_TITLE is id 2, a
// length-prefixed UTF-16LE string (VT_LPWSTR). Empty when absent or malformed.
std::string SummaryTitle(std::string_view set) {
  constexpr uint32_t kTitleId = 2, kLpwstr = 0x1F;
  const uint32_t section = U32At(set, 44);
  if (section >= set.size()) return {};
  const std::string_view s = set.substr(section);
  const uint32_t count = std::min<uint32_t>(U32At(s, 4), 1024);
  for (uint32_t i = 0; i < count; ++i) {
    if (U32At(s, 8 + 8 * static_cast<size_t>(i)) != kTitleId) continue;
    const uint32_t at = U32At(s, 12 + 8 * static_cast<size_t>(i));
    if (at >= s.size() || U32At(s, at) != kLpwstr) return {};
    const size_t units = std::min<size_t>(U32At(s, at + 4), 0xFFFF);
    std::string title;
    util::AppendUtf16Le(s.substr(std::min<size_t>(at + 8, s.size()), 2 * units), title);
    if (const size_t nul = title.find('\0'); nul != std::string::npos) title.resize(nul);
    return title;
  }
  return {};
}

}  // namespace

Result<ExtractedDocument> ExtractHwp(const ExtractInput& in) {
  // Hangul also saves HWPX under a .hwp name; it is a zip.
  if (in.bytes.starts_with("PK\x03\x04")) return ExtractHwpx(in);
  if (in.bytes.starts_with("HWP Document File V3")) {
    return Unsupported("an HWP 3 file (docent reads HWP 5 and HWPX; save it again in Hangul)");
  }
  if (!IsCompoundFile(in.bytes)) return Corrupt("not an HWP document (no OLE2 or zip signature)");
  DOCENT_ASSIGN_OR_RETURN(CompoundFile cf, CompoundFile::Open(in.bytes));
  const uint64_t cap = std::min<uint64_t>(kMaxStreamBytes, kMaxStreamRatio * in.bytes.size());
  auto header = cf.ReadStream("FileHeader", 4096);
  if (!header.ok()) return Corrupt("not an HWP 5 document (no FileHeader stream)");
  if (header->size() < 40 || !std::string_view(*header).starts_with(kSignature)) {
    return Corrupt("not an HWP 5 document (bad FileHeader signature)");
  }
  const uint32_t version = U32At(*header, 32);
  const uint32_t flags = U32At(*header, 36);
  if ((version >> 24) != 5) {
    return Unsupported("HWP version " + std::to_string(version >> 24) + " (docent reads HWP 5)");
  }
  if (flags & kFlagPassword) return Corrupt("password-protected HWP (password required)");
  if (flags & kFlagDrm) return Corrupt("DRM-protected HWP (cannot be read)");
  const bool compressed = flags & kFlagCompressed;
  const bool distribution = flags & kFlagDistribution;

  // A stream's records: decrypted (distribution documents' body), then inflated. Each stream
  // is held to `cap`, and all of them together to the limit on a container's inflated bytes
  // (sections may even share their sectors).
  uint64_t total = 0;
  auto stream_bytes = [&](const std::string& path, bool encrypted) -> Result<std::string> {
    DOCENT_ASSIGN_OR_RETURN(std::string raw, cf.ReadStream(path, in.bytes.size()));
    if (encrypted) {
      auto plain = DecryptDistributionStream(raw);
      if (!plain.ok()) return plain.status().WithContext(path);
      raw = std::move(*plain);
    }
    if (compressed) {
      auto inflated = InflateRaw(raw, cap);
      if (!inflated.ok()) return inflated.status().WithContext(path);
      raw = std::move(*inflated);
    } else if (raw.size() > cap) {
      return TooLarge(path + ": stream is over the limit of " + std::to_string(cap) + " bytes");
    }
    total += raw.size();
    if (total > in.limits.max_uncompressed_bytes) {
      return TooLarge("streams inflate past the limit of " +
                      std::to_string(in.limits.max_uncompressed_bytes) + " bytes");
    }
    return raw;
  };

  DocInfo info;
  if (cf.HasStream("DocInfo")) {
    DOCENT_ASSIGN_OR_RETURN(std::string doc_info, stream_bytes("DocInfo", false));
    info = ReadDocInfo(hwp::ReadRecords(doc_info));
  }
  const std::string body = distribution ? "ViewText/Section" : "BodyText/Section";
  int sections = 0;
  while (sections < kMaxSections && cf.HasStream(body + std::to_string(sections))) ++sections;
  if (sections == 0) return Corrupt("HWP document has no " + body + "0 stream");

  ExtractedDocument doc;
  if (auto summary = cf.ReadStream("\x05HwpSummaryInformation", 1 << 20); summary.ok()) {
    doc.title = SummaryTitle(*summary);
  }
  SectionReader reader(doc, info);
  bool truncated = false;
  for (int s = 0; s < sections; ++s) {
    DOCENT_ASSIGN_OR_RETURN(std::string records,
                            stream_bytes(body + std::to_string(s), distribution));
    const RecordTree tree = hwp::ReadRecords(records);
    truncated |= tree.truncated;
    reader.Read(tree, sections > 1 ? s + 1 : 0);
  }
  if (truncated) {
    doc.warnings.push_back(
        "a section ends inside a record or holds too many records; the rest was skipped");
  }
  if (reader.too_deep()) doc.warnings.push_back("content nested too deeply was skipped");
  TitleFromShortFirstParagraph(doc);
  return doc;
}

ExtractedDocument ReadHwpSection(std::string_view records) {
  ExtractedDocument doc;
  const DocInfo info;
  SectionReader reader(doc, info);
  reader.Read(hwp::ReadRecords(records), 0);
  return doc;
}

}  // namespace docent::ingest
