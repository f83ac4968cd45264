// The question lexicon's word lists and the rules that trim Korean endings. Written by hand:
// the lists are small and particular to questions, which no packaged library covers.
#include "docent/rag/question_lexicon.h"

#include <algorithm>

namespace docent::rag {
namespace {

// Words that ask rather than say: interrogatives and auxiliaries, the asker's pronouns
// (the analyzer's stopword list is short and keeps them, yet "I"/"my" name no content a
// handbook would hold), quantity frames ("how many", "how long") and request verbs.
constexpr std::string_view kEnglishQuestionWords[] = {
    "what", "which", "who",  "whom",   "whose",  "when",  "where",   "why",   "how", "does",
    "do",   "did",   "can",  "could",  "should", "would", "is",      "are",   "am",  "was",
    "were", "be",    "been", "have",   "has",    "had",   "will",    "shall", "may", "might",
    "must", "many",  "much", "long",   "i",      "me",    "my",      "mine",  "we",  "us",
    "our",  "you",   "your", "please", "tell",   "know",  "explain", "there", "any"};

// Korean interrogatives, matched as a token prefix so that their particles and endings go
// with them (무엇인가요, 언제부터, 어디에서, 며칠이나). One-syllable ones only match short tokens,
// so that a noun that merely starts with the syllable (왜곡) is kept.
constexpr std::u32string_view kKoreanInterrogatives[] = {
    U"무엇", U"언제", U"어디", U"누구",   U"누가", U"어떻게", U"어떤", U"어떠", U"어땠", U"며칠",
    U"얼마", U"무슨", U"어느", U"어째서", U"왜",   U"뭐",     U"뭔",   U"뭘",   U"몇"};
// What may follow a one-syllable interrogative in the same token: an ending (왜요, 뭐예요,
// 뭔가요) or a counter written without the space (몇일, 몇명). Anything else is a noun that
// merely starts with the syllable (왜곡, 몇몇).
constexpr std::u32string_view kShortInterrogativeRests[] = {
    U"",   U"요", U"죠", U"야", U"지", U"냐", U"가요", U"가", U"예요", U"에요", U"일까요", U"일",
    U"명", U"개", U"번", U"시", U"살", U"년", U"달",   U"주", U"회",   U"차",   U"분",     U"시간"};

// Korean tokens that carry no content of their own: the bound noun 수 (할 수 있다), 것, pronouns
// for the asker, conjunctions, and the "tell me" frame.
// The bound nouns of time and condition (후에, 전에, 동안, 때, 경우) only frame the question:
// "몇 시간 후에 끊기나요" asks when, and the document says "12시간이 지나면".
constexpr std::u32string_view kKoreanFunctionTokens[] = {
    U"수",     U"것",     U"거",     U"좀",     U"및",     U"등",       U"또는",
    U"혹은",   U"그리고", U"제가",   U"저는",   U"저의",   U"제",       U"내가",
    U"나는",   U"저희",   U"우리",   U"주세요", U"줘",     U"주십시오", U"후",
    U"후에",   U"후에는", U"전",     U"전에",   U"전에는", U"동안",     U"동안에",
    U"때",     U"때는",   U"때에",   U"경우",   U"경우에", U"경우에는", U"이후",
    U"이후에", U"이전",   U"이전에", U"중",     U"중에",   U"중에는"};
constexpr std::u32string_view kKoreanFunctionPrefixes[] = {U"알려", U"궁금"};

// Question endings, longest first. `final_jamo` != 0: the ending begins inside the syllable
// before it (했 + 나요 is not it; 한 + 가요 is 하 + ㄴ가요), so that syllable must carry this final
// consonant, which is removed with the ending. `copula`: the ending is 이다's (인가요, 예요), so
// what precedes it is a noun, not a predicate stem (also for 한가 / 된가, the light verb's).
struct EndingRule {
  std::u32string_view suffix;
  int final_jamo = 0;
  bool copula = false;
  bool keep_final = false;  // the final only marks the ending (했나: the past tense), it stays
};
constexpr EndingRule kQuestionEndings[] = {{U"입니까", 0, true},
                                           {U"인가요", 0, true},
                                           {U"일까요", 0, true},
                                           {U"인지요", 0, true},
                                           {U"이에요", 0, true},
                                           {U"는가요"},
                                           {U"은가요"},
                                           {U"는지요"},
                                           {U"니까요", kJamoB},
                                           {U"인가", 0, true},
                                           {U"니까", kJamoB},
                                           {U"가요", kJamoN},
                                           {U"까요", kJamoL},
                                           {U"나요"},
                                           {U"지요"},
                                           {U"어요"},
                                           {U"아요"},
                                           {U"여요"},
                                           {U"에요", 0, true},
                                           {U"예요", 0, true},
                                           {U"죠"},
                                           // The written style of KorQuAD and reports:
                                           // 주장했는가, 불가능한가, 기록했나.
                                           {U"는가"},
                                           {U"은가"},
                                           // 불가능한가 / 완성된가: a noun made a predicate.
                                           {U"한가", 0, true},
                                           {U"된가", 0, true},
                                           {U"었나"},
                                           {U"았나"},
                                           {U"였나"},
                                           {U"나", kJamoSS, false, /*keep_final=*/true}};
// Connective endings of a predicate in the middle of a question (신청하려면, 지나면). Only
// stripped from tokens of three or more syllables: two-syllable nouns end in 면 (화면, 측면).
constexpr std::u32string_view kConnectiveEndings[] = {U"하려면", U"되려면", U"으려면", U"려면",
                                                      U"하면",   U"되면",   U"으면",   U"면"};

// Nouns that name the kind of answer when they close a question (... 세워진 연도는?), and what
// that answer is: a date, a number, or anything else.
enum class AnswerKind { kOther, kDate, kQuantity };
struct AnswerTypeNoun {
  std::u32string_view noun;
  AnswerKind kind;
};
constexpr AnswerTypeNoun kAnswerTypeNouns[] = {
    {U"이름", AnswerKind::kOther},    {U"사람", AnswerKind::kOther},
    {U"인물", AnswerKind::kOther},    {U"나라", AnswerKind::kOther},
    {U"국가", AnswerKind::kOther},    {U"날짜", AnswerKind::kDate},
    {U"연도", AnswerKind::kDate},     {U"년도", AnswerKind::kDate},
    {U"제목", AnswerKind::kOther},    {U"시기", AnswerKind::kDate},
    {U"나이", AnswerKind::kQuantity}, {U"명칭", AnswerKind::kOther},
    {U"장소", AnswerKind::kOther},    {U"지역", AnswerKind::kOther},
    {U"시점", AnswerKind::kDate},     {U"기간", AnswerKind::kQuantity},
    {U"금액", AnswerKind::kQuantity}, {U"인원", AnswerKind::kQuantity},
    {U"갯수", AnswerKind::kQuantity}, {U"개수", AnswerKind::kQuantity},
    {U"숫자", AnswerKind::kQuantity}, {U"단어", AnswerKind::kOther},
    {U"용어", AnswerKind::kOther},    {U"방법", AnswerKind::kOther},
    {U"이유", AnswerKind::kOther},    {U"원인", AnswerKind::kOther},
    {U"시간", AnswerKind::kQuantity}, {U"곳", AnswerKind::kOther},
    {U"것", AnswerKind::kOther},      {U"해", AnswerKind::kDate},
    {U"수", AnswerKind::kQuantity},   {U"말", AnswerKind::kOther},
    {U"분", AnswerKind::kOther},      {U"때", AnswerKind::kDate},
    {U"날", AnswerKind::kDate},       {U"달", AnswerKind::kDate},
    {U"값", AnswerKind::kQuantity},   {U"이", AnswerKind::kOther},
    {U"자", AnswerKind::kOther}};

// The answer-type noun `word` is, with or without its particle (나이 and 나이는 alike).
const AnswerTypeNoun* FindAnswerTypeNoun(std::u32string_view word) {
  for (std::u32string_view w : {word, WithoutTopicParticle(word)}) {
    for (const AnswerTypeNoun& n : kAnswerTypeNouns) {
      if (n.noun == w) return &n;
    }
  }
  return nullptr;
}

// Removes the past tense from a predicate stem: 되었 -> 되, 받았 -> 받, 주장했 -> 주장하, 됐 -> 되;
// other contractions lose their ㅆ (쳤 -> 쳐).
std::u32string WithoutPastTense(std::u32string stem) {
  if (stem.empty()) return stem;
  char32_t& last = stem.back();
  if (last == U'었' || last == U'았' || last == U'였') {
    stem.pop_back();
  } else if (last == U'했') {
    last = U'하';
  } else if (last == U'됐') {
    last = U'되';
  } else if (FinalJamo(last) == kJamoSS && last != U'있' && last != U'겠') {
    last = WithoutFinal(last);  // 있 and 겠 are stems and a modal, not a contraction
  }
  return stem;
}

template <size_t N>
bool Contains(const std::u32string_view (&list)[N], std::u32string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

// "minimum password length" asks for a number about passwords, and the handbook says "at
// least 14 characters long": frame words count at kFrameWeight of their IDF and also match
// the words that state such a quantity.
constexpr FrameWord kFrameWords[] = {{"minimum", {"least", "min"}},
                                     {"min", {"least", "minimum"}},
                                     {"maximum", {"most", "up", "max"}},
                                     {"max", {"most", "up", "maximum"}},
                                     {"length", {"long"}},
                                     {"often", {"everi"}},
                                     {"frequent", {"everi", "often"}},
                                     {"last", {}},
                                     {"take", {}},
                                     {"need", {"requir"}},
                                     {"number", {}},
                                     {"amount", {}},
                                     {"far", {}},
                                     {"get", {"receiv", "entitl"}},
                                     {"자주", {"마다", "주기"}}};

// Number words a document may write as digits ("five or more" / "5 or more"): matched
// either way, at full weight. `stem` is the analyzer's term for the word; the words without
// digits only mark a sentence as stating a number.
struct NumberWord {
  std::string_view word, stem, digits;
};
constexpr NumberWord kNumberWords[] = {
    {"one", "one", "1"},        {"two", "two", "2"},        {"three", "three", "3"},
    {"four", "four", "4"},      {"five", "five", "5"},      {"six", "six", "6"},
    {"seven", "seven", "7"},    {"eight", "eight", "8"},    {"nine", "nine", "9"},
    {"ten", "ten", "10"},       {"eleven", "eleven", "11"}, {"twelve", "twelv", "12"},
    {"twenty", "twenti", "20"}, {"thirty", "thirti", "30"}, {"forty", "forti", "40"},
    {"fifty", "fifti", "50"},   {"hundred", "", ""},        {"thousand", "", ""},
    {"million", "", ""},        {"billion", "", ""},        {"dozen", "", ""}};

// Irregular past forms whose stem differs from the base's, as questions ask them ("How long
// are receipts kept?", "Who paid ...?"). Past and participle forms of about eighty common
// verbs; a form equal to its base (put, set, cut) needs no entry.
constexpr std::string_view kIrregularVerbs[][2] = {{"arose", "arise"},
                                                   {"arisen", "arise"},
                                                   {"ate", "eat"},
                                                   {"eaten", "eat"},
                                                   {"became", "become"},
                                                   {"began", "begin"},
                                                   {"begun", "begin"},
                                                   {"bent", "bend"},
                                                   {"bought", "buy"},
                                                   {"brought", "bring"},
                                                   {"built", "build"},
                                                   {"came", "come"},
                                                   {"caught", "catch"},
                                                   {"chose", "choose"},
                                                   {"chosen", "choose"},
                                                   {"dealt", "deal"},
                                                   {"did", "do"},
                                                   {"done", "do"},
                                                   {"drew", "draw"},
                                                   {"drawn", "draw"},
                                                   {"drove", "drive"},
                                                   {"driven", "drive"},
                                                   {"fell", "fall"},
                                                   {"fallen", "fall"},
                                                   {"felt", "feel"},
                                                   {"fought", "fight"},
                                                   {"found", "find"},
                                                   {"fled", "flee"},
                                                   {"flew", "fly"},
                                                   {"flown", "fly"},
                                                   {"forgot", "forget"},
                                                   {"forgotten", "forget"},
                                                   {"froze", "freeze"},
                                                   {"frozen", "freeze"},
                                                   {"gave", "give"},
                                                   {"given", "give"},
                                                   {"went", "go"},
                                                   {"gone", "go"},
                                                   {"grew", "grow"},
                                                   {"grown", "grow"},
                                                   {"held", "hold"},
                                                   {"kept", "keep"},
                                                   {"knew", "know"},
                                                   {"known", "know"},
                                                   {"laid", "lay"},
                                                   {"led", "lead"},
                                                   {"left", "leave"},
                                                   {"lent", "lend"},
                                                   {"lost", "lose"},
                                                   {"made", "make"},
                                                   {"meant", "mean"},
                                                   {"met", "meet"},
                                                   {"paid", "pay"},
                                                   {"ran", "run"},
                                                   {"rose", "rise"},
                                                   {"risen", "rise"},
                                                   {"said", "say"},
                                                   {"sold", "sell"},
                                                   {"sent", "send"},
                                                   {"saw", "see"},
                                                   {"seen", "see"},
                                                   {"shook", "shake"},
                                                   {"shot", "shoot"},
                                                   {"showed", "show"},
                                                   {"shown", "show"},
                                                   {"sang", "sing"},
                                                   {"sung", "sing"},
                                                   {"sat", "sit"},
                                                   {"slept", "sleep"},
                                                   {"spoke", "speak"},
                                                   {"spoken", "speak"},
                                                   {"spent", "spend"},
                                                   {"stood", "stand"},
                                                   {"stole", "steal"},
                                                   {"stolen", "steal"},
                                                   {"struck", "strike"},
                                                   {"swore", "swear"},
                                                   {"sworn", "swear"},
                                                   {"took", "take"},
                                                   {"taken", "take"},
                                                   {"taught", "teach"},
                                                   {"told", "tell"},
                                                   {"thought", "think"},
                                                   {"threw", "throw"},
                                                   {"thrown", "throw"},
                                                   {"understood", "understand"},
                                                   {"won", "win"},
                                                   {"wore", "wear"},
                                                   {"worn", "wear"},
                                                   {"wrote", "write"},
                                                   {"written", "write"},
                                                   {"withdrew", "withdraw"},
                                                   {"withdrawn", "withdraw"}};

}  // namespace

std::string_view IrregularVerbBase(std::string_view lower_word) {
  for (const auto& [form, base] : kIrregularVerbs) {
    if (form == lower_word) return base;
  }
  return {};
}

bool IsComparator(std::u32string_view tok) {
  static constexpr std::u32string_view kEnglish[] = {
      U"above",     U"over",   U"below",  U"under", U"than",  U"least", U"most",
      U"exceeding", U"beyond", U"within", U"upto",  U"after", U"before"};
  static constexpr std::u32string_view kKorean[] = {U"이상", U"초과",   U"미만", U"이하", U"이내",
                                                    U"넘는", U"넘으면", U"넘게", U"이후", U"이전"};
  if (Contains(kEnglish, AsciiLower(tok))) return true;
  for (std::u32string_view k : kKorean) {
    if (tok.starts_with(k)) return true;
  }
  return false;
}

bool IsContentFree(std::u32string_view tok) {
  if (std::all_of(tok.begin(), tok.end(), [](char32_t c) { return c < 0x80 || c == 0x2019; })) {
    std::string lower;
    for (char32_t c : tok) {
      if (c == 0x2019 || c == '\'') break;  // what's, I'm, don't: the word before the clitic
      lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    static constexpr std::string_view kNegatedAuxiliaries[] = {
        "don", "doesn", "didn", "isn", "aren", "can", "couldn", "shouldn", "wouldn", "won"};
    const bool clitic = lower.size() < tok.size();
    return std::find(std::begin(kEnglishQuestionWords), std::end(kEnglishQuestionWords), lower) !=
               std::end(kEnglishQuestionWords) ||
           (clitic && std::find(std::begin(kNegatedAuxiliaries), std::end(kNegatedAuxiliaries),
                                lower) != std::end(kNegatedAuxiliaries));
  }
  if (Contains(kKoreanFunctionTokens, tok)) return true;
  for (std::u32string_view p : kKoreanFunctionPrefixes) {
    if (tok.starts_with(p)) return true;
  }
  for (std::u32string_view w : kKoreanInterrogatives) {
    if (!tok.starts_with(w)) continue;
    if (w.size() > 1 || Contains(kShortInterrogativeRests, tok.substr(1))) return true;
  }
  return false;
}

Trimmed TrimEnding(std::u32string tok) {
  size_t run = tok.size();
  while (run > 0 && IsSyllable(tok[run - 1])) --run;
  std::u32string stem = tok.substr(run);
  bool trimmed = false, copula = false;
  for (const EndingRule& r : kQuestionEndings) {
    // An all-Hangul token keeps at least one syllable; "API인가요" may lose its whole run.
    if (stem.size() < r.suffix.size() + (run == 0 ? 1 : 0) || !stem.ends_with(r.suffix)) {
      continue;
    }
    size_t keep = stem.size() - r.suffix.size();
    if (r.final_jamo != 0) {
      if (keep == 0) continue;
      char32_t& before = stem[keep - 1];
      if (FinalJamo(before) != r.final_jamo) continue;
      if (!r.keep_final) before = WithoutFinal(before);
      // 습니까 and 을까요 leave only the epenthetic 스/으, which belongs to the ending.
      if (before == U'스' || before == U'으') --keep;
    }
    stem.resize(keep);
    trimmed = true;
    copula = r.copula;
    break;
  }
  bool predicate = trimmed && !copula;
  if (trimmed && !copula) stem = WithoutPastTense(std::move(stem));
  if (trimmed) {
    // What is left is a predicate stem: 신청하 / 지급되 are the nouns 신청 / 지급 made verbs.
    if (stem.size() >= 3 && (stem.back() == U'하' || stem.back() == U'되')) {
      stem.pop_back();
      predicate = false;
    }
    // A bare one-syllable stem (있, 되, 받) never appears as an index term of its own.
    if (stem.size() < 2 && run == 0) return {};
    if (stem.size() < 2) stem.clear();
  }
  return {tok.substr(0, run) + stem, predicate && run == 0};
}

Trimmed TrimConnective(Trimmed t) {
  if (!AllHangul(t.text) || t.text.size() < 3) return t;
  for (std::u32string_view e : kConnectiveEndings) {
    if (t.text.size() >= e.size() + 2 && t.text.ends_with(e)) {
      t.text.resize(t.text.size() - e.size());
      const bool light_verb = e.starts_with(U"하") || e.starts_with(U"되");
      t.predicate = !light_verb;  // 신청하면 leaves the noun 신청; 지나면 the verb 지나
      break;
    }
  }
  return t;
}

std::vector<std::u32string> ConjugatedStems(const std::u32string& stem) {
  std::vector<std::u32string> out = {stem};
  if (FinalJamo(stem.back()) != 0) return out;
  for (int jamo : {kJamoN, kJamoL, kJamoB}) {
    std::u32string s = stem;
    s.back() += static_cast<char32_t>(jamo);
    out.push_back(std::move(s));
  }
  // The past tense contracts 었/았 into the open syllable: ㅣ -> ㅕ (쳤), ㅗ -> ㅘ (봤), ㅜ -> ㅝ
  // (줬), ㅡ -> ㅓ (썼), ㅚ -> ㅙ (됐), 하 -> 했; other vowels just take the ㅆ (섰, 냈).
  std::u32string past = stem;
  if (past.back() == U'하') {
    past.back() = U'했';
  } else {
    int vowel = VowelJamo(past.back());
    switch (vowel) {
      case 20:
        vowel = 6;
        break;
      case 8:
        vowel = 9;
        break;
      case 13:
        vowel = 14;
        break;
      case 18:
        vowel = 4;
        break;
      case 11:
        vowel = 10;
        break;
      default:
        break;
    }
    past.back() = WithVowelAndFinal(past.back(), vowel, kJamoSS);
  }
  out.push_back(std::move(past));
  return out;
}

AdnominalStem StemOfAdnominal(std::u32string_view word) {
  if (!AllHangul(word) || word.size() < 2) return {};
  std::u32string stem(word);
  const char32_t last = stem.back();
  if (last == U'던' || (last == U'는' && word.size() >= 3 &&
                        (word[word.size() - 2] == U'하' || word[word.size() - 2] == U'되'))) {
    // 쳐내던, 신청하는. 는 and 은 after anything else are as often the topic particle of a
    // noun (연차휴가는, 사건은), which has no verb to read.
    stem.pop_back();
    stem = WithoutPastTense(std::move(stem));
  } else if (last != U'은' && last != U'는' && FinalJamo(last) == kJamoN) {
    stem.back() = WithoutFinal(last);  // 맞선 -> 맞서, 집필한 -> 집필하
  } else {
    return {};
  }
  AdnominalStem out;
  if (stem.size() >= 3 && (stem.back() == U'하' || stem.back() == U'되')) {
    stem.pop_back();
    out.light_verb = true;
  }
  if (stem.size() < 2) return {};
  out.stem = std::move(stem);
  return out;
}

std::u32string_view AnswerTypeNounOf(std::u32string_view word) {
  const AnswerTypeNoun* n = FindAnswerTypeNoun(word);
  return n != nullptr ? n->noun : std::u32string_view();
}

std::u32string_view WithoutTopicParticle(std::u32string_view word) {
  static constexpr std::u32string_view kParticles = U"은는이가을를";
  if (word.size() >= 2 && kParticles.find(word.back()) != std::u32string_view::npos) {
    word.remove_suffix(1);
  }
  return word;
}

bool AsksForQuantity(std::u32string_view tok) {
  static constexpr std::u32string_view kEnglish[] = {U"many",  U"much", U"long",
                                                     U"often", U"when", U"far"};
  if (Contains(kEnglish, AsciiLower(tok))) return true;
  for (std::u32string_view w : {U"몇", U"며칠", U"얼마", U"언제"}) {
    if (tok.starts_with(w)) return true;
  }
  const AnswerTypeNoun* n = FindAnswerTypeNoun(tok);
  return n != nullptr && n->kind == AnswerKind::kQuantity;
}

bool AsksForDate(std::u32string_view tok) {
  static constexpr std::u32string_view kEnglish[] = {U"when",    U"year", U"years",
                                                     U"century", U"date", U"decade"};
  if (Contains(kEnglish, AsciiLower(tok))) return true;
  if (tok.starts_with(U"언제")) return true;
  const AnswerTypeNoun* n = FindAnswerTypeNoun(tok);
  return n != nullptr && n->kind == AnswerKind::kDate;
}

bool AsksForName(std::u32string_view tok) {
  static constexpr std::u32string_view kEnglish[] = {U"who", U"whom", U"whose", U"where"};
  return Contains(kEnglish, AsciiLower(tok));
}

std::u32string_view InterrogativeParticle(std::u32string_view tok) {
  static constexpr std::u32string_view kParticles[] = {U"까지", U"부터", U"에서", U"에게"};
  for (std::u32string_view w : kKoreanInterrogatives) {
    if (!tok.starts_with(w)) continue;
    for (std::u32string_view p : kParticles) {
      if (tok.substr(w.size()).starts_with(p)) return p;
    }
  }
  return {};
}

const FrameWord* FindFrameWord(std::string_view term) {
  for (const FrameWord& f : kFrameWords) {
    if (f.word == term) return &f;
  }
  return nullptr;
}

std::string_view NumberWordDigits(std::string_view term) {
  for (const NumberWord& n : kNumberWords) {
    if (!n.stem.empty() && n.stem == term) return n.digits;
  }
  return {};
}

bool IsEnglishNumberWord(std::string_view lower_word) {
  return std::any_of(std::begin(kNumberWords), std::end(kNumberWords),
                     [&](const NumberWord& n) { return n.word == lower_word; });
}

}  // namespace docent::rag
