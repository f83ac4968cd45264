// `docent ask "question" [--json] [--model MODEL.gguf]`: the answer pipeline
// (answer/answer_session.h) on the command line, the same answer /v1/ask gives: the sentences
// that answer, each cited against the numbered sources, or a plain statement that the
// documents do not say. With --model the model writes the answer from the same passages,
// printed as it is written; the extractive relevance bar still decides whether the documents
// say anything at all, so a question they do not answer is refused without running the model.
// --json prints /v1/ask's answer object without its timings, so the same question gives
// byte-identical output.
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_cache.h"
#include "docent/answer/answer_session.h"
#include "docent/answer/answer_views.h"
#include "docent/answer/model_service.h"
#include "docent/answer/retrieval_service.h"
#include "docent/cli/commands.h"

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

// The model for --model: one sequence, the context a long answer over 8 passages needs.
Result<std::unique_ptr<answer::ModelService>> LoadModel(const ParsedArgs& args) {
  DOCENT_ASSIGN_OR_RETURN(long threads, args.GetInt("--threads", 0, 0, 256));
  answer::ModelServiceOptions options;
  options.slots = 1;
  options.context = 8192;
  options.threads = static_cast<int>(threads);
  return answer::ModelService::Load(args.Get("--model"), options);
}

}  // namespace

int RunAsk(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("ask"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (args->positional.size() != 1) {
    PrintError("ask needs one quoted question, e.g. docent ask \"How many days of annual leave?\"");
    return 2;
  }
  auto k = args->GetInt("-k", rag::kDefaultAnswerPassages, 1, 50);
  auto max_tokens = args->GetInt("--max-tokens", 512, 1, 8192);
  auto threads = args->GetInt("--threads", 0, 0, 256);
  for (const Status& s : {k.status(), max_tokens.status(), threads.status()}) {
    if (!s.ok()) {
      PrintError(s.message());
      return 2;
    }
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  auto ws = OpenWorkspace(**store, *args, /*create=*/false);
  if (!ws.ok()) {
    PrintError(ws.status().message());
    return ws.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::unique_ptr<answer::ModelService> model;
  if (args->Has("--model")) {
    auto loaded = LoadModel(*args);
    if (!loaded.ok()) {
      PrintError(loaded.status().ToString());
      return 1;
    }
    model = std::move(loaded).value();
  }
  const std::string& question = args->positional[0];
  answer::AskOptions ask;
  ask.workspace_id = ws->id;
  ask.k = static_cast<int>(*k);
  ask.max_tokens = static_cast<uint32_t>(*max_tokens);
  ask.require_grounding = args->Has("--require-grounding");
  int exit_code = 0;
  auto retrieval = RetrievalForCommand(**store, *args, ask.k, &exit_code);
  if (!retrieval) return exit_code;
  ask.retrieval = retrieval->options;
  // The same cache `serve` keeps: a question asked before is answered from it at once.
  auto cache = OpenAnswerCache(*args, (*store)->data_dir());
  if (!cache.ok()) {
    PrintError(cache.status().ToString());
    return cache.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  auto session = answer::AnswerSession::Start(**store, model.get(), cache->get(), question, ask);
  if (!session.ok()) {
    PrintError(session.status().ToString());
    return 1;
  }
  answer::AnswerSession& a = **session;
  const bool json = args->Has("--json");
  // The text as it is written (all at once for an extractive answer).
  for (;;) {
    std::vector<std::string> pieces;
    auto complete = a.Next(pieces, std::chrono::milliseconds(1000));
    if (!complete.ok()) {
      PrintError(complete.status().ToString());
      return 1;
    }
    if (!json) {
      for (const std::string& p : pieces) std::fwrite(p.data(), 1, p.size(), stdout);
      std::fflush(stdout);
    }
    if (*complete) break;
  }
  if (json) {
    std::puts(answer::Dump(answer::AnswerBody(question, a, answer::Timings::kOmit)).c_str());
    return 0;
  }
  std::puts("");
  if (a.replaced_ungrounded()) {
    std::puts(
        "(The model's answer did not cite sources that hold what it said; these are the "
        "documents' own sentences instead.)");
  } else if (!a.grounded()) {
    std::puts("(Not grounded: some sentences of this answer cite no source that holds them.)");
  }
  PrintSources(a.citations());
  return 0;
}

}  // namespace docent::cli
