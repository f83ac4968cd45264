// Cutting one block into chunk units (see chunk_units.h).
#include "docent/text/chunk_units.h"

#include <algorithm>
#include <utility>

#include "docent/text/char_class.h"
#include "docent/text/sentences.h"
#include "docent/util/utf8.h"

namespace docent::text {
namespace {

class UnitBuilder {
 public:
  UnitBuilder(std::string_view text, const BlockPlace& place, size_t limit,
              std::vector<ChunkUnit>& out)
      : text_(text), place_(place), limit_(std::max<size_t>(limit, 1)), out_(out) {}

  void Run();

 private:
  void CutLongSentence(const Span& s);
  void Add(size_t b, size_t e, bool fragment);

  std::string_view text_;
  const BlockPlace& place_;
  size_t limit_;
  std::vector<ChunkUnit>& out_;
  // Turns increasing byte offsets in the block into code point offsets without rescanning.
  size_t cursor_byte_ = 0;
  uint32_t cursor_cp_ = 0;
};

void UnitBuilder::Run() {
  if (place_.heading && util::CountCodePoints(text_) <= limit_) {
    Add(0, text_.size(), false);
    return;
  }
  for (const Span& s : SplitSentences(text_)) {
    if (util::CountCodePoints(text_.substr(s.begin, s.end - s.begin)) <= limit_) {
      Add(s.begin, s.end, false);
    } else {
      CutLongSentence(s);
    }
  }
}

// Pieces of at most `limit_` code points: cut at the last space in the second half of the
// window, else at exactly `limit_` code points.
void UnitBuilder::CutLongSentence(const Span& s) {
  std::vector<std::pair<size_t, char32_t>> cps;  // byte offset, code point
  for (size_t p = s.begin; p < s.end;) {
    size_t b = p;
    cps.emplace_back(b, DecodeUtf8Fast(text_, p));
  }
  const size_t n = cps.size();
  cps.emplace_back(s.end, U'\0');
  size_t pos = 0;
  while (pos < n) {
    size_t cut = std::min(n, pos + limit_);
    if (cut < n) {
      for (size_t c = cut; c > pos + limit_ / 2; --c) {
        if (IsSpace(cps[c].second)) {
          cut = c;
          break;
        }
      }
    }
    size_t e = cut;
    while (e > pos && IsSpace(cps[e - 1].second)) --e;
    if (e > pos) Add(cps[pos].first, cps[e].first, true);
    pos = cut;
    while (pos < n && IsSpace(cps[pos].second)) ++pos;
  }
}

void UnitBuilder::Add(size_t b, size_t e, bool fragment) {
  auto cp_at = [&](size_t byte) {
    cursor_cp_ += static_cast<uint32_t>(
        util::CountCodePoints(text_.substr(cursor_byte_, byte - cursor_byte_)));
    cursor_byte_ = byte;
    return place_.cp_base + cursor_cp_;
  };
  ChunkUnit u;
  u.bb = place_.byte_base + b;
  u.be = place_.byte_base + e;
  u.cb = cp_at(b);
  u.ce = cp_at(e);
  u.block = place_.block;
  u.path = place_.path;
  u.heading = place_.heading;
  u.fragment = fragment;
  out_.push_back(u);
}

}  // namespace

void AppendBlockUnits(std::string_view text, const BlockPlace& place, size_t limit,
                      std::vector<ChunkUnit>& out) {
  UnitBuilder(text, place, limit, out).Run();
}

}  // namespace docent::text
