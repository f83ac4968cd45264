// The prompt a model answers from: the retrieved passages, numbered, and an instruction to
// answer only from them, in the question's language, citing them as [n].
//
// The sources go in the system message, before the question, and in retrieval order: a
// follow-up question over the same passages then shares the whole system prompt with the
// first, and the engine's prefix cache (engine/scheduler.h) reads them only once. Pure
// functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/chat_template.h"
#include "docent/search/passage.h"

namespace docent::rag {

enum class AnswerLanguage { kEnglish, kKorean };

// Korean when the question holds Hangul, else English.
AnswerLanguage LanguageOf(std::string_view question);

// The system message: instructions, then "[1] title (location)\ntext" per passage.
std::string RagSystemMessage(std::span<const search::Passage> passages, AnswerLanguage language);

// The chat: the system message above and the question as the user's turn.
std::vector<llm::ChatMessage> RagMessages(std::span<const search::Passage> passages,
                                          std::string_view question);

}  // namespace docent::rag
