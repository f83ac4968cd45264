// Whether a written answer is grounded in its sources: every sentence that states something
// cites a passage that holds it. Measured lexically, as the extractive answerer measures a
// sentence against a question (rag/sentence_scorer.h): the sentence's content words, weighted
// by IDF, must be covered at least kGroundedCoverage by one of the passages it cites (their
// title, location and text). A model's answer that cites nothing, or cites a passage that
// does not say what the sentence says, cannot be told from one it made up.
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "docent/rag/extractive.h"

namespace docent::rag {

// A sentence must have this share of its content words' IDF in a cited passage. A faithful
// paraphrase keeps most of the nouns and numbers; an invented claim keeps few of them.
constexpr double kGroundedCoverage = 0.5;

struct Grounding {
  bool grounded = true;
  size_t sentences = 0;  // sentences with content words (the ones judged)
  size_t supported = 0;  // of those, cited to a passage that holds them
};

// `sources` are the numbered passages the answer's markers "[n]" refer to. Markers may stand
// before or after a sentence's final punctuation ("... 15 days. [1]" / "... 15 days [1].");
// a marker that opens a sentence belongs to the one before it (the first sentence keeps its
// own). A sentence is held when the passages it cites, taken together, cover
// kGroundedCoverage of it and state each of its numbers and codes (a sentence with the wrong
// number of days is not grounded, however much else matches); unknown words are not read as
// typos here. An answer with no sentence to judge is grounded only when it is empty.
Grounding CheckGrounding(std::string_view answer, const std::vector<Citation>& sources,
                         const TermStatistics& stats);

}  // namespace docent::rag
