// Loading and validating the shared token table (see tokenizer_vocab.h).
#include "docent/llm/tokenizer_vocab.h"

#include <limits>

namespace docent::llm {

Result<TokenizerVocab> TokenizerVocab::FromParts(std::span<const std::string_view> texts,
                                                 std::span<const float> scores,
                                                 std::span<const int32_t> types, std::string name) {
  if (texts.empty()) return Corrupt(name + ": tokenizer.ggml.tokens is empty");
  if (texts.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2)) {
    return Corrupt(name + ": tokenizer.ggml.tokens has too many entries");
  }
  if (!scores.empty() && scores.size() != texts.size()) {
    return Corrupt(name + ": tokenizer.ggml.scores has " + std::to_string(scores.size()) +
                   " entries but tokenizer.ggml.tokens has " + std::to_string(texts.size()));
  }
  if (!types.empty() && types.size() != texts.size()) {
    return Corrupt(name + ": tokenizer.ggml.token_type has " + std::to_string(types.size()) +
                   " entries but tokenizer.ggml.tokens has " + std::to_string(texts.size()));
  }
  TokenizerVocab v;
  v.name_ = std::move(name);
  size_t total = 0;
  for (std::string_view t : texts) total += t.size();
  if (total > std::numeric_limits<uint32_t>::max()) {
    return Corrupt(v.name_ + ": token texts exceed 4 GiB");
  }
  v.arena_.reserve(total);
  v.offsets_.reserve(texts.size() + 1);
  v.offsets_.push_back(0);
  for (std::string_view t : texts) {
    v.arena_.insert(v.arena_.end(), t.begin(), t.end());
    v.offsets_.push_back(static_cast<uint32_t>(v.arena_.size()));
  }
  v.scores_.assign(texts.size(), 0.0f);
  if (!scores.empty()) v.scores_.assign(scores.begin(), scores.end());
  v.types_.assign(texts.size(), TokenType::kNormal);
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] < 0 || types[i] > static_cast<int32_t>(TokenType::kByte)) {
      return Corrupt(v.name_ + ": tokenizer.ggml.token_type[" + std::to_string(i) + "] is " +
                     std::to_string(types[i]) + ", outside 0..6");
    }
    v.types_[i] = static_cast<TokenType>(types[i]);
  }
  v.index_.reserve(texts.size());
  for (int32_t id = 0; id < v.size(); ++id) v.index_.emplace(v.Text(id), id);
  return v;
}

Result<TokenizerVocab> TokenizerVocab::FromGguf(const GgufFile& file) {
  DOCENT_ASSIGN_OR_RETURN(std::span<const std::string_view> texts,
                          file.GetStringArray("tokenizer.ggml.tokens"));
  std::vector<float> scores;
  if (file.Has("tokenizer.ggml.scores")) {
    DOCENT_ASSIGN_OR_RETURN(scores, file.GetF32Array("tokenizer.ggml.scores"));
    // FromParts reads an empty array as "absent"; a present one must be complete.
    if (scores.size() != texts.size()) {
      return Corrupt(file.name() + ": tokenizer.ggml.scores has " + std::to_string(scores.size()) +
                     " entries but tokenizer.ggml.tokens has " + std::to_string(texts.size()));
    }
  }
  std::vector<int32_t> types;
  if (file.Has("tokenizer.ggml.token_type")) {
    DOCENT_ASSIGN_OR_RETURN(types, file.GetI32Array("tokenizer.ggml.token_type"));
    if (types.size() != texts.size()) {
      return Corrupt(file.name() + ": tokenizer.ggml.token_type has " +
                     std::to_string(types.size()) + " entries but tokenizer.ggml.tokens has " +
                     std::to_string(texts.size()));
    }
  }
  return FromParts(texts, scores, types, file.name());
}

namespace {

// "<0x41>" -> 0x41; -1 for anything else.
int ParseByteToken(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return -1;
  int value = 0;
  for (char c : text.substr(3, 2)) {
    const int d = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                           : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

}  // namespace

void AppendSentencePieceBytes(std::string_view piece, TokenType type, std::string& out) {
  if (type == TokenType::kByte) {
    if (const int byte = ParseByteToken(piece); byte >= 0) {
      out.push_back(static_cast<char>(byte));
      return;
    }
  }
  for (size_t pos = 0; pos < piece.size();) {
    if (piece.substr(pos, kSentencePieceSpace.size()) == kSentencePieceSpace) {
      out.push_back(' ');
      pos += kSentencePieceSpace.size();
    } else {
      out.push_back(piece[pos++]);
    }
  }
}

}  // namespace docent::llm
