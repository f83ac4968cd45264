// Building the answer prompt from retrieved passages (see generative_prompt.h).
#include "docent/rag/generative_prompt.h"

#include <algorithm>
#include <cassert>

#include "docent/rag/hangul.h"

namespace docent::rag {
namespace {

// Before the passages, so every passage's stored KV has read it: the instruction, which
// depends on neither the question nor its language (the model reads English instructions
// whatever language it answers in).
constexpr std::string_view kSourcesLine =
    "Answer the question using only the numbered sources below. Do not guess beyond them; if "
    "they do not contain the answer, say that the documents do not say. Cite the source of each "
    "statement as [1], [2], and so on.\n\nSources:\n\n";

// After the passages: only what depends on the question's language, kept short, since
// everything after the passages is computed for every question.
std::string_view Instructions(AnswerLanguage language) {
  if (language == AnswerLanguage::kKorean) {
    return "위 출처만을 근거로, 출처 번호를 붙여 한국어로 간결하게 답하세요.";
  }
  return "Answer in English, briefly, citing the sources above.";
}

// "[n] title (location)\n", after the blank line that ends the previous passage.
std::string Header(size_t index, const search::Passage& p) {
  std::string out = index == 0 ? "" : "\n\n";
  out += "[" + std::to_string(index + 1) + "] " + p.doc_title;
  if (!p.location.empty()) out += " (" + p.location + ")";
  out += "\n";
  return out;
}

std::string Tail(AnswerLanguage language) {
  return "\n\n" + std::string(Instructions(language));
}

}  // namespace

AnswerLanguage LanguageOf(std::string_view question) {
  return ContainsHangul(question) ? AnswerLanguage::kKorean : AnswerLanguage::kEnglish;
}

std::vector<search::Passage> CanonicalOrder(std::vector<search::Passage> passages) {
  std::stable_sort(passages.begin(), passages.end(),
                   [](const search::Passage& a, const search::Passage& b) {
                     if (a.doc_id != b.doc_id) return a.doc_id < b.doc_id;
                     return a.chunk_id < b.chunk_id;
                   });
  return passages;
}

std::string RagSystemMessage(std::span<const search::Passage> passages, AnswerLanguage language) {
  std::string out(kSourcesLine);
  for (size_t i = 0; i < passages.size(); ++i) out += Header(i, passages[i]) + passages[i].text;
  return out + Tail(language);
}

std::vector<llm::ChatMessage> RagMessages(std::span<const search::Passage> passages,
                                          std::string_view question) {
  return {{"system", RagSystemMessage(passages, LanguageOf(question))},
          {"user", std::string(question)}};
}

std::vector<llm::PartedMessage> RagPartedMessages(std::span<const search::Passage> passages,
                                                  std::string_view question) {
  llm::PartedMessage system{"system", {std::string(kSourcesLine)}};
  for (size_t i = 0; i < passages.size(); ++i) {
    system.parts.push_back(Header(i, passages[i]));
    system.parts.push_back(passages[i].text);
  }
  system.parts.push_back(Tail(LanguageOf(question)));
  return {std::move(system), {"user", {std::string(question)}}};
}

RagPrompt BuildRagPrompt(const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                         std::span<const search::Passage> passages, std::string_view question) {
  const std::vector<llm::PartedMessage> messages = RagPartedMessages(passages, question);
  llm::PartedChat chat = llm::EncodeChatParts(tokenizer, family, messages);
  // Every template writes both messages verbatim (chat_template_test holds each family to it).
  assert(chat.parted);
  RagPrompt prompt;
  prompt.tokens = std::move(chat.tokens);
  // The system message's parts are the sources line, then a header and a text per passage,
  // then the instructions; everything after the last passage is the tail.
  using Kind = PromptSegment::Kind;
  const int last_part = static_cast<int>(messages[0].parts.size()) - 1;
  bool tail = false;
  for (const llm::PartedChat::Piece& piece : chat.pieces) {
    Kind kind = Kind::kStart;
    int source = 0;
    if (piece.message == 0 && piece.part > 0 && piece.part < last_part) {
      source = (piece.part + 1) / 2;
      kind = piece.part % 2 == 1 ? Kind::kHeader : Kind::kPassage;
    } else if (piece.message > 0 || (piece.message == 0 && piece.part == last_part)) {
      tail = true;
    }
    if (tail) kind = Kind::kTail;
    if (!prompt.segments.empty() && prompt.segments.back().kind == kind &&
        prompt.segments.back().source == source) {
      prompt.segments.back().end = piece.end;
    } else {
      prompt.segments.push_back({kind, piece.begin, piece.end, source});
    }
  }
  return prompt;
}

}  // namespace docent::rag
