// The chunker: normalises blocks into full_text, cuts them into units (chunk_units.h), and
// packs the units into chunks (see chunker.h).
//
// Every unit is a trimmed range of full_text and a chunk is a contiguous run of units, so
// chunk text == full_text[char_begin, char_end) holds by construction.
// Packing state: the current chunk is units [begin_, end_); units [begin_, new_) are the
// overlap carried from the previous chunk, [new_, end_) its own content.
#include "docent/text/chunker.h"

#include <algorithm>

#include "docent/text/char_class.h"
#include "docent/text/chunk_units.h"
#include "docent/text/normalize.h"
#include "docent/util/utf8.h"

namespace docent::text {
namespace {

struct BlockInfo {
  int page = 0;
  int slide = 0;
  std::string sheet;
  int section = 0;
  bool heading = false;
};

// Trims Unicode white space from both ends of valid UTF-8.
std::string_view Trim(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t p = b;
    if (!IsSpace(DecodeUtf8Fast(s, p))) break;
    b = p;
  }
  size_t e = s.size();
  while (e > b) {
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t p = start;
    if (!IsSpace(DecodeUtf8Fast(s, p))) break;
    e = start;
  }
  return s.substr(b, e - b);
}

// A heading as it reads in a path: white space runs collapsed to one space.
std::string PathLabel(std::string_view text) {
  std::string out;
  size_t pos = 0;
  bool space = false;
  while (pos < text.size()) {
    size_t b = pos;
    if (IsSpace(DecodeUtf8Fast(text, pos))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out.append(text.substr(b, pos - b));
  }
  return out;
}

class Packer {
 public:
  Packer(const ChunkedDocument& doc, const std::vector<ChunkUnit>& units,
         const std::vector<BlockInfo>& blocks, const std::vector<std::string>& paths,
         const ChunkerOptions& o, std::vector<Chunk>& out)
      : doc_(doc), u_(units), blocks_(blocks), paths_(paths), o_(o), out_(out) {}

  void Run();

 private:
  bool HasNew() const { return new_ < end_; }
  bool Empty() const { return begin_ == end_; }
  size_t Size() const { return Empty() ? 0 : u_[end_ - 1].ce - u_[begin_].cb; }
  size_t SizeWith(size_t i) const { return u_[i].ce - u_[Empty() ? i : begin_].cb; }
  void DropOverlap() { begin_ = new_ = end_; }
  void Append(size_t i);
  void Close(bool overlap, bool move_dangling);
  void Emit(size_t b, size_t e);
  void Paragraph(size_t ub, size_t ue);
  void SentencePack(size_t ub, size_t ue);

  const ChunkedDocument& doc_;
  const std::vector<ChunkUnit>& u_;
  const std::vector<BlockInfo>& blocks_;
  const std::vector<std::string>& paths_;
  const ChunkerOptions& o_;
  std::vector<Chunk>& out_;
  size_t begin_ = 0, new_ = 0, end_ = 0;
};

void Packer::Append(size_t i) {
  if (Empty()) begin_ = new_ = i;
  if (!HasNew()) {
    new_ = i;
    // Overlap is a courtesy: shed it rather than exceed max_chars.
    while (begin_ < new_ && u_[i].ce - u_[begin_].cb > o_.max_chars) ++begin_;
  }
  end_ = i + 1;
}

void Packer::Close(bool overlap, bool move_dangling) {
  if (!HasNew()) {
    DropOverlap();
    return;
  }
  size_t stop = end_;
  if (move_dangling) {
    // Headings at the end go with the text that follows them, in the next chunk.
    size_t k = end_;
    while (k > new_ && u_[k - 1].heading) --k;
    if (k > new_ && k < end_) stop = k;
  }
  Emit(begin_, stop);
  if (stop < end_) {
    begin_ = new_ = stop;
    return;
  }
  size_t k = end_;
  if (overlap) {
    while (k - 1 > begin_ && !u_[k - 1].heading && !u_[k - 1].fragment &&
           u_[end_ - 1].ce - u_[k - 1].cb <= o_.overlap_chars) {
      --k;
    }
  }
  begin_ = k;
  new_ = end_;
}

void Packer::Emit(size_t b, size_t e) {
  const ChunkUnit& first = u_[b];
  const ChunkUnit& last = u_[e - 1];
  Chunk c;
  c.text = doc_.full_text.substr(first.bb, last.be - first.bb);
  c.char_begin = first.cb;
  c.char_end = last.ce;
  // The section of the chunk's own text: its first non-heading unit (headings it opens
  // with are part of that path already).
  size_t p = new_;
  while (p + 1 < e && u_[p].heading) ++p;
  c.heading_path = paths_[u_[p].path];
  for (uint32_t k = first.block; k <= last.block; ++k) {
    const BlockInfo& bi = blocks_[k];
    if (bi.page > 0) {
      if (c.page_begin == 0 || bi.page < c.page_begin) c.page_begin = bi.page;
      c.page_end = std::max(c.page_end, bi.page);
    }
    if (bi.slide > 0) {
      if (c.slide_begin == 0 || bi.slide < c.slide_begin) c.slide_begin = bi.slide;
      c.slide_end = std::max(c.slide_end, bi.slide);
    }
  }
  c.sheet = blocks_[first.block].sheet;
  c.section = blocks_[first.block].section;
  out_.push_back(std::move(c));
}

void Packer::SentencePack(size_t ub, size_t ue) {
  for (size_t i = ub; i < ue; ++i) {
    if (HasNew() && (Size() >= o_.target_chars || SizeWith(i) > o_.max_chars)) {
      Close(/*overlap=*/true, /*move_dangling=*/true);
      if (HasNew() && SizeWith(i) > o_.max_chars) Close(false, false);
    }
    Append(i);
  }
}

// A paragraph stays whole when it fits; otherwise it fills the current chunk sentence by
// sentence, or starts a new chunk once the current one is big enough to stand alone.
void Packer::Paragraph(size_t ub, size_t ue) {
  const size_t whole = u_[ue - 1].ce - u_[ub].cb;
  // The chunk's size if the whole paragraph joined it.
  auto joined = [&] { return Empty() ? whole : u_[ue - 1].ce - u_[begin_].cb; };
  for (;;) {
    if (Empty() || !HasNew()) {
      if (joined() > o_.max_chars && whole <= o_.max_chars) DropOverlap();
      if (joined() <= o_.max_chars) {
        for (size_t i = ub; i < ue; ++i) Append(i);
      } else {
        SentencePack(ub, ue);
      }
      return;
    }
    if (joined() <= o_.max_chars && Size() < o_.target_chars) {
      for (size_t i = ub; i < ue; ++i) Append(i);
      return;
    }
    if (Size() < o_.min_chars) {
      SentencePack(ub, ue);
      return;
    }
    Close(/*overlap=*/true, /*move_dangling=*/true);
  }
}

void Packer::Run() {
  size_t i = 0;
  while (i < u_.size()) {
    const uint32_t bi = u_[i].block;
    size_t ue = i;
    while (ue < u_.size() && u_[ue].block == bi) ++ue;
    const BlockInfo& block = blocks_[bi];
    if (bi > 0) {
      const BlockInfo& prev = blocks_[bi - 1];
      // A chunk never mixes two slides, sheets or sections.
      if (prev.slide != block.slide || prev.sheet != block.sheet || prev.section != block.section) {
        Close(false, false);
      }
      if (block.heading) {
        const bool new_page = block.page != 0 && block.page != prev.page;
        if (!HasNew()) {
          DropOverlap();  // a new section starts clean
        } else if (Size() >= o_.min_chars || new_page) {
          Close(false, true);
        }
      }
    }
    if (block.heading) {
      for (size_t k = i; k < ue; ++k) {
        if (HasNew() && SizeWith(k) > o_.max_chars) Close(false, false);
        Append(k);
      }
    } else {
      Paragraph(i, ue);
    }
    i = ue;
  }
  Close(false, false);
}

}  // namespace

std::string Chunk::Location() const {
  std::string out;
  auto add = [&](const std::string& part) {
    if (!out.empty()) out += " \u00B7 ";
    out += part;
  };
  if (page_begin > 0) {
    add(page_end > page_begin ? "pp. " + std::to_string(page_begin) + "-" + std::to_string(page_end)
                              : "p. " + std::to_string(page_begin));
  }
  if (slide_begin > 0) {
    add(slide_end > slide_begin
            ? "slides " + std::to_string(slide_begin) + "-" + std::to_string(slide_end)
            : "slide " + std::to_string(slide_begin));
  }
  if (!sheet.empty()) add("sheet " + sheet);
  if (section > 0) add("section " + std::to_string(section));
  if (!heading_path.empty()) add(heading_path);
  return out;
}

ChunkedDocument ChunkDocument(const ingest::ExtractedDocument& doc, const ChunkerOptions& options) {
  ChunkerOptions o = options;
  o.max_chars = std::max<size_t>(o.max_chars, 1);
  o.target_chars = std::clamp<size_t>(o.target_chars, 1, o.max_chars);
  o.min_chars = std::min(o.min_chars, o.max_chars);

  ChunkedDocument result;
  std::vector<BlockInfo> blocks;
  std::vector<ChunkUnit> units;
  std::vector<std::string> paths{""};
  struct Open {
    int level;
    std::string label;
    bool scoped;  // declared on a slide or sheet: closes when that slide or sheet ends
  };
  std::vector<Open> open;
  uint32_t cp_total = 0;

  for (const ingest::Block& in : doc.blocks) {
    const std::string normalized = NormalizeNfc(in.text);
    const std::string_view text = Trim(normalized);
    if (text.empty()) continue;
    const bool heading = in.kind == ingest::BlockKind::kHeading;
    const bool changed_container =
        !blocks.empty() && (blocks.back().slide != in.slide || blocks.back().sheet != in.sheet);
    const size_t open_before = open.size();
    if (changed_container) {
      std::erase_if(open, [](const Open& h) { return h.scoped; });
    }
    if (heading) {
      const int level = std::clamp(in.level, 1, 6);
      while (!open.empty() && open.back().level >= level) open.pop_back();
      open.push_back({level, PathLabel(text), in.slide != 0 || !in.sheet.empty()});
    }
    if (heading || open.size() != open_before) {
      std::string path;
      for (const Open& h : open) {
        if (!path.empty()) path += " > ";
        path += h.label;
      }
      if (path != paths.back()) paths.push_back(std::move(path));
    }

    if (!result.full_text.empty()) {
      result.full_text += "\n\n";
      cp_total += 2;
    }
    const size_t byte_base = result.full_text.size();
    result.full_text += text;
    blocks.push_back({in.page, in.slide, in.sheet, in.section, heading});
    AppendBlockUnits(text,
                     {byte_base, cp_total, static_cast<uint32_t>(blocks.size() - 1),
                      static_cast<uint32_t>(paths.size() - 1), heading},
                     o.target_chars, units);
    cp_total += static_cast<uint32_t>(util::CountCodePoints(text));
  }

  Packer(result, units, blocks, paths, o, result.chunks).Run();
  return result;
}

}  // namespace docent::text
