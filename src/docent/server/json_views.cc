// JSON views of the API's objects.
#include "docent/server/json_views.h"

#include <algorithm>

namespace docent::server {

nlohmann::json PassageView(const search::Passage& p) {
  return {{"chunk_id", p.chunk_id},     {"doc_id", p.doc_id},     {"title", p.doc_title},
          {"source", p.doc_path},       {"location", p.location}, {"text", p.text},
          {"char_begin", p.char_begin}, {"char_end", p.char_end}, {"score", p.score}};
}

nlohmann::json DocumentView(const store::DocumentInfo& d) {
  return {{"id", d.id},
          {"status", "ready"},
          {"title", d.title},
          {"source", d.source},
          {"format", d.format},
          {"size_bytes", d.size_bytes},
          {"chunks", d.chunk_count},
          {"added_at", d.added_at},
          {"updated_at", d.updated_at},
          {"warnings", d.warnings}};
}

nlohmann::json JobView(const JobInfo& j) {
  nlohmann::json out = {{"job", j.id},
                        {"name", j.name},
                        {"size_bytes", j.bytes},
                        {"status", std::string(JobStateName(j.state))},
                        {"warnings", j.warnings}};
  out["id"] = j.state == JobState::kReady ? nlohmann::json(j.doc_id) : nlohmann::json(nullptr);
  if (j.state == JobState::kReady) out["chunks"] = j.chunks;
  if (j.state == JobState::kFailed) out["error"] = j.message;
  return out;
}

NumberedAnswer NumberAgainstSources(const rag::ExtractiveAnswer& answer,
                                    const std::vector<search::Passage>& passages) {
  NumberedAnswer out;
  out.found = answer.found;
  if (!answer.found) {
    out.text = answer.text;
    return out;
  }
  auto source_number = [&](int citation) {
    for (const rag::Citation& c : answer.citations) {
      if (c.number != citation) continue;
      for (size_t i = 0; i < passages.size(); ++i) {
        if (passages[i].chunk_id == c.passage.chunk_id) return static_cast<int>(i) + 1;
      }
    }
    return 0;
  };
  for (const rag::AnswerSentence& s : answer.sentences) {
    int n = source_number(s.citation);
    if (!out.text.empty()) out.text += ' ';
    out.text += s.text;
    if (n > 0) {
      out.text += " [" + std::to_string(n) + "]";
      if (std::find(out.used.begin(), out.used.end(), n) == out.used.end()) out.used.push_back(n);
    }
  }
  return out;
}

nlohmann::json CitationsView(const std::vector<rag::Citation>& citations) {
  nlohmann::json out = nlohmann::json::array();
  for (const rag::Citation& c : citations) {
    nlohmann::json p = PassageView(c.passage);
    p["n"] = c.number;
    out.push_back(std::move(p));
  }
  return out;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace docent::server
