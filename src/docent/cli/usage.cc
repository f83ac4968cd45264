// The table of commands and flags (see usage.h), and the help texts rendered from it. A
// default stated here is the fallback the command's cmd_*.cc passes to ParsedArgs::Get or
// GetInt; change the two together.
#include "docent/cli/usage.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "docent/cli/commands.h"
#include "docent/util/utf8.h"

namespace docent::cli {
namespace {

// Flags several commands share.
constexpr FlagHelp kData{"--data", "DIR",
                         "data directory (default: $DOCENT_DATA, else $XDG_DATA_HOME/docent, "
                         "else ~/.local/share/docent)"};
constexpr FlagHelp kModelThreads{"--threads", "N",
                                 "threads the model runs on (default 0: one per core; up to 256)"};
constexpr FlagHelp kKernels{"--kernels", "ISA",
                            "scalar, avx2, avxvnni or avx512: the model's CPU kernels (default: "
                            "the fastest this CPU runs)"};
constexpr FlagHelp kKvType{"--kv-type", "TYPE",
                           "f16 or q8_0: how the KV cache and the passage KV store keep keys and "
                           "values (default f16)"};
constexpr FlagHelp kOcr{"--ocr", "MODE",
                        "off, auto or force: OCR for scanned PDF pages and images; auto reads "
                        "pages without a text layer (default auto)"};
constexpr FlagHelp kOcrThreads{"--ocr-threads", "N",
                               "pages read by OCR at once (default 1; up to 256)"};

constexpr FlagHelp kAnswerCacheMb{
    "--answer-cache-mb", "MB",
    "disk budget of the answer cache (answer-cache.db in the data directory), which answers a "
    "question asked before at once (default 64; 0 turns the cache off)"};

constexpr FlagHelp kAddFlags[] = {
    kData,
    {"--workspace", "NAME", "the workspace to add to, created when missing (default: default)"},
    {"--batch-files", "N",
     "commit to the store after N files or 16 MB, whichever comes first (default 256)"},
    kOcr,
    kOcrThreads,
    {"--quiet", "", "no progress bar and no OCR progress on stderr"},
    {"--embed-model", "E.gguf",
     "embed every chunk with this model for dense and hybrid retrieval, and record it as the "
     "store's; a different model than the recorded one re-embeds all (default: the recorded "
     "one, when its file is there)"},
    kModelThreads,
};

constexpr FlagHelp kRetrieval{
    "--retrieval", "MODE",
    "bm25, dense or hybrid (BM25 and vectors fused by reciprocal rank); default hybrid when the "
    "store has an embedding model, else bm25"};
constexpr FlagHelp kEmbedModel{"--embed-model", "E.gguf",
                               "the embedding model for queries (default: the one docent add "
                               "--embed-model recorded)"};
constexpr FlagHelp kRerankModel{"--rerank-model", "R.gguf",
                                "rerank the 30 best passages with this reranker (default: none)"};

constexpr FlagHelp kSearchFlags[] = {
    kData,
    {"--workspace", "NAME", "the workspace to search (default: default)"},
    {"-k", "N", "passages to show (default 10; 1 to 1000)"},
    kRetrieval,
    kEmbedModel,
    kRerankModel,
    {"--json", "", "the query, its time and the passages as JSON"},
};

constexpr FlagHelp kRequireGrounding = {
    "--require-grounding", "",
    "replace a model's answer whose sentences do not cite sources that hold them by the "
    "documents' own sentences (the answer then waits until the model is done)"};

constexpr FlagHelp kAskFlags[] = {
    kData,
    {"--workspace", "NAME", "the workspace to answer from (default: default)"},
    {"-k", "N", "passages the answer draws on (default 8; 1 to 50)"},
    {"--model", "MODEL.gguf",
     "a model writes the answer from the passages (default: the answering sentences, quoted)"},
    kModelThreads,
    {"--max-tokens", "N", "longest answer the model writes, in tokens (default 512; up to 8192)"},
    kRequireGrounding,
    kAnswerCacheMb,
    kRetrieval,
    kEmbedModel,
    kRerankModel,
    {"--json", "", "the answer object /v1/ask returns, without its timings"},
};

constexpr FlagHelp kDocsFlags[] = {
    kData,
    {"--workspace", "NAME", "the workspace whose documents to list or remove (default: default)"},
    {"--json", "", "docs ls as JSON"},
};

constexpr FlagHelp kEvalFlags[] = {
    {"--data", "DIR", "accepted and unused: eval indexes the set into a temporary store"},
    {"--workspace", "NAME",
     "the temporary store's workspace for the corpus (default: default); the figures do not "
     "depend on it"},
    {"--max-queries", "N", "evaluate the first N queries only (default 0: all)"},
    {"--misses", "FILE", "write a JSON line for each query whose answer missed its gold answers"},
    {"--unanswerable", "N",
     "also ask N questions with answers (a fixed sample) against the corpus without their "
     "judged documents, and report the share refused (default 200; 0: skip)"},
    {"--retrieval", "MODES",
     "comma-separated retrievals to report, each of bm25, dense, hybrid (default: bm25, and "
     "with --embed-model also dense and hybrid)"},
    {"--embed-model", "E.gguf", "embed the corpus with this model for dense and hybrid"},
    kRerankModel,
    kModelThreads,
    {"--json", "", "the figures as one JSON object"},
};

constexpr FlagHelp kServeFlags[] = {
    kData,
    {"--host", "HOST", "address to listen on (default 127.0.0.1)"},
    {"--port", "N", "port to listen on (default 8080; 0: any free port)"},
    {"--max-upload-mb", "MB", "largest upload accepted (default 100)"},
    {"--max-json-kb", "KB", "largest JSON request body accepted (default 1024)"},
    {"--max-embed-tokens", "N",
     "tokens one /v1/embeddings or /v1/rerank request may take (default 300000)"},
    {"--queue", "N", "uploads waiting to be indexed before new ones are refused (default 64)"},
    {"--model", "MODEL.gguf",
     "load a model: answers it writes, and the OpenAI-compatible endpoints (default: none)"},
    {"--generator", "URL",
     "an OpenAI-compatible endpoint (http://host:port/v1) that writes the answers instead of "
     "--model; repeat for a pool (default: none)"},
    {"--generators-file", "FILE",
     "generators in full: a JSON list of {url, model, api_key_file | api_key_env, "
     "max_concurrent, timeout_s, context_length, azure_api_version}"},
    {"--generate-only", "",
     "with --model: serve only the model's endpoints, as a generator node behind a front node"},
    {"--embed-model", "E.gguf",
     "an embedding model (bert GGUF): POST /v1/embeddings (default: none)"},
    {"--rerank-model", "R.gguf",
     "a reranker (bert GGUF with rank pooling): POST /v1/rerank (default: none)"},
    {"--slots", "N", "sequences the model runs at once (default 4; 1 to 64)"},
    kModelThreads,
    {"--context", "N", "tokens per sequence (default 4096; at least 64)"},
    {"--gen-queue", "N", "generation requests waiting for a slot before 429 (default 64)"},
    {"--gen-queue-per-client", "N",
     "of those, the most one client may hold (default: half of --gen-queue)"},
    {"--request-timeout", "S",
     "seconds a generation may take from submission before it ends (default 300)"},
    {"--prefix-cache-mb", "MB",
     "memory for reusable prompt prefixes beyond the slots (default 256; 0 turns it off)"},
    {"--api-key-file", "FILE",
     "API keys, one per line ('#' starts a comment); $DOCENT_API_KEY adds one (default: no key "
     "needed)"},
    {"--context-cache", "MODE",
     "exact, fast or off: exact reuses identical prefixes, fast assembles prompts from stored "
     "passage KV (default exact)"},
    {"--kv-store-mb", "MB", "disk budget of the passage KV store for fast (default 2048)"},
    kKvType,
    kOcr,
    kOcrThreads,
    kRequireGrounding,
    kAnswerCacheMb,
    {"--audit-log", "FILE",
     "append one JSON line per search, answer, upload and deletion (default: no log)"},
};

constexpr FlagHelp kWarmFlags[] = {
    kData,
    {"--model", "MODEL.gguf", "the model serve answers with (required)"},
    {"--kv-store-mb", "MB", "disk budget of the passage KV store, as serve's (default 2048)"},
    kModelThreads,
    kKernels,
    {"--context", "N",
     "tokens per sequence, as serve's; longer passages are skipped (default 4096)"},
    kKvType,
};

constexpr FlagHelp kGenerateFlags[] = {
    {"-m", "MODEL.gguf", "the model (required)"},
    {"--model", "MODEL.gguf", "the same as -m"},
    {"-p", "TEXT", "the prompt (required)"},
    {"--prompt", "TEXT", "the same as -p"},
    {"-n", "N", "tokens to generate at most (default 128)"},
    {"--temp", "T", "sampling temperature (default 0: greedy)"},
    {"--seed", "S", "sampling seed (default 0)"},
    {"--top-k", "K", "keep the K likeliest tokens (default 0: all)"},
    {"--top-p", "P", "keep the likeliest tokens holding P of the mass (default 1: all)"},
    {"--min-p", "M", "keep tokens at least M times as likely as the likeliest (default 0: all)"},
    {"--repeat-penalty", "R", "penalty for repeating recent tokens (default 1: none)"},
    kModelThreads,
    kKernels,
    {"--chat", "", "send the prompt as one user message through the model's chat template"},
};

constexpr FlagHelp kBenchFlags[] = {
    {"-m", "MODEL.gguf", "the model (required)"},
    {"--model", "MODEL.gguf", "the same as -m"},
    kModelThreads,
    {"-p", "N", "prompt tokens (default 512)"},
    {"-n", "N", "tokens generated after the prompt (default 128; 0: none)"},
    {"--reps", "N", "runs, of which the median is reported (default 3; up to 100)"},
    kKernels,
    {"--parallel", "N", "sequences generating together (default 1; up to 64)"},
    {"--json", "", "the figures as one JSON object"},
};

constexpr FlagHelp kKvFidelityFlags[] = {
    {"-m", "MODEL.gguf", "the model (required)"},
    {"--contexts", "N", "stories measured (default 60)"},
    {"--seed", "S", "seed of the stories (default 1)"},
    {"--recompute", "N|all",
     "passage tokens recomputed at each passage's start, or all (default: serve's, 16)"},
    kModelThreads,
    kKernels,
    {"--json", "", "only the JSON line, no line per setting"},
    {"--sweep", "", "measure every setting from no recompute to all"},
};

constexpr FlagHelp kSynthModelFlags[] = {
    {"--shape", "NAME", "the real model whose shape to copy (required; --list names them)"},
    {"--type", "TYPE",
     "weight type: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k (required)"},
    {"-o", "FILE", "the GGUF file to write (required)"},
    {"--seed", "S", "seed of the weights (default 1)"},
    {"--vocab", "FILE",
     "tokenizer.json, SentencePiece .model or GGUF to take the vocabulary from (default: the "
     "shape's own, under $DOCENT_SHARED or ../shared; the XLM-RoBERTa shapes need one)"},
    {"--threads", "N", "threads writing the weights (default: one per core)"},
    {"--logit-scale", "X", "the final norm's gain, > 0 (default: the shape's)"},
    {"--list", "", "list the shapes"},
};

constexpr FlagHelp kEmbedFlags[] = {
    {"-m", "MODEL.gguf", "the embedding model, a bert GGUF (required)"},
    {"--model", "MODEL.gguf", "the same as -m"},
    kModelThreads,
    {"--json", "", "OpenAI's embeddings response instead of one line of numbers per text"},
};

constexpr FlagHelp kRerankFlags[] = {
    {"-m", "MODEL.gguf", "the reranker, a bert GGUF with rank pooling (required)"},
    {"--model", "MODEL.gguf", "the same as -m"},
    kModelThreads,
    {"--top-n", "N", "with --json, the N best results (default 0: all)"},
    {"--json", "", "llama-server's rerank response (best first, raw logits)"},
};

constexpr FlagHelp kWorkspacesFlags[] = {
    kData,
    {"--json", "", "workspaces ls as JSON"},
};

constexpr CommandHelp kCommands[] = {
    {"add", "PATH... [options]",
     "Ingest files and folders: pdf docx pptx xlsx hwp hwpx html md txt csv, and scanned pdf, "
     "png, jpg and tif through OCR.",
     kAddFlags, &RunAdd},
    {"search", "\"QUERY\" [options]",
     "Ranked passages for a query, with score, document and location.", kSearchFlags, &RunSearch},
    {"ask", "\"QUESTION\" [options]",
     "The sentences that answer a question, each cited, then the sources.", kAskFlags, &RunAsk},
    {"docs", "[options] ls | rm ID|PATH",
     "List the documents of a workspace, or remove one by ID or by the path it was added from.",
     kDocsFlags, &RunDocs},
    {"eval", "DIR [options]",
     "Retrieval quality on a BEIR-format set (corpus.jsonl, queries.jsonl, qrels/test.tsv).",
     kEvalFlags, &RunEval},
    {"serve", "[options]",
     "The HTTP API and web UI (default http://127.0.0.1:8080/) until SIGTERM or SIGINT.",
     kServeFlags, &RunServe},
    {"warm", "--model MODEL.gguf [options]",
     "Compute every passage's KV for serve --context-cache fast (resumable; safe beside a "
     "running server).",
     kWarmFlags, &RunWarm},
    {"generate", "-m MODEL.gguf -p \"PROMPT\" [options]",
     "Stream a model's continuation of a prompt, then its speed.", kGenerateFlags, &RunGenerate},
    {"bench", "-m MODEL.gguf [options]",
     "A model's prompt and generation speed, measured as llama-bench measures them.", kBenchFlags,
     &RunBench},
    {"kv-fidelity", "-m MODEL.gguf [options]",
     "How closely prompts assembled from stored passage KV follow a full prefill, on stories "
     "the model writes itself.",
     kKvFidelityFlags, &RunKvFidelity},
    {"synth-model", "--shape NAME --type TYPE -o FILE [options] | --list",
     "Write a GGUF model with random weights in a real model's shape (for tests and "
     "benchmarks).",
     kSynthModelFlags, &RunSynthModel},
    {"embed", "-m MODEL.gguf [options] \"TEXT\"...",
     "One L2-normalised vector per text (each line of standard input without texts).", kEmbedFlags,
     &RunEmbed},
    {"rerank", "-m RERANKER.gguf [options] \"QUERY\" \"DOCUMENT\"...",
     "Each document's relevance to the query: index, sigmoid relevance, raw logit.", kRerankFlags,
     &RunRerank},
    {"workspaces", "[options] ls | add NAME | rm NAME",
     "List, create or remove workspaces, each a separate set of documents.", kWorkspacesFlags,
     &RunWorkspaces},
};

constexpr size_t kLineWidth = 80;

// `text` word-wrapped to kLineWidth, its first line appended where `out` stands (at column
// `indent`) and each further one indented by `indent` spaces; a word longer than a line
// stays whole.
void AppendWrapped(std::string_view text, size_t indent, std::string& out) {
  const size_t room = kLineWidth > indent + 20 ? kLineWidth - indent : 20;
  size_t used = 0;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    const size_t width = util::DisplayWidth(word);
    if (used > 0 && used + 1 + width > room) {
      out += '\n';
      out.append(indent, ' ');
      used = 0;
    } else if (used > 0) {
      out += ' ';
      ++used;
    }
    out += word;
    used += width;
  }
  out += '\n';
}

// "NAME VALUE" as the help shows a flag.
std::string FlagLabel(const FlagHelp& f) {
  std::string label(f.name);
  if (!f.value.empty()) label.append(" ").append(f.value);
  return label;
}

const CommandHelp& CommandOrDie(std::string_view name, const char* caller) {
  const CommandHelp* command = FindCommand(name);
  if (command == nullptr) {
    // A programming error: a cmd_*.cc asked for a name the table lacks.
    std::fprintf(stderr, "docent: %s: no command \"%.*s\" in cli/usage.cc\n", caller,
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return *command;
}

// The commands whose table lists `flag`, as "a, b and c".
std::string CommandsWith(std::string_view flag) {
  std::vector<std::string_view> names;
  for (const CommandHelp& c : kCommands) {
    for (const FlagHelp& f : c.flags) {
      if (f.name == flag) names.push_back(c.name);
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::span<const CommandHelp> Commands() {
  return kCommands;
}

const CommandHelp* FindCommand(std::string_view name) {
  for (const CommandHelp& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

FlagSpec FlagsOf(std::string_view command) {
  FlagSpec spec;
  for (const FlagHelp& f : CommandOrDie(command, "FlagsOf").flags) {
    (f.value.empty() ? spec.bool_flags : spec.value_flags).emplace_back(f.name);
  }
  return spec;
}

std::string UsageLine(std::string_view command) {
  const CommandHelp& c = CommandOrDie(command, "UsageLine");
  std::string out = "usage: docent ";
  out.append(c.name).append(" ").append(c.synopsis);
  return out;
}

std::string CommandUsage(std::string_view command) {
  const CommandHelp& c = CommandOrDie(command, "CommandUsage");
  std::string out = UsageLine(command) + "\n\n";
  AppendWrapped(c.summary, 0, out);
  out += "\noptions:\n";
  constexpr std::string_view kHelpLabel = "-h, --help";
  size_t label_width = kHelpLabel.size();
  for (const FlagHelp& f : c.flags) label_width = std::max(label_width, FlagLabel(f).size());
  const size_t indent = 2 + label_width + 2;
  auto line = [&](const std::string& label, std::string_view help) {
    out += "  " + label;
    out.append(label_width - label.size() + 2, ' ');
    AppendWrapped(help, indent, out);
  };
  for (const FlagHelp& f : c.flags) line(FlagLabel(f), f.help);
  line(std::string(kHelpLabel), "this help");
  return out;
}

std::string GeneralUsage() {
  std::string out =
      "docent: answers questions about your documents, with citations.\n\n"
      "usage: docent COMMAND [options]\n\n"
      "commands:\n";
  // The summary starts in this column, or on a line of its own under a long synopsis.
  constexpr size_t kSummaryColumn = 27;
  for (const CommandHelp& c : kCommands) {
    std::string head = "  ";
    head.append(c.name).append(" ").append(c.synopsis);
    out += head;
    if (head.size() + 2 <= kSummaryColumn) {
      out.append(kSummaryColumn - head.size(), ' ');
    } else {
      out += '\n';
      out.append(kSummaryColumn, ' ');
    }
    AppendWrapped(c.summary, kSummaryColumn, out);
  }
  out += "\ncommon options:\n";
  auto line = [&](const std::string& label, const std::string& help) {
    out += "  " + label;
    out.append(kSummaryColumn - 2 - std::min(label.size(), kSummaryColumn - 4), ' ');
    AppendWrapped(help, kSummaryColumn, out);
  };
  line(FlagLabel(kData), std::string(kData.help));
  line("--workspace NAME",
       "the workspace to use (default: default), for " + CommandsWith("--workspace"));
  line("--json", "machine-readable output, for " + CommandsWith("--json"));
  line("-h, --help", "this help; after a command, its usage and all its options");
  line("--version", "docent's version");
  return out;
}

}  // namespace docent::cli
