// Building the answer prompt from retrieved passages (see generative_prompt.h).
#include "docent/rag/generative_prompt.h"

#include <cstdint>

namespace docent::rag {
namespace {

bool IsHangul(uint32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
         (cp >= 0x3130 && cp <= 0x318F);
}

}  // namespace

AnswerLanguage LanguageOf(std::string_view question) {
  // A small UTF-8 walk: only three-byte sequences can be Hangul.
  for (size_t i = 0; i + 2 < question.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(question[i]);
    if ((b0 & 0xF0) != 0xE0) continue;
    const auto b1 = static_cast<unsigned char>(question[i + 1]);
    const auto b2 = static_cast<unsigned char>(question[i + 2]);
    if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) continue;
    const uint32_t cp = (b0 & 0x0Fu) << 12 | (b1 & 0x3Fu) << 6 | (b2 & 0x3Fu);
    if (IsHangul(cp)) return AnswerLanguage::kKorean;
  }
  return AnswerLanguage::kEnglish;
}

std::string RagSystemMessage(std::span<const search::Passage> passages, AnswerLanguage language) {
  std::string out;
  if (language == AnswerLanguage::kKorean) {
    out =
        "아래의 번호가 붙은 출처만을 근거로 질문에 답하세요. 출처에 없는 내용은 추측하지 말고, "
        "출처에 답이 없으면 문서에 없다고 말하세요. 근거로 쓴 문장마다 [1]처럼 출처 번호를 "
        "붙이세요. 한국어로 간결하게 답하세요.\n\n출처:\n";
  } else {
    out =
        "Answer the question using only the numbered sources below. Do not guess beyond them; "
        "if they do not contain the answer, say that the documents do not say. Cite the source "
        "of each statement as [1], [2], and so on. Answer in English, briefly.\n\nSources:\n";
  }
  for (size_t i = 0; i < passages.size(); ++i) {
    const search::Passage& p = passages[i];
    out += "[" + std::to_string(i + 1) + "] " + p.doc_title;
    if (!p.location.empty()) out += " (" + p.location + ")";
    out += "\n" + p.text + "\n\n";
  }
  return out;
}

std::vector<llm::ChatMessage> RagMessages(std::span<const search::Passage> passages,
                                          std::string_view question) {
  return {{"system", RagSystemMessage(passages, LanguageOf(question))},
          {"user", std::string(question)}};
}

}  // namespace docent::rag
