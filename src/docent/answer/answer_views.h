// The JSON shapes of an answer and what it cites, shared by docent's API (/v1/search, /v1/ask,
// /v1/documents), the docent-rag model of the OpenAI API and the command line's --json output,
// so the three never drift apart.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docent/rag/extractive.h"
#include "docent/search/passage.h"
#include "docent/store/store.h"

namespace docent::answer {

class AnswerSession;

nlohmann::json PassageView(const search::Passage& p);
nlohmann::json DocumentView(const store::DocumentInfo& d);
// {name, documents, chunks, size_bytes, created_at}
nlohmann::json WorkspaceView(const store::WorkspaceInfo& w);

// An answer numbered against the candidate sources: "[n]" in the text is passages[n - 1].
struct NumberedAnswer {
  bool found = false;
  std::string text;
  std::vector<int> used;  // the candidate numbers the text cites, in order of first use
};
NumberedAnswer NumberAgainstSources(const rag::ExtractiveAnswer& answer,
                                    const std::vector<search::Passage>& passages);

// Numbered passages: each a PassageView with its "n".
nlohmann::json CitationsView(const std::vector<rag::Citation>& citations);

// Whether an answer's view carries its timings. Left out where the same question must give
// byte-identical output (`docent ask --json`).
enum class Timings { kInclude, kOmit };

// The end of a complete answer: found, the citations its text uses, mode, finish_reason,
// usage (generative) and timings. The plain answer's fields and the stream's `done` event.
nlohmann::json AnswerSummary(const AnswerSession& a, Timings timings = Timings::kInclude);
// The whole answer: the question, its text and every candidate source, then AnswerSummary.
nlohmann::json AnswerBody(const std::string& question, const AnswerSession& a,
                          Timings timings = Timings::kInclude);

// Serialises with invalid UTF-8 replaced, so a hostile document never breaks a response.
std::string Dump(const nlohmann::json& j);

}  // namespace docent::answer
