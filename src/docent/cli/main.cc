// docent's entry point: dispatches to the subcommands in cli/.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "docent/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(docent: answers questions about your documents, with citations.

usage: docent COMMAND [options]

commands:
  add PATH...              ingest files and folders (pdf docx pptx xlsx hwp hwpx html md txt
                           csv; scanned pdf, png, jpg, tif through OCR: --ocr off|auto|force)
  search "query" [-k N]    ranked passages with score, document and location
  ask "question"           the sentences that answer, each cited, then the sources
  docs ls | docs rm ID|PATH
                           list or remove documents
  eval DIR                 retrieval quality on a BEIR-format set (corpus, queries, qrels)
  serve [--host H] [--port P]
                           the HTTP API and web UI (default http://127.0.0.1:8080/)
  warm --model MODEL.gguf  compute every passage's KV for serve --context-cache fast
                           (resumable; safe beside a running server)
  generate -m MODEL.gguf -p "prompt" [-n N] [--temp T] [--seed S] [--threads T] [--chat]
                           stream a model's continuation, then its speed
  bench -m MODEL.gguf [--threads T] [--parallel N] [--json]
                           prompt (512 tokens) and generation (128 tokens) speed; with
                           --parallel, N sequences generating together
  kv-fidelity -m MODEL.gguf [--sweep] [--recompute N|all] [--json]
                           how closely prompts assembled from stored passage KV follow a
                           full prefill, on stories the model writes itself
  synth-model --shape NAME --type TYPE -o FILE
                           write a GGUF model with random weights (for tests and benchmarks)

common options:
  --data DIR               data directory (default: $DOCENT_DATA or ~/.local/share/docent)
  --json                   machine-readable output (search, ask, docs ls, eval)
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  docent::cli::Argv rest(argv + 2, argv + argc);
  if (cmd == "add") return docent::cli::RunAdd(rest);
  if (cmd == "search") return docent::cli::RunSearch(rest);
  if (cmd == "ask") return docent::cli::RunAsk(rest);
  if (cmd == "docs") return docent::cli::RunDocs(rest);
  if (cmd == "eval") return docent::cli::RunEval(rest);
  if (cmd == "serve") return docent::cli::RunServe(rest);
  if (cmd == "generate") return docent::cli::RunGenerate(rest);
  if (cmd == "bench") return docent::cli::RunBench(rest);
  if (cmd == "synth-model") return docent::cli::RunSynthModel(rest);
  if (cmd == "kv-fidelity") return docent::cli::RunKvFidelity(rest);
  if (cmd == "warm") return docent::cli::RunWarm(rest);
  if (cmd == "--version" || cmd == "version") {
    std::puts("docent 0.1.0");
    return 0;
  }
  std::fprintf(stderr, "docent: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
