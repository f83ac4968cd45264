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

// True for a token that asks for a date (when, year, century, 언제, 연도, 날짜) or for a
// person or place by name (who, whom, whose, where).
bool AsksForDate(std::u32string_view token);
bool AsksForName(std::u32string_view token);

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
// adnominal, future and formal endings (잠기 -> 잠긴다, 잠길, 잠깁니다) and contracted with the
// past tense's 었/았 (잠기 -> 잠겼다, 맞서 -> 맞섰다, 하 -> 했다).
std::vector<std::u32string> ConjugatedStems(const std::u32string& stem);

// The stem an adnominal (relative-clause) form comes from: 맞선 -> 맞서, 다친 -> 다치, 집필한
// -> 집필 (the light verb goes), 쳐내던 -> 쳐내; empty when the word is not one or the stem
// would be a single syllable. KorQuAD-style questions are mostly relative clauses ("가나와의
// 경기에서 퇴장당한 ... 쳐낸 신체 부분은?"), and the document states them as finite verbs.
struct AdnominalStem {
  std::u32string stem;
  bool light_verb = false;  // 집필한: the stem is the noun before 하 (not a predicate)
};
AdnominalStem StemOfAdnominal(std::u32string_view word);

// Whether `word` (a Hangul word, with or without its particle) names the kind of answer asked
// for when it closes a question: 이름, 사람, 곳, 나라, 연도 ("... 세워진 연도는?"). The answering
// sentence states the name or the year, seldom the word "연도".
// Returns that noun (연도는 -> 연도, 나이 -> 나이), or empty when `word` is none. A question
// closing on 연도 or 날짜 also asks for a date, on 나이 or 금액 for a number (AsksForDate,
// AsksForQuantity).
std::u32string_view AnswerTypeNounOf(std::u32string_view word);

// `word` without a closing topic, subject or object particle (연도는 -> 연도, 사람이 -> 사람);
// a one-syllable word is returned whole.
std::u32string_view WithoutTopicParticle(std::u32string_view word);

// A word that names the kind of answer ("minimum", "length", "자주"), with the words a
// sentence states such an answer by ("least", "long", "마다").
struct FrameWord {
  std::string_view word;  // the analyzer's term
  std::string_view alternatives[3];
};
const FrameWord* FindFrameWord(std::string_view term);

// The base form of an irregular English past tense or participle ("kept" -> "keep", "paid" ->
// "pay"), which the stemmer leaves apart; else empty. The document may say "keeps".
std::string_view IrregularVerbBase(std::string_view lower_word);

// True for a token that makes the number after it a bound, not a name: "above 300 euros",
// "more than 5 days", "300유로 이상". A sentence stating another bound still answers.
bool IsComparator(std::u32string_view token);

// The digits of an English number word's stem ("five" -> "5"), else empty.
std::string_view NumberWordDigits(std::string_view term);
// Whether a lower-cased English word names a number ("twelve", "hundred").
bool IsEnglishNumberWord(std::string_view lower_word);

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
