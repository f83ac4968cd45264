// Byte-level BPE merging (see tokenizer_bpe.h).
#include "docent/llm/tokenizer_bpe.h"

#include <queue>
#include <string>

#include "docent/util/utf8.h"

namespace docent::llm {
namespace {

// The printable Latin-1 bytes stand for themselves; the other 68 (controls, space, DEL,
// NBSP, soft hyphen) take code points from U+0100 up, in byte order.
bool IsSelfMappedByte(unsigned b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct ByteAlphabet {
  std::array<char32_t, 256> to_cp{};
  std::array<int16_t, 0x144> to_byte{};  // every mapped code point is below U+0144
  ByteAlphabet() {
    to_byte.fill(-1);
    char32_t next = 0x100;
    for (unsigned b = 0; b < 256; ++b) {
      to_cp[b] = IsSelfMappedByte(b) ? static_cast<char32_t>(b) : next++;
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteAlphabet& Alphabet() {
  static const ByteAlphabet kAlphabet;
  return kAlphabet;
}

}  // namespace

char32_t ByteToBpeCodePoint(uint8_t byte) {
  return Alphabet().to_cp[byte];
}

int BpeCodePointToByte(char32_t cp) {
  return cp < Alphabet().to_byte.size() ? Alphabet().to_byte[cp] : -1;
}

BpeBackend::BpeBackend(const TokenizerVocab& vocab, PreTokenizer pre, int32_t unk_id)
    : vocab_(vocab), pre_(std::move(pre)), unk_id_(unk_id) {}

Result<std::unique_ptr<BpeBackend>> BpeBackend::Create(const TokenizerVocab& vocab,
                                                       std::span<const std::string_view> merges,
                                                       PreTokenizer pre, int32_t unk_id) {
  std::unique_ptr<BpeBackend> b(new BpeBackend(vocab, std::move(pre), unk_id));
  std::string text;
  for (unsigned byte = 0; byte < 256; ++byte) {
    text.clear();
    util::AppendUtf8(ByteToBpeCodePoint(static_cast<uint8_t>(byte)), text);
    b->byte_ids_[byte] = vocab.Find(text);
  }
  b->merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    std::string_view line = merges[rank];
    // A side never starts with a space in a well-formed file, so the first space after
    // the first byte separates the two sides.
    size_t space = line.size() > 1 ? line.find(' ', 1) : std::string_view::npos;
    if (space == std::string_view::npos || space + 1 >= line.size()) {
      return Corrupt(vocab.name() + ": tokenizer.ggml.merges[" + std::to_string(rank) + "] is \"" +
                     std::string(line.substr(0, 64)) + "\", not two tokens separated by a space");
    }
    std::string_view left = line.substr(0, space), right = line.substr(space + 1);
    text.assign(left).append(right);
    int32_t l = vocab.Find(left), r = vocab.Find(right), result = vocab.Find(text);
    if (l < 0 || r < 0 || result < 0) {
      ++b->skipped_merges_;
      continue;
    }
    // The first (highest-priority) line for a pair wins if a file repeats one.
    b->merges_.emplace(PairKey(l, r), Merge{static_cast<int32_t>(rank), result});
  }
  return b;
}

void BpeBackend::Encode(std::string_view text, bool /*after_boundary*/,
                        std::vector<int32_t>& out) const {
  std::vector<std::string_view> pieces;
  pre_.Split(text, pieces);
  for (std::string_view piece : pieces) EncodePiece(piece, out);
}

void BpeBackend::EncodePiece(std::string_view piece, std::vector<int32_t>& out) const {
  if (pre_.spec().ignore_merges) {
    std::string mapped;
    mapped.reserve(piece.size() * 2);
    for (char c : piece) util::AppendUtf8(ByteToBpeCodePoint(static_cast<uint8_t>(c)), mapped);
    int32_t whole = vocab_.Find(mapped);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
  };
  const int32_t n = static_cast<int32_t>(piece.size());
  std::vector<Symbol> syms(n);
  for (int32_t i = 0; i < n; ++i) {
    syms[i] = {byte_ids_[static_cast<uint8_t>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  struct Candidate {
    int32_t rank;
    int32_t left;  // symbol index
    int32_t left_id;
    int32_t right_id;
    int32_t result;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : left > o.left;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int32_t left) {
    if (left < 0) return;
    int32_t right = syms[left].next;
    if (right < 0 || syms[left].id < 0 || syms[right].id < 0) return;
    if (const Merge* m = FindMerge(syms[left].id, syms[right].id)) {
      heap.push({m->rank, left, syms[left].id, syms[right].id, m->result});
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    Symbol& left = syms[c.left];
    // Stale when either side has merged since the pair was queued: ids then differ (a
    // merged-away symbol gets id -2, and a merge always changes the left id).
    if (left.id != c.left_id || left.next < 0 || syms[left.next].id != c.right_id) continue;
    Symbol& right = syms[left.next];
    left.id = c.result;
    right.id = -2;
    left.next = right.next;
    if (right.next >= 0) syms[right.next].prev = c.left;
    consider(left.prev);
    consider(c.left);
  }
  for (int32_t i = 0; i >= 0 && i < n; i = syms[i].next) {
    if (syms[i].id >= 0) {
      out.push_back(syms[i].id);
    } else if (unk_id_ >= 0) {
      out.push_back(unk_id_);  // a byte the vocabulary has no token for
    }
  }
}

void BpeBackend::AppendTokenBytes(int32_t id, std::string& out) const {
  std::string_view text = vocab_.Text(id);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    char32_t cp = util::DecodeUtf8(text, pos);
    int byte = BpeCodePointToByte(cp);
    if (byte >= 0 && cp != util::kReplacementChar) {
      out.push_back(static_cast<char>(byte));
    } else {
      // Outside the byte alphabet (a hand-added token): pass its text through unchanged.
      out.append(text.substr(start, pos - start));
    }
  }
}

}  // namespace docent::llm
