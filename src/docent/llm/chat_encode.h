// A chat as the model reads it: rendered through its template family and tokenized with the
// template's control tokens parsed, without a second BOS when the template writes one.
//
// Two ways to tokenize:
//   * EncodeChat: the rendered text as one text (what llama.cpp does with a chat), so merges
//     run across the edges between the template and the contents.
//   * EncodeChatParts: piece by piece. The template's own text is read with its control tokens,
//     and each part of each message's content on its own, never parsed for control tokens, so
//     no token spans two parts and a document's "<|im_end|>" stays text. This is how the answer
//     prompt is built (rag/generative_prompt.h: a passage's tokens are the same wherever it
//     lands), and how /v1/chat/completions reads a message whose content is an array of text
//     parts: a front node that sends the answer prompt's passages as parts to a docent
//     generator gets exactly the tokens an in-process model reads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "docent/llm/chat_template.h"
#include "docent/llm/tokenizer.h"

namespace docent::llm {

// The prompt's token ids, ending with the assistant turn's opening.
std::vector<uint32_t> EncodeChat(const Tokenizer& tokenizer, ChatFamily family,
                                 std::span<const ChatMessage> messages);

// A message whose content is given in parts (OpenAI's content arrays); the content is their
// concatenation.
struct PartedMessage {
  std::string role;
  std::vector<std::string> parts;
};

// The content of `message`: its parts, concatenated.
ChatMessage JoinParts(const PartedMessage& message);

struct PartedChat {
  std::vector<uint32_t> tokens;
  // A run of `tokens`: the template's text (message -1) or part `part` of message `message`.
  struct Piece {
    int message = -1;
    int part = -1;
    uint32_t begin = 0;  // [begin, end) in tokens
    uint32_t end = 0;
  };
  std::vector<Piece> pieces;  // in order, covering every token (BOS included, as template)
  // False when the template does not write every content verbatim (or stripped, as the Llama 3
  // and Gemma templates do): the chat was then tokenized as EncodeChat does, and `pieces` is
  // one template piece.
  bool parted = true;
};

// The chat piece by piece (above). Decoding the tokens gives RenderChat's text back.
PartedChat EncodeChatParts(const Tokenizer& tokenizer, ChatFamily family,
                           std::span<const PartedMessage> messages);

}  // namespace docent::llm
