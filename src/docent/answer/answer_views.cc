// The JSON shapes of answers and passages (answer_views.h).
#include "docent/answer/answer_views.h"

#include <algorithm>

#include "docent/answer/answer_session.h"

namespace docent::answer {

nlohmann::json PassageView(const search::Passage& p) {
  nlohmann::json view = {
      {"chunk_id", p.chunk_id},     {"doc_id", p.doc_id},     {"title", p.doc_title},
      {"source", p.doc_path},       {"location", p.location}, {"text", p.text},
      {"char_begin", p.char_begin}, {"char_end", p.char_end}, {"score", p.score}};
  if (!p.duplicates.empty()) {
    nlohmann::json copies = nlohmann::json::array();
    for (const search::PassageCopy& c : p.duplicates) {
      copies.push_back({{"chunk_id", c.chunk_id},
                        {"doc_id", c.doc_id},
                        {"title", c.doc_title},
                        {"source", c.doc_path},
                        {"location", c.location}});
    }
    view["also_in"] = std::move(copies);
  }
  return view;
}

nlohmann::json DocumentView(const store::DocumentInfo& d) {
  return {{"id", d.id},
          {"workspace", d.workspace},
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

nlohmann::json WorkspaceView(const store::WorkspaceInfo& w) {
  return {{"name", w.name},
          {"documents", w.documents},
          {"chunks", w.chunks},
          {"size_bytes", w.bytes},
          {"created_at", w.created_at}};
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
    const int n = source_number(s.citation);
    if (n > 0 && std::find(out.used.begin(), out.used.end(), n) == out.used.end()) {
      out.used.push_back(n);
    }
  }
  out.text = rag::JoinAnswer(answer.sentences, source_number);
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

namespace {

nlohmann::json TimingsView(const AnswerSession& a) {
  const AnswerTimings& t = a.timings();
  nlohmann::json out = {{"retrieve_ms", t.retrieve_ms}, {"answer_ms", t.answer_ms}};
  if (a.cached() || t.cache_ms > 0) out["cache_ms"] = t.cache_ms;
  if (a.generative()) out["first_token_ms"] = t.first_text_ms;
  return out;
}

}  // namespace

nlohmann::json AnswerSummary(const AnswerSession& a, Timings timings) {
  // An answer the model wrote but that was replaced for want of grounding is extractive.
  const bool written = a.generative() && !a.replaced_ungrounded();
  nlohmann::json out = {{"found", a.found()},
                        {"citations", CitationsView(a.citations())},
                        {"mode", written ? "generative" : "extractive"},
                        {"grounded", a.grounded()},
                        {"context_cache", a.context_cache()},
                        {"finish_reason", a.finish_reason()}};
  // Whether the answer was replayed from the answer cache; left out with the timings, as it
  // differs between two asks of one question that give the same answer.
  if (timings == Timings::kInclude) {
    out["cached"] = a.cached();
    out["timings"] = TimingsView(a);
  }
  if (a.replaced_ungrounded()) out["replaced_ungrounded"] = true;
  if (a.generative()) {
    const engine::GenerationResult& g = a.generation();
    out["usage"] = {{"prompt_tokens", g.prompt_tokens},
                    {"cached_prompt_tokens", g.cached_prompt_tokens},
                    {"stored_prompt_tokens", g.stored_prompt_tokens},
                    {"recomputed_prompt_tokens", g.recomputed_prompt_tokens},
                    {"completion_tokens", g.completion_tokens()}};
  }
  return out;
}

nlohmann::json AnswerBody(const std::string& question, const AnswerSession& a, Timings timings) {
  nlohmann::json out = {
      {"question", question}, {"answer", a.text()}, {"sources", CitationsView(a.sources())}};
  out.update(AnswerSummary(a, timings));
  return out;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace docent::answer
