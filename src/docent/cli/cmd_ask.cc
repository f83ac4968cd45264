// `docent ask "question" [--json] [--model MODEL.gguf]`: the sentences that answer, each
// cited, then the supporting passages; or a plain statement that the documents do not say.
// With --model the answer is written by the model from the same passages (rag/
// generative_answer.h), streamed as it is generated; the extractive answerer's relevance bar
// still decides whether the documents say anything at all, so a question they do not answer
// is refused without running the model.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/cli/commands.h"
#include "docent/rag/extractive.h"
#include "docent/rag/generative_answer.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/server/json_views.h"
#include "docent/server/model_service.h"

namespace docent::cli {

std::string Preview(const std::string& text, size_t max_chars);

namespace {

void PrintSources(const std::vector<rag::Citation>& citations) {
  if (citations.empty()) return;
  std::puts("\nSources:");
  for (const auto& c : citations) {
    const auto& p = c.passage;
    std::printf("[%d] %s — %s\n    %s\n    “%s”\n", c.number, p.doc_title.c_str(),
                p.location.empty() ? "(whole document)" : p.location.c_str(), p.doc_path.c_str(),
                Preview(p.text, 300).c_str());
  }
}

int AskWithModel(const ParsedArgs& args, const std::string& question,
                 const std::vector<search::Passage>& passages, bool relevant) {
  const std::string path = args.Get("--model");
  auto max_tokens = args.GetInt("--max-tokens", 512, 1, 8192);
  if (!max_tokens.ok()) {
    PrintError(max_tokens.status().message());
    return 2;
  }
  auto threads = args.GetInt("--threads", 0, 0, 256);
  if (!threads.ok()) {
    PrintError(threads.status().message());
    return 2;
  }
  server::ModelServiceOptions mo;
  mo.slots = 1;
  mo.context = 8192;
  mo.threads = static_cast<int>(*threads);
  auto service = server::ModelService::Load(path, mo);
  if (!service.ok()) {
    PrintError(service.status().ToString());
    return 1;
  }
  server::ModelService& m = **service;
  rag::GenerativeOptions generation;
  generation.max_tokens = static_cast<uint32_t>(*max_tokens);
  const bool json = args.Has("--json");
  auto answer = rag::AnswerGeneratively(m.answer_model(), question, passages, relevant, generation,
                                        [json](std::string_view text) {
                                          if (json) return;
                                          std::fwrite(text.data(), 1, text.size(), stdout);
                                          std::fflush(stdout);
                                        });
  if (!answer.ok()) {
    PrintError(answer.status().ToString());
    return 1;
  }
  if (json) {
    nlohmann::json out = {
        {"question", question},
        {"found", answer->found},
        {"answer", answer->text},
        {"mode", "generative"},
        {"finish_reason", std::string(engine::FinishReasonName(answer->generation.finish))}};
    out["citations"] = server::CitationsView(answer->citations);
    std::puts(server::Dump(out).c_str());
    return 0;
  }
  std::puts("");
  PrintSources(answer->citations);
  return 0;
}

}  // namespace

int RunAsk(const Argv& argv) {
  auto args =
      ParseArgs(argv, {{"--data", "-k", "--model", "--threads", "--max-tokens"}, {"--json"}});
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (args->positional.size() != 1) {
    PrintError("ask needs one quoted question, e.g. docent ask \"How many days of annual leave?\"");
    return 2;
  }
  auto k = args->GetInt("-k", 8, 1, 50);
  if (!k.ok()) {
    PrintError(k.status().message());
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  const std::string& question = args->positional[0];
  search::SearchOptions options;
  options.k = static_cast<int>(*k);
  auto passages = search::SearchBm25(**store, question, options);
  if (!passages.ok()) {
    PrintError(passages.status().ToString());
    return 1;
  }
  rag::StoreTermStatistics stats(**store);
  rag::ExtractiveAnswer answer = rag::AnswerExtractively(question, *passages, stats);
  if (args->Has("--model")) return AskWithModel(*args, question, *passages, answer.found);

  if (args->Has("--json")) {
    nlohmann::json out = {{"question", question}, {"found", answer.found}, {"answer", answer.text}};
    out["sentences"] = nlohmann::json::array();
    for (const auto& s : answer.sentences) {
      out["sentences"].push_back({{"text", s.text}, {"citation", s.citation}});
    }
    out["citations"] = server::CitationsView(answer.citations);
    // Timings are left out on purpose: the same question must give byte-identical output.
    std::puts(server::Dump(out).c_str());
    return 0;
  }
  std::printf("%s\n", answer.text.c_str());
  PrintSources(answer.citations);
  return 0;
}

}  // namespace docent::cli
