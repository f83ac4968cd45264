// Cutting a passage to fit the context (see passage_fit.h).
#include "docent/rag/passage_fit.h"

#include <string>
#include <vector>

#include "docent/rag/passage_sentences.h"

namespace docent::rag {
namespace {

constexpr std::string_view kCut = "…";

std::string Join(const std::vector<Sentence>& sentences, size_t begin, size_t end) {
  std::string out = begin > 0 ? std::string(kCut) + " " : "";
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ' ';
    out += sentences[i].text;
  }
  if (end < sentences.size()) out += " " + std::string(kCut);
  return out;
}

}  // namespace

search::Passage CutPassageToFit(const search::Passage& passage, std::string_view question,
                                const llm::Tokenizer& tokenizer, size_t max_tokens) {
  // A tokenizer's counts cannot fail.
  TokenizerMeter meter(tokenizer, llm::ChatFamily::kChatMl);
  return *CutPassageToFit(passage, question, meter, max_tokens);
}

Result<search::Passage> CutPassageToFit(const search::Passage& passage, std::string_view question,
                                        PromptMeter& meter, size_t max_tokens) {
  DOCENT_ASSIGN_OR_RETURN(const size_t whole, meter.TextTokens(passage.text));
  if (whole <= max_tokens) return passage;
  search::Passage out = passage;
  const std::vector<Sentence> sentences = SplitPassage(passage, 0);
  if (sentences.empty()) {
    out.text.clear();
    return out;
  }
  // The best sentence: the most distinct question terms.
  const TermIndex asked = IndexTerms(question);
  size_t best = 0, best_hits = 0;
  for (size_t i = 0; i < sentences.size(); ++i) {
    size_t hits = 0;
    for (const auto& [term, positions] : asked) hits += sentences[i].terms.count(term);
    if (hits > best_hits) {
      best = i;
      best_hits = hits;
    }
  }
  // Grow around it, after then before, by each sentence's own token count (+1 for the space),
  // then check the joined text and give back sentences while it is over.
  std::vector<size_t> cost(sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    DOCENT_ASSIGN_OR_RETURN(cost[i], meter.TextTokens(sentences[i].text));
    cost[i] += 1;
  }
  DOCENT_ASSIGN_OR_RETURN(const size_t cut_mark, meter.TextTokens(kCut));
  const size_t marks = 2 * cut_mark + 2;
  size_t begin = best, end = best + 1, used = cost[best] + marks;
  for (bool grew = true; grew;) {
    grew = false;
    if (end < sentences.size() && used + cost[end] <= max_tokens) used += cost[end++], grew = true;
    if (begin > 0 && used + cost[begin - 1] <= max_tokens) used += cost[--begin], grew = true;
  }
  out.text = Join(sentences, begin, end);
  for (;;) {
    DOCENT_ASSIGN_OR_RETURN(const size_t tokens, meter.TextTokens(out.text));
    if (tokens <= max_tokens) return out;
    if (end - begin <= 1) break;
    if (end - 1 > best) {
      --end;
    } else {
      ++begin;
    }
    out.text = Join(sentences, begin, end);
  }
  // Even the best sentence alone is too long: its first max_tokens tokens.
  DOCENT_ASSIGN_OR_RETURN(out.text, meter.Head(sentences[best].text, max_tokens));
  return out;
}

}  // namespace docent::rag
