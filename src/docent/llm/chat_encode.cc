// Rendering and tokenizing a chat (see chat_encode.h).
#include "docent/llm/chat_encode.h"

namespace docent::llm {

std::vector<uint32_t> EncodeChat(const Tokenizer& tokenizer, ChatFamily family,
                                 std::span<const ChatMessage> messages) {
  const std::string text = RenderChat(family, messages, /*add_generation_prompt=*/true);
  const bool has_bos = RenderedTextStartsWithBos(family, text);
  const std::vector<int32_t> ids =
      tokenizer.Encode(text, /*add_special=*/!has_bos, /*parse_special=*/true);
  return std::vector<uint32_t>(ids.begin(), ids.end());
}

}  // namespace docent::llm
