// SentencePiece Unigram: character-map normalization and the best segmentation (see
// tokenizer_ugm.h). Written here rather than linked from libsentencepiece: ids must match
// llama.cpp's reading of a GGUF, which differs from sentencepiece's own in a few places
// (user-defined scores, unused pieces, spaces inside replacements), and the vocabulary comes
// from GGUF metadata, not a model proto.
#include "docent/llm/tokenizer_ugm.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace docent::llm {
namespace {

constexpr std::string_view kSpaceMark = kSentencePieceSpace;
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";
// What a character no piece starts with costs beyond the least likely normal piece.
constexpr float kUnknownPenalty = 10.0f;

// The double-array trie unit's fields (darts-clone's layout): a leaf's unit carries its value;
// a label's high bit keeps leaves from matching a byte.
uint32_t Label(uint32_t unit) {
  return unit & 0x800000FFu;
}
bool HasLeaf(uint32_t unit) {
  return ((unit >> 8) & 1u) != 0;
}
uint32_t Offset(uint32_t unit) {
  return (unit >> 10) << ((unit & 0x200u) >> 6);
}
uint32_t Value(uint32_t unit) {
  return unit & 0x7FFFFFFFu;
}

// The length of the UTF-8 sequence a lead byte announces, by its high bits as llama.cpp
// reads it (1 for a stray continuation byte, 4 for every byte from 0xF0).
size_t Utf8Length(uint8_t lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Whether a whole, well-formed-looking character starts at `pos`: its continuation bytes are
// there and are continuation bytes. (As llama.cpp checks: overlong forms pass.)
bool WholeCharacterAt(std::string_view text, size_t pos) {
  const auto lead = static_cast<uint8_t>(text[pos]);
  if (lead >= 0x80 && lead < 0xC0) return false;
  if (lead >= 0xF8) return false;
  const size_t n = Utf8Length(lead);
  if (pos + n > text.size()) return false;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<uint8_t>(text[pos + i]) & 0xC0) != 0x80) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<UgmBackend>> UgmBackend::Create(const TokenizerVocab& vocab, int32_t unk_id,
                                                       const Options& options) {
  std::unique_ptr<UgmBackend> b(new UgmBackend(vocab, unk_id));
  b->add_space_prefix_ = options.add_space_prefix;
  b->remove_extra_whitespaces_ = options.remove_extra_whitespaces;
  if (!options.charsmap.empty()) {
    const std::span<const uint8_t> map = options.charsmap;
    if (map.size() < 4) return Corrupt("precompiled_charsmap: shorter than its size field");
    uint32_t trie_bytes = 0;
    std::memcpy(&trie_bytes, map.data(), 4);  // little-endian, as GGUF is
    if (trie_bytes % 4 != 0 || static_cast<uint64_t>(trie_bytes) + 4 >= map.size()) {
      return Corrupt("precompiled_charsmap: its trie of " + std::to_string(trie_bytes) +
                     " bytes does not fit the " + std::to_string(map.size()) + "-byte map");
    }
    if (trie_bytes > 0) {  // an empty trie maps nothing
      b->units_.resize(trie_bytes / 4);
      std::memcpy(b->units_.data(), map.data() + 4, trie_bytes);
      b->replacements_.assign(reinterpret_cast<const char*>(map.data()) + 4 + trie_bytes,
                              map.size() - 4 - trie_bytes);
    }
  }
  if (!vocab.Contains(unk_id) || vocab.Type(unk_id) != TokenType::kUnknown) {
    return Corrupt("a Unigram vocabulary needs its unknown token (unknown_token_id is " +
                   std::to_string(unk_id) + ")");
  }

  float min_score = FLT_MAX;
  b->user_trie_.emplace_back();
  for (int32_t id = 0; id < vocab.size(); ++id) {
    const TokenType type = vocab.Type(id);
    const std::string_view text = vocab.Text(id);
    if (type == TokenType::kNormal) min_score = std::min(min_score, vocab.Score(id));
    if (type == TokenType::kNormal || type == TokenType::kUserDefined ||
        type == TokenType::kUnused) {
      if (!std::isfinite(vocab.Score(id))) {
        return Corrupt("piece " + std::to_string(id) + " has a score that is not a number");
      }
      b->max_piece_bytes_ = std::max(b->max_piece_bytes_, text.size());
      // The segmentation's pieces by text; when two share a text the later one wins, as in
      // llama.cpp's matcher (TokenizerVocab::Find keeps the first, of any type).
      b->pieces_[text] = id;
    }
    if (type == TokenType::kUserDefined && !text.empty()) {
      uint32_t node = 0;
      for (char c : text) {
        auto [it, added] =
            b->user_trie_[node].try_emplace(static_cast<uint8_t>(c), static_cast<uint32_t>(0));
        if (added) {
          it->second = static_cast<uint32_t>(b->user_trie_.size());
          b->user_trie_.emplace_back();
        }
        node = it->second;
      }
    }
  }
  if (min_score == FLT_MAX) min_score = 0;
  b->unk_score_ = static_cast<double>(min_score - kUnknownPenalty);
  return b;
}

size_t UgmBackend::UserDefinedPrefix(std::string_view text, size_t pos) const {
  uint32_t node = 0;
  size_t length = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    auto it = user_trie_[node].find(static_cast<uint8_t>(text[i]));
    if (it == user_trie_[node].end()) break;
    node = it->second;
    length = i - pos + 1;
  }
  return length;
}

std::pair<std::string_view, size_t> UgmBackend::NormalizePrefix(std::string_view text, size_t pos,
                                                                std::string& scratch) const {
  if (const size_t user = UserDefinedPrefix(text, pos); user > 0) {
    return {text.substr(pos, user), user};
  }
  if (!units_.empty()) {
    // The longest key of the character map that the input starts with here.
    size_t best = 0;
    uint32_t best_value = 0;
    uint32_t node = Offset(units_[0]);
    for (size_t i = pos; i < text.size(); ++i) {
      const auto c = static_cast<uint8_t>(text[i]);
      if (c == 0) break;
      node ^= c;
      if (node >= units_.size() || Label(units_[node]) != c) break;
      const bool leaf = HasLeaf(units_[node]);
      node ^= Offset(units_[node]);
      if (node >= units_.size()) break;
      if (leaf) {
        best = i - pos + 1;
        best_value = Value(units_[node]);
      }
    }
    if (best > 0 && best_value < replacements_.size()) {
      const size_t end = replacements_.find('\0', best_value);
      if (end != std::string::npos) {
        scratch.assign(replacements_, best_value, end - best_value);
        return {scratch, best};
      }
    }
  }
  if (WholeCharacterAt(text, pos)) {
    const size_t n = Utf8Length(static_cast<uint8_t>(text[pos]));
    return {text.substr(pos, n), n};
  }
  return {kReplacementChar, 1};
}

std::string UgmBackend::Normalize(std::string_view text, bool prefix) const {
  std::string out;
  out.reserve(text.size() + text.size() / 4 + 3);
  std::string scratch;
  bool in_word = false, prepended = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto [bytes, consumed] = NormalizePrefix(text, pos, scratch);
    for (char c : bytes) {
      if (c != ' ') {
        if (!in_word) {
          in_word = true;
          // With extra spaces removed every word opens with ▁, the first one included.
          if ((prefix && !prepended) || remove_extra_whitespaces_) {
            out += kSpaceMark;
            prepended = true;
          }
        }
        out += c;
      } else {
        in_word = false;
        if (!remove_extra_whitespaces_) out += kSpaceMark;
      }
    }
    pos += consumed;
  }
  return out;
}

void UgmBackend::Encode(std::string_view text, bool after_boundary,
                        std::vector<int32_t>& out) const {
  const std::string normalized = Normalize(text, add_space_prefix_ && after_boundary);
  const size_t n = normalized.size();
  if (n == 0) return;
  struct Best {
    int32_t id;
    size_t start = 0;
    double score = -DBL_MAX;
  };
  std::vector<Best> best(n + 1, Best{unk_id_});
  best[0].score = 0;
  const std::string_view s = normalized;
  size_t pos = 0;
  while (pos < n) {
    const size_t char_len = std::min(Utf8Length(static_cast<uint8_t>(s[pos])), n - pos);
    bool single_char_piece = false;
    // Every piece that starts here, shortest first (the first of equal scores stays).
    for (size_t end = pos + 1; end <= n && end - pos <= max_piece_bytes_; ++end) {
      const auto found = pieces_.find(s.substr(pos, end - pos));
      if (found == pieces_.end()) continue;
      const int32_t id = found->second;
      const TokenType type = vocab_.Type(id);
      const double piece = type == TokenType::kUserDefined ? 0.0 : vocab_.Score(id);
      const double score = best[pos].score + piece;
      if (score > best[end].score) best[end] = {id, pos, score};
      if (end - pos == char_len) single_char_piece = true;
    }
    if (!single_char_piece) {
      const size_t end = pos + char_len;
      const double score = best[pos].score + unk_score_;
      if (score > best[end].score) best[end] = {unk_id_, pos, score};
    }
    pos += char_len;
  }
  // Back from the end; unknown tokens next to each other become one.
  std::vector<int32_t> ids;
  for (size_t at = n; at > 0;) {
    const Best& b = best[at];
    if (!(b.id == unk_id_ && !ids.empty() && ids.back() == unk_id_)) ids.push_back(b.id);
    at = b.start;
  }
  out.insert(out.end(), ids.rbegin(), ids.rend());
}

void UgmBackend::AppendTokenBytes(int32_t id, std::string& out) const {
  if (!vocab_.Contains(id)) return;
  const TokenType type = vocab_.Type(id);
  // Unused pieces decode to nothing; control, unknown and user-defined ones Tokenizer renders.
  if (type == TokenType::kNormal || type == TokenType::kByte) {
    AppendSentencePieceBytes(vocab_.Text(id), type, out);
  }
}

}  // namespace docent::llm
