// The prompt a model answers from: the retrieved passages, numbered, and an instruction to
// answer only from them, in the question's language, citing them as [n].
//
// The layout serves reuse of what the model computed for a passage (issue: the chunk KV
// store), and of whole prompts (the engine's prefix cache):
//   * What comes before the first passage is fixed: BOS, the chat template's opening and a
//     neutral "Sources:" line. It depends on neither the question nor its language, so a
//     passage's keys and values computed after it hold for every question.
//   * The passages follow in canonical order (by document, then chunk), whatever order
//     retrieval gave them in: the same set of passages makes the same prompt.
//   * Each passage is tokenized on its own ("[n] title (location)" header, then the body), so
//     no merge crosses its edges and its body's tokens are the same wherever it lands.
//     Document text is never parsed for control tokens: "<|im_end|>" in a PDF stays text.
//   * The instruction (in the question's language) and the question come after the passages.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/chat_encode.h"
#include "docent/llm/chat_template.h"
#include "docent/llm/tokenizer.h"
#include "docent/search/passage.h"

namespace docent::rag {

enum class AnswerLanguage { kEnglish, kKorean };

// Korean when the question holds Hangul, else English.
AnswerLanguage LanguageOf(std::string_view question);

// `passages` sorted by document, then chunk: the order the prompt numbers them in.
std::vector<search::Passage> CanonicalOrder(std::vector<search::Passage> passages);

// The system message: "Sources:", then "[n] title (location)\ntext" per passage, then the
// instructions in `language`.
std::string RagSystemMessage(std::span<const search::Passage> passages, AnswerLanguage language);

// The chat: the system message above and the question as the user's turn.
std::vector<llm::ChatMessage> RagMessages(std::span<const search::Passage> passages,
                                          std::string_view question);

// RagMessages with the system message in parts: the sources line, then "[n] title (location)"
// and the text of each passage, then the instructions; the question as the user's one part.
// What BuildRagPrompt tokenizes part by part (llm/chat_encode.h), and what a front node sends a
// docent generator as content parts, so that the generator reads the same tokens.
std::vector<llm::PartedMessage> RagPartedMessages(std::span<const search::Passage> passages,
                                                  std::string_view question);

// A span of RagPrompt::tokens and what it holds.
struct PromptSegment {
  enum class Kind {
    kStart,    // BOS, the template's opening, "Sources:": the same for every question
    kHeader,   // "[n] title (location)\n", after a blank line from the second passage on
    kPassage,  // a passage's text, tokenized on its own
    kTail,     // the instructions, the question and the template's turn markers
  };
  Kind kind = Kind::kStart;
  uint32_t begin = 0;  // [begin, end) in tokens
  uint32_t end = 0;
  int source = 0;  // kHeader / kPassage: n, the passage's number in the prompt
};

struct RagPrompt {
  std::vector<uint32_t> tokens;
  std::vector<PromptSegment> segments;  // in order, covering every token
};

// RagMessages(passages, question) through the chat template of `family`, tokenized segment by
// segment as described above; `passages` are numbered in the order given (CanonicalOrder
// them first). Decoding the tokens gives the rendered chat back.
RagPrompt BuildRagPrompt(const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                         std::span<const search::Passage> passages, std::string_view question);

}  // namespace docent::rag
