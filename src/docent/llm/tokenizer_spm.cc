// SentencePiece score-ordered merging (see tokenizer_spm.h).
#include "docent/llm/tokenizer_spm.h"

#include <cstdio>
#include <queue>
#include <string>

#include "docent/util/utf8.h"

namespace docent::llm {
namespace {

constexpr std::string_view kSpaceMark = kSentencePieceSpace;

}  // namespace

std::unique_ptr<SpmBackend> SpmBackend::Create(const TokenizerVocab& vocab, int32_t unk_id,
                                               bool add_space_prefix) {
  std::unique_ptr<SpmBackend> b(new SpmBackend(vocab, unk_id, add_space_prefix));
  char name[8];
  for (unsigned byte = 0; byte < 256; ++byte) {
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    b->byte_ids_[byte] = vocab.Find(name);
  }
  return b;
}

void SpmBackend::Encode(std::string_view text, bool after_boundary,
                        std::vector<int32_t>& out) const {
  if (text.empty()) return;
  std::string s;
  s.reserve(text.size() * 2 + 3);
  if (add_space_prefix_ && after_boundary) s.append(kSpaceMark);
  for (char c : text) {
    if (c == ' ') {
      s.append(kSpaceMark);
    } else {
      s.push_back(c);
    }
  }
  struct Symbol {
    uint32_t start;
    uint32_t len;  // 0 once merged into the symbol on its left
    int32_t prev;
    int32_t next;
  };
  std::vector<Symbol> syms;
  syms.reserve(s.size());
  // One symbol per character; a malformed byte is a symbol of its own (DecodeUtf8 steps
  // over exactly one), so it falls back to its byte token without taking neighbours along.
  for (size_t pos = 0; pos < s.size();) {
    const size_t start = pos;
    (void)util::DecodeUtf8(s, pos);
    int32_t i = static_cast<int32_t>(syms.size());
    syms.push_back(
        {static_cast<uint32_t>(start), static_cast<uint32_t>(pos - start), i - 1, i + 1});
  }
  syms.back().next = -1;

  struct Candidate {
    float score;
    int32_t left;
    uint32_t len;  // joined length when queued; a mismatch later means the pair is stale
    bool operator<(const Candidate& o) const {
      return score != o.score ? score < o.score : left > o.left;
    }
  };
  std::priority_queue<Candidate> heap;
  auto consider = [&](int32_t left) {
    if (left < 0) return;
    int32_t right = syms[left].next;
    if (right < 0) return;
    uint32_t len = syms[left].len + syms[right].len;
    int32_t id = vocab_.Find(std::string_view(s).substr(syms[left].start, len));
    if (id >= 0) heap.push({vocab_.Score(id), left, len});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) consider(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    Symbol& left = syms[c.left];
    if (left.len == 0 || left.next < 0) continue;
    Symbol& right = syms[left.next];
    if (left.len + right.len != c.len) continue;
    left.len = c.len;
    right.len = 0;
    left.next = right.next;
    if (left.next >= 0) syms[left.next].prev = c.left;
    consider(left.prev);
    consider(c.left);
  }
  for (int32_t i = 0; i >= 0; i = syms[i].next) {
    std::string_view piece = std::string_view(s).substr(syms[i].start, syms[i].len);
    int32_t id = vocab_.Find(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : piece) {
      int32_t byte_id = byte_ids_[static_cast<uint8_t>(c)];
      if (byte_id >= 0) {
        out.push_back(byte_id);
      } else if (unk_id_ >= 0) {
        out.push_back(unk_id_);
        break;  // one unknown token stands for the whole character
      }
    }
  }
}

void SpmBackend::AppendTokenBytes(int32_t id, std::string& out) const {
  AppendSentencePieceBytes(vocab_.Text(id), vocab_.Type(id), out);
}

}  // namespace docent::llm
