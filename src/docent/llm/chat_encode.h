// A chat as the model reads it: rendered through its template family and tokenized with the
// template's control tokens parsed, without a second BOS when the template writes one.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/chat_template.h"
#include "docent/llm/tokenizer.h"

namespace docent::llm {

// The prompt's token ids, ending with the assistant turn's opening.
std::vector<uint32_t> EncodeChat(const Tokenizer& tokenizer, ChatFamily family,
                                 std::span<const ChatMessage> messages);

}  // namespace docent::llm
