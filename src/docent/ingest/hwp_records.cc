#include "docent/ingest/hwp_records.h"

#include "docent/util/utf8.h"

namespace docent::ingest::hwp {
namespace {

// Control characters by width: "char" controls take one code unit; the inline and extended
// ones take eight (the code, six units of parameters, the code again). Extended ones have a
// CTRL_HEADER record.
enum class ControlWidth { kChar, kInline, kExtended };

ControlWidth WidthOf(uint16_t c) {
  switch (c) {
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 19:
    case 20:
      return ControlWidth::kInline;
    case 1:
    case 2:
    case 3:
    case 11:
    case 12:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
    case 21:
    case 22:
    case 23:
      return ControlWidth::kExtended;
    default:
      return ControlWidth::kChar;  // 0, 10, 13, 24-31
  }
}

}  // namespace

std::string CtrlIdAt(std::string_view p, size_t off) {
  const uint32_t v = U32At(p, off);
  std::string id(4, ' ');
  for (int i = 0; i < 4; ++i) id[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  return id;
}

std::string WStringAt(std::string_view p, size_t off, size_t* next) {
  const size_t n = U16At(p, off);
  const size_t begin = off + 2;
  const size_t units = begin > p.size() ? 0 : std::min(n, (p.size() - begin) / 2);
  if (next != nullptr) *next = begin + 2 * n;
  std::string out;
  util::AppendUtf16Le(p.substr(std::min(begin, p.size()), 2 * units), out);
  return out;
}

RecordTree ReadRecords(std::string_view s, size_t max_records) {
  RecordTree tree;
  std::vector<uint32_t> stack;  // open records, by ascending level
  size_t pos = 0;
  while (pos < s.size()) {
    if (tree.records.size() >= max_records || s.size() - pos < 4) {
      tree.truncated = true;
      break;
    }
    const uint32_t h = U32At(s, pos);
    pos += 4;
    uint64_t size = h >> 20;
    if (size == 0xFFF) {
      if (s.size() - pos < 4) {
        tree.truncated = true;
        break;
      }
      size = U32At(s, pos);
      pos += 4;
    }
    if (size > s.size() - pos) {
      tree.truncated = true;
      break;
    }
    Record r;
    r.tag = static_cast<uint16_t>(h & 0x3FF);
    r.level = static_cast<uint16_t>((h >> 10) & 0x3FF);
    r.payload = s.substr(pos, size);
    pos += size;
    while (!stack.empty() && tree.records[stack.back()].level >= r.level) stack.pop_back();
    const auto index = static_cast<uint32_t>(tree.records.size());
    if (stack.empty()) {
      tree.top.push_back(index);
    } else {
      tree.records[stack.back()].children.push_back(index);
    }
    tree.records.push_back(std::move(r));
    stack.push_back(index);
  }
  return tree;
}

std::vector<TextPiece> DecodeParaText(std::string_view payload) {
  std::vector<TextPiece> pieces;
  std::string run;  // UTF-16LE code units of text not yet flushed
  auto flush = [&] {
    if (run.empty()) return;
    TextPiece t;
    util::AppendUtf16Le(run, t.text);
    pieces.push_back(std::move(t));
    run.clear();
  };
  auto push = [&](uint16_t unit) {
    run.push_back(static_cast<char>(unit & 0xFF));
    run.push_back(static_cast<char>(unit >> 8));
  };
  const size_t n = payload.size() / 2;
  size_t i = 0;
  while (i < n) {
    const uint16_t c = U16At(payload, 2 * i);
    if (c >= 32) {
      push(c);
      ++i;
      continue;
    }
    const ControlWidth width = WidthOf(c);
    if (width == ControlWidth::kChar) {
      ++i;
      if (c == 10) {
        flush();
        pieces.push_back({TextPiece::kLineBreak, {}, {}});
      } else if (c == 24) {
        push('-');  // a hyphen
      } else if (c == 30 || c == 31) {
        push(' ');  // non-breaking and fixed-width spaces
      }
      continue;  // 13 ends the paragraph; the rest carry nothing
    }
    flush();
    if (c == 9) {
      pieces.push_back({TextPiece::kTab, {}, {}});
    } else if (width == ControlWidth::kExtended) {
      TextPiece t;
      t.kind = TextPiece::kExtendedControl;
      t.ctrl_id = CtrlIdAt(payload, 2 * (i + 1));
      pieces.push_back(std::move(t));
    }
    i += 8;
  }
  flush();
  return pieces;
}

}  // namespace docent::ingest::hwp
