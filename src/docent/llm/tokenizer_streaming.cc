// Holding back incomplete UTF-8 between streamed tokens (see tokenizer_streaming.h).
#include "docent/llm/tokenizer_streaming.h"

#include "docent/util/utf8.h"

namespace docent::llm {

size_t IncompleteUtf8Suffix(std::string_view s) {
  // Walk back over at most three continuation bytes to the sequence's lead byte.
  size_t n = s.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    auto b = static_cast<uint8_t>(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
    // Hold back only a lead byte still waiting for its continuations; anything else
    // (complete, ASCII, or a byte that can never start a character) goes out now.
    return need > back ? back : 0;
  }
  return 0;
}

std::string StreamingDecoder::Push(int32_t id) {
  tokenizer_->AppendDecoded(id, render_special_, at_start_, pending_);
  size_t hold = IncompleteUtf8Suffix(pending_);
  std::string ready =
      util::ToValidUtf8(std::string_view(pending_).substr(0, pending_.size() - hold));
  pending_.erase(0, pending_.size() - hold);
  return ready;
}

std::string StreamingDecoder::Finish() {
  std::string rest = util::ToValidUtf8(pending_);
  pending_.clear();
  at_start_ = true;
  return rest;
}

}  // namespace docent::llm
