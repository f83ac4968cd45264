// Building the answer prompt from retrieved passages (see generative_prompt.h).
#include "docent/rag/generative_prompt.h"

#include "docent/rag/hangul.h"

namespace docent::rag {

AnswerLanguage LanguageOf(std::string_view question) {
  return ContainsHangul(question) ? AnswerLanguage::kKorean : AnswerLanguage::kEnglish;
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
