// The JSON shapes of docent's own API: passages, documents, upload jobs and answers.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "docent/rag/extractive.h"
#include "docent/search/passage.h"
#include "docent/server/ingest_queue.h"
#include "docent/store/store.h"

namespace docent::server {

nlohmann::json PassageView(const search::Passage& p);
nlohmann::json DocumentView(const store::DocumentInfo& d);
nlohmann::json JobView(const JobInfo& j);

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

// Serialises with invalid UTF-8 replaced, so a hostile document never breaks a response.
std::string Dump(const nlohmann::json& j);

}  // namespace docent::server
