// `docent embed -m MODEL.gguf [--json] [--threads N] "text"...`: one vector per text, each
// L2-normalised, one line of numbers per text (or OpenAI's embeddings response with --json).
// Texts are embedded exactly as given: no "query: " / "passage: " prefix is added here (ingest
// and search add the model's). Without texts, each line of standard input is one.
#include <cstdio>
#include <string>
#include <vector>

#include "docent/answer/embedding_views.h"
#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/llm/embedder.h"

namespace docent::cli {

int RunEmbed(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("embed"));
  if (!args.ok()) {
    PrintError(args.status().message() + "\n" + UsageLine("embed"));
    return 2;
  }
  const std::string path = args->Has("-m") ? args->Get("-m") : args->Get("--model");
  if (path.empty()) {
    PrintError(UsageLine("embed") + " (--help lists the options)");
    return 2;
  }
  auto threads = EncoderThreads(*args);
  if (!threads.ok()) {
    PrintError(threads.status().message());
    return 2;
  }
  const std::vector<std::string> texts = TextsFromArgsOrStdin(args->positional);
  if (texts.empty()) {
    PrintError("no text to embed: give texts as arguments or lines on standard input");
    return 2;
  }
  auto embedder = llm::Embedder::Load(path, *threads);
  if (!embedder.ok()) {
    PrintError(embedder.status().ToString());
    return 1;
  }
  std::vector<llm::Embedding> vectors;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto e = (*embedder)->Embed(texts[i], llm::Overflow::kReject);
    if (!e.ok()) {
      PrintError("text " + std::to_string(i + 1) + ": " + e.status().message());
      return 1;
    }
    vectors.push_back(std::move(*e));
  }
  if (args->Has("--json")) {
    std::printf("%s\n", answer::EmbeddingsResponse((*embedder)->name(), vectors, false)
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
    return 0;
  }
  for (const llm::Embedding& e : vectors) {
    std::string line;
    char number[32];
    for (size_t i = 0; i < e.vector.size(); ++i) {
      std::snprintf(number, sizeof(number), "%s%.9g", i == 0 ? "" : " ", e.vector[i]);
      line += number;
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

}  // namespace docent::cli
