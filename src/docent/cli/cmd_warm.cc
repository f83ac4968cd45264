// `docent warm --model MODEL.gguf [--data DIR] [--kv-type f16|q8_0] [--kv-store-mb M]
// [--threads T]`: computes the
// KV of every passage in the store, as `serve --context-cache fast` with the same model will
// look it up, so the first questions find their passages stored. Passages already stored are
// skipped, so a warm that was stopped resumes where it was; it is safe beside a running
// server (the store's writes are atomic renames). The passages answers have used most go first
// (Store::NoteRetrieved), so a warm cut short by its budget or a kill has stored what the next
// questions most likely need. Progress: one line per passage with the rate and the time left
// (rewritten in place on a terminal).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "docent/answer/model_service.h"
#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/engine/chunk_kv_store.h"
#include "docent/llm/gguf_file.h"
#include "docent/rag/context_assembly.h"
#include "docent/search/bm25_search.h"

namespace docent::cli {
namespace {

std::string Duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char out[32];
  if (s >= 3600) {
    std::snprintf(out, sizeof out, "%ldh%02ldm", s / 3600, s / 60 % 60);
  } else {
    std::snprintf(out, sizeof out, "%ldm%02lds", s / 60, s % 60);
  }
  return out;
}

}  // namespace

int RunWarm(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("warm"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (!args->Has("--model")) {
    PrintError("warm needs the model serve answers with: docent warm --model MODEL.gguf");
    return 2;
  }
  // The same budget and context as serve's defaults.
  auto kv_store_mb = args->GetInt("--kv-store-mb", answer::kDefaultKvStoreMb, 1, 1 << 24);
  auto context = args->GetInt("--context", 4096, 64, 1 << 20);
  for (const Status& s : {kv_store_mb.status(), context.status()}) {
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
  auto passages = search::ListPassages(**store);
  if (!passages.ok()) {
    PrintError(passages.status().ToString());
    return 1;
  }
  const std::string path = args->Get("--model");
  auto opened = OpenModelFile(path);
  if (!opened.ok()) {
    PrintError(opened.status().ToString());
    return 1;
  }
  auto& file = opened->file;
  const llm::Tokenizer& tokenizer = *opened->tokenizer;
  const llm::ChatFamily family = opened->family;
  auto kv_store = engine::ChunkKvStore::Open(answer::KvStoreDir((*store)->data_dir()),
                                             static_cast<uint64_t>(*kv_store_mb) << 20);
  if (!kv_store.ok()) {
    PrintError(kv_store.status().ToString());
    return 1;
  }
  auto options = ModelOptionsFromArgs(*args, static_cast<uint32_t>(*context));
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  const rag::PassageKvSource source =
      answer::KvSourceFor(file, options->kv_storage, kv_store->get());
  auto model = llm::Model::FromFile(std::move(file), *options);
  if (!model.ok()) {
    PrintError(path + ": " + model.status().ToString());
    return 1;
  }

  // ListPassages puts the passages answers used most first (their score is the count).
  const size_t retrieved = static_cast<size_t>(std::count_if(
      passages->begin(), passages->end(), [](const search::Passage& p) { return p.score > 0; }));
  std::printf("warm: %zu passages, the %zu that answers have used first, most used first\n",
              passages->size(), retrieved);
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  size_t computed = 0, skipped = 0, too_long = 0;
  const size_t total = passages->size();
  for (size_t i = 0; i < total; ++i) {
    // Each passage's KV is its workspace's: nothing is shared across workspaces.
    rag::PassageKvSource scoped = source;
    scoped.workspace_id = (*passages)[i].workspace_id;
    auto done = rag::StorePassageKv(**model, 0, scoped, tokenizer, family, (*passages)[i]);
    if (!done.ok()) {
      // A passage longer than the context cannot be stored; serve cuts such passages too.
      if (done.status().code() != StatusCode::kResourceExhausted) {
        if (tty) std::putchar('\n');
        PrintError(done.status().ToString());
        return 1;
      }
      ++too_long;
    } else if (*done) {
      ++computed;
    } else {
      ++skipped;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = computed > 0 ? computed / elapsed : 0;
    const double left = rate > 0 ? (total - i - 1) / rate : 0;
    std::printf(
        "%swarm: %zu/%zu passages (%.0f%%), %zu computed, %zu already stored, "
        "%.1f passages/s, ETA %s%s",
        tty ? "\r" : "", i + 1, total, 100.0 * (i + 1) / std::max<size_t>(total, 1), computed,
        skipped, rate, Duration(left).c_str(), tty ? "" : "\n");
    std::fflush(stdout);
  }
  const engine::ChunkKvStats s = (*kv_store)->stats();
  std::printf(
      "%swarm: done: %zu computed, %zu already stored, %zu too long for the context; "
      "the store holds %llu passages, %.1f MB\n",
      tty ? "\n" : "", computed, skipped, too_long, static_cast<unsigned long long>(s.entries),
      s.bytes / 1e6);
  return 0;
}

}  // namespace docent::cli
