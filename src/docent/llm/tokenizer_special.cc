// Special-token matching (see tokenizer_special.h).
#include "docent/llm/tokenizer_special.h"

#include <algorithm>

namespace docent::llm {

SpecialTokenMatcher::SpecialTokenMatcher(const TokenizerVocab& vocab) : vocab_(vocab) {
  for (int32_t id = 0; id < vocab.size(); ++id) {
    TokenType type = vocab.Type(id);
    bool special = type == TokenType::kControl || type == TokenType::kUserDefined ||
                   type == TokenType::kUnknown;
    std::string_view text = vocab.Text(id);
    if (!special || text.empty()) continue;
    by_first_byte_[static_cast<uint8_t>(text[0])].push_back(id);
    ++count_;
  }
  for (auto& ids : by_first_byte_) {
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
      return vocab.Text(a).size() > vocab.Text(b).size();
    });
  }
}

void SpecialTokenMatcher::Partition(std::string_view text, bool parse_special,
                                    std::vector<TextFragment>& out) const {
  size_t plain_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int32_t hit = -1;
    for (int32_t id : by_first_byte_[static_cast<uint8_t>(text[pos])]) {
      if (!parse_special && vocab_.Type(id) != TokenType::kUserDefined) continue;
      std::string_view t = vocab_.Text(id);
      if (text.size() - pos >= t.size() && text.compare(pos, t.size(), t) == 0) {
        hit = id;
        break;
      }
    }
    if (hit < 0) {
      ++pos;
      continue;
    }
    if (pos > plain_start) out.push_back({-1, text.substr(plain_start, pos - plain_start)});
    out.push_back({hit, text.substr(pos, vocab_.Text(hit).size())});
    pos += vocab_.Text(hit).size();
    plain_start = pos;
  }
  if (plain_start < text.size()) out.push_back({-1, text.substr(plain_start)});
}

}  // namespace docent::llm
