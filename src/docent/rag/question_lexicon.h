// The question lexicon (private to rag/): which words of a question only ask (what, 무엇,
// 며칠), how Korean question endings come off a word (신청하나요 -> 신청, 있나요 -> nothing),
// and the few words that name the kind of answer rather than its topic (minimum, length).
//
// Principle: a question is content words inside a frame. The frame (interrogatives,
// auxiliaries, the asker's pronouns, question endings, bound nouns of time) tells what kind
// of answer is wanted but never appears in the sentence that answers, so it must not count
// toward coverage; the content words must.
// Thread safety: pure functions over constant tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docent/rag/hangul.h"

namespace docent::rag {

// Frame words count at this share of their IDF.
constexpr double kFrameWeight = 0.25;
// Korean predicates conjugate and are paraphrased by Sino-Korean nouns (잃어버리다 / 분실하다,
// 끊기다 / 종료되다), so when ranking sentences a question's verb counts this share of its
// weight: its nouns name the topic better.
constexpr double kPredicateWeight = 0.5;

// True for a whole token (edge punctuation removed) that only asks: English interrogatives,
// auxiliaries and pronouns; Korean interrogatives with their particles (무엇인가요, 언제부터),
// bound nouns (수, 것, 후에, 때) and the "tell me" frame (알려주세요).
bool IsContentFree(std::u32string_view token);

// True for a token that asks for a number, an amount, a duration or a date (how many, how
// long, when, 몇, 며칠, 얼마, 언제): the answer then states one.
bool AsksForQuantity(std::u32string_view token);

// The particle an interrogative carries (언제까지 -> 까지, 어디에서 -> 에서), when it is one that
// the answer repeats ("3월 31일까지"); else empty.
std::u32string_view InterrogativeParticle(std::u32string_view token);

struct Trimmed {
  std::u32string text;
  bool predicate = false;  // ends in a verb or adjective stem (잠기, 지나), which conjugates
};

// Removes a Korean question ending from the token's trailing Hangul (나요, 습니까, ㄴ가요,
// ㄹ까요 ...). A light verb left behind goes too (신청하 -> 신청); a bare one-syllable stem
// (있, 되, 받) leaves nothing, since it is never an index term of its own.
Trimmed TrimEnding(std::u32string token);

// Removes a connective ending from a Hangul word of three or more syllables (신청하려면 ->
// 신청, 지나면 -> the verb 지나). Shorter words keep it: 화면 and 측면 end in 면.
Trimmed TrimConnective(Trimmed t);

// A predicate stem and, when its last syllable is open, that syllable with the ㄴ/ㄹ/ㅂ of the
// adnominal, future and formal endings (잠기 -> 잠긴다, 잠길, 잠깁니다).
std::vector<std::u32string> ConjugatedStems(const std::u32string& stem);

// A word that names the kind of answer ("minimum", "length", "자주"), with the words a
// sentence states such an answer by ("least", "long", "마다").
struct FrameWord {
  std::string_view word;  // the analyzer's term
  std::string_view alternatives[3];
};
const FrameWord* FindFrameWord(std::string_view term);

// The digits of an English number word's stem ("five" -> "5"), else empty.
std::string_view NumberWordDigits(std::string_view term);

inline bool AllHangul(std::u32string_view s) {
  for (char32_t c : s) {
    if (!IsSyllable(c)) return false;
  }
  return !s.empty();
}

inline bool HasHangul(std::u32string_view s) {
  for (char32_t c : s) {
    if (IsSyllable(c)) return true;
  }
  return false;
}

}  // namespace docent::rag
