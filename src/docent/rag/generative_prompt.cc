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

RagPrompt BuildRagPrompt(const llm::Tokenizer& tokenizer, llm::ChatFamily family,
                         std::span<const search::Passage> passages, std::string_view question) {
  const std::string system = RagSystemMessage(passages, LanguageOf(question));
  const std::vector<llm::ChatMessage> messages = {{"system", system},
                                                  {"user", std::string(question)}};
  const std::string rendered = llm::RenderChat(family, messages, /*add_generation_prompt=*/true);
  // Every template writes both messages verbatim, the system message first (chat_template_test
  // holds each family to it); the segments are cut at those places.
  const size_t system_at = rendered.find(system);
  const size_t question_at = rendered.rfind(question);
  assert(system_at != std::string::npos && question_at != std::string::npos &&
         question_at >= system_at + system.size());

  RagPrompt prompt;
  std::vector<int32_t> ids;
  bool follows_text = false;
  // Appends a piece of text as its own tokens and records its segment (merging it into the
  // previous segment when that is of the same kind).
  auto add = [&](std::string_view text, bool parse_special, PromptSegment::Kind kind, int source) {
    ids.clear();
    follows_text = tokenizer.EncodePiece(text, parse_special, follows_text, ids);
    const uint32_t begin = static_cast<uint32_t>(prompt.tokens.size());
    prompt.tokens.insert(prompt.tokens.end(), ids.begin(), ids.end());
    const uint32_t end = static_cast<uint32_t>(prompt.tokens.size());
    if (!prompt.segments.empty() && prompt.segments.back().kind == kind &&
        prompt.segments.back().source == source) {
      prompt.segments.back().end = end;
    } else {
      prompt.segments.push_back({kind, begin, end, source});
    }
  };
  using Kind = PromptSegment::Kind;
  const std::string_view r(rendered);
  // BOS unless the template writes its own.
  if (!llm::RenderedTextStartsWithBos(family, rendered) && tokenizer.add_bos() &&
      tokenizer.bos() >= 0) {
    prompt.tokens.push_back(static_cast<uint32_t>(tokenizer.bos()));
    prompt.segments.push_back({Kind::kStart, 0, 1, 0});
  }
  add(r.substr(0, system_at), /*parse_special=*/true, Kind::kStart, 0);
  add(kSourcesLine, true, Kind::kStart, 0);
  for (size_t i = 0; i < passages.size(); ++i) {
    const int n = static_cast<int>(i + 1);
    // Titles, locations and text come from documents: never control tokens.
    add(Header(i, passages[i]), /*parse_special=*/false, Kind::kHeader, n);
    add(passages[i].text, /*parse_special=*/false, Kind::kPassage, n);
  }
  add(Tail(LanguageOf(question)), true, Kind::kTail, 0);
  const size_t system_end = system_at + system.size();
  add(r.substr(system_end, question_at - system_end), true, Kind::kTail, 0);
  add(question, /*parse_special=*/false, Kind::kTail, 0);
  add(r.substr(question_at + question.size()), true, Kind::kTail, 0);
  return prompt;
}

}  // namespace docent::rag
