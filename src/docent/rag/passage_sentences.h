// Cutting retrieved passages into the candidate sentences of an extractive answer, each with
// the index terms it holds and where (private to rag/).
//
// A passage's text is the chunk's blocks joined by blank lines, so a heading is a line of its
// own and PDF text may wrap mid-sentence. Units are therefore cut first at blank lines, list
// items, table rows and lines that end a sentence, then split with text::SplitSentences;
// other single newlines are wraps and are read through.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docent/search/passage.h"

namespace docent::rag {

// Term -> the whitespace-token positions it occurs at (sorted). Only looked up, never
// iterated, so its hash order cannot leak into the output.
using TermIndex = std::unordered_map<std::string, std::vector<uint32_t>>;

// Indexes `text` with the search analyzer (AnalyzeMode::kDocument), plus the Hangul bigram
// across each single space (연차 휴가 -> 차휴): Korean spacing varies, and a question's
// compound "연차휴가" must match the spaced form.
TermIndex IndexTerms(std::string_view text, size_t* tokens = nullptr);

struct Sentence {
  size_t passage = 0;   // index into the caller's passages, which is the retrieval rank
  size_t position = 0;  // order within the passage
  std::string text;     // as shown: whitespace runs collapsed, a leading bullet removed
  size_t chars = 0;     // code points of `text`
  size_t tokens = 0;    // whitespace tokens of `text`
  // A heading: it names the passage's section or document, or it is a short line alone in
  // its block with no sentence ending ("BUDDY PROGRAM", "8. 보안 사고 신고"). Never an answer.
  bool heading = false;
  bool question = false;   // ends with "?" (an FAQ's question): never an answer
  bool continues = false;  // opens like the continuation of the sentence before (It, 이는, 다만)
  // Opens with a pronoun standing for something the sentence before names (이것은, 그는, He,
  // They): without that sentence it does not say who or what.
  bool refers_back = false;
  bool list_item = false;        // began with a list marker
  bool ends_with_colon = false;  // introduces what follows (a list)
  // When it introduces a list or table: the text of the items that follow it, space-joined.
  // What the rows state (the days, the amounts) is what such a sentence answers with.
  std::string list_text;
  TermIndex terms;
  // What the sentence is about beyond its own words: the passage's location until the
  // passage's own text opens a new heading or FAQ question, then that line. Shared by the
  // sentences under it; null when there is none.
  std::shared_ptr<const TermIndex> context;
};

// The sentences of one passage, in order. `passage_index` is recorded in each.
std::vector<Sentence> SplitPassage(const search::Passage& passage, size_t passage_index);

// `text` collapsed to single spaces and trimmed.
std::string CollapseSpaces(std::string_view text);

}  // namespace docent::rag
