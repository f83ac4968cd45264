// `docent serve [--data DIR] [--host H] [--port P] [--model MODEL.gguf [--slots N]
// [--threads T] [--context N] [--gen-queue N] [--gen-queue-per-client N] [--request-timeout S]
// [--prefix-cache-mb M] [--context-cache exact|fast|off] [--kv-store-mb M]
// [--kv-type f16|q8_0]] [--embed-model E.gguf] [--rerank-model R.gguf] [--ocr off|auto|force]
// [--ocr-threads N] [--generator URL]... [--generate-only]`: the HTTP API and web
// UI until SIGTERM or SIGINT, then a graceful stop: no new requests, in-flight ones finish, the
// store closes. With --model the model is loaded once (mapped) and serves the OpenAI-compatible
// endpoints to all clients.
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "docent/answer/answer_cache.h"
#include "docent/answer/model_service.h"
#include "docent/answer/retrieval_service.h"
#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/llm/embedder.h"
#include "docent/remote/generator_pool.h"
#include "docent/remote/generators_file.h"
#include "docent/server/server.h"

namespace docent::cli {

int RunServe(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("serve"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  auto port = args->GetInt("--port", 8080, 0, 65535);
  auto upload_mb = args->GetInt("--max-upload-mb", 100, 1, 1 << 20);
  auto json_kb = args->GetInt("--max-json-kb", 1024, 1, 1 << 20);
  auto queue = args->GetInt("--queue", 64, 1, 100000);
  auto slots = args->GetInt("--slots", 4, 1, 64);
  auto threads = args->GetInt("--threads", 0, 0, 256);
  auto context = args->GetInt("--context", 4096, 64, 1 << 20);
  auto gen_queue = args->GetInt("--gen-queue", 64, 1, 100000);
  // One client may fill half the queue by default, so another still gets in.
  auto per_client =
      args->GetInt("--gen-queue-per-client",
                   gen_queue.ok() ? std::max<int64_t>(1, *gen_queue / 2) : 1, 1, 100000);
  auto timeout = args->GetInt("--request-timeout", 300, 1, 86400);
  auto prefix_mb = args->GetInt("--prefix-cache-mb", 256, 0, 1 << 20);
  auto kv_store_mb = args->GetInt("--kv-store-mb", answer::kDefaultKvStoreMb, 1, 1 << 24);
  auto ocr_threads = args->GetInt("--ocr-threads", 1, 1, 256);
  auto embed_tokens = args->GetInt("--max-embed-tokens", 300000, 1, int64_t{1} << 32);
  for (const auto* r :
       {&port, &upload_mb, &json_kb, &queue, &slots, &threads, &context, &gen_queue, &per_client,
        &timeout, &prefix_mb, &kv_store_mb, &ocr_threads, &embed_tokens}) {
    if (!r->ok()) {
      PrintError(r->status().message());
      return 2;
    }
  }
  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-answer is not a reason to exit
  // glibc gives each thread that meets a locked arena a new one, up to 8 per core; with 64
  // connection threads, freed memory then sits in arenas other threads never reuse, and RSS
  // creeps up under a steady load (bench/soak.mjs). One arena per core keeps it reusable.
  mallopt(M_ARENA_MAX, static_cast<int>(std::max<long>(2, sysconf(_SC_NPROCESSORS_ONLN))));

  auto context_cache = rag::ParseContextCache(args->Get("--context-cache", "exact"));
  if (!context_cache.ok()) {
    PrintError(context_cache.status().message());
    return 2;
  }
  auto ocr = ingest::ParseOcrMode(args->Get("--ocr", "auto"));
  if (!ocr.ok()) {
    PrintError(ocr.status().message());
    return 2;
  }
  auto kv_type = ParseKvType(args->Get("--kv-type", "f16"));
  if (!kv_type.ok()) {
    PrintError(kv_type.status().message());
    return 2;
  }
  const bool generate_only = args->Has("--generate-only");
  if (generate_only && !args->Has("--model")) {
    PrintError("--generate-only serves a model: name it with --model MODEL.gguf");
    return 2;
  }
  if (generate_only && (args->Has("--generator") || args->Has("--generators-file"))) {
    PrintError(
        "--generate-only and --generator do not go together: a generator node writes "
        "answers itself");
    return 2;
  }
  auto store = OpenStore(*args);
  if (!store.ok()) {
    PrintError(store.status().ToString());
    return 1;
  }
  std::unique_ptr<answer::ModelService> model;
  if (args->Has("--model")) {
    answer::ModelServiceOptions mo;
    mo.slots = static_cast<uint32_t>(*slots);
    mo.threads = static_cast<int>(*threads);
    mo.context = static_cast<uint32_t>(*context);
    mo.max_queue = static_cast<uint32_t>(*gen_queue);
    mo.max_queue_per_client = static_cast<uint32_t>(*per_client);
    mo.request_timeout_s = static_cast<double>(*timeout);
    mo.prefix_cache_bytes = static_cast<uint64_t>(*prefix_mb) << 20;
    mo.context_cache = *context_cache;
    mo.kv_storage = *kv_type;
    mo.kv_store_dir = answer::KvStoreDir((*store)->data_dir());
    mo.kv_store_bytes = static_cast<uint64_t>(*kv_store_mb) << 20;
    auto loaded = answer::ModelService::Load(args->Get("--model"), mo);
    if (!loaded.ok()) {
      PrintError(loaded.status().ToString());
      return 1;
    }
    model = std::move(loaded).value();
    std::printf("docent: model %s loaded in %.2f s (%u slots of %u tokens, %d threads)\n",
                model->id().c_str(), model->load_seconds(), model->model().n_seq(),
                model->model().max_positions(), model->model().threads());
  }
  // Remote generators (--generator, repeatable): they write the answers. A generator that is
  // down at start is probed until it comes up.
  std::unique_ptr<remote::GeneratorPool> generators;
  if (args->Has("--generator") || args->Has("--generators-file")) {
    std::vector<remote::EndpointConfig> endpoints;
    if (args->Has("--generator")) {
      for (const std::string& url : args->repeated.at("--generator")) {
        remote::EndpointConfig e;
        e.url = url;
        e.timeout_s = static_cast<double>(*timeout);
        endpoints.push_back(std::move(e));
      }
    }
    if (args->Has("--generators-file")) {
      const std::string path = args->Get("--generators-file");
      std::ifstream in(path);
      if (!in) {
        PrintError("cannot read the generators file " + path);
        return 2;
      }
      std::stringstream contents;
      contents << in.rdbuf();
      auto listed = remote::ParseGeneratorsFile(contents.str(), std::getenv);
      if (!listed.ok()) {
        PrintError(path + ": " + listed.status().message());
        return 2;
      }
      for (remote::EndpointConfig& e : *listed) endpoints.push_back(std::move(e));
    }
    auto pool = remote::GeneratorPool::Start(std::move(endpoints));
    if (!pool.ok()) {
      PrintError(pool.status().message());
      return 2;
    }
    generators = std::move(*pool);
    for (const remote::GeneratorState& g : generators->Snapshot()) {
      if (g.healthy) {
        std::printf("docent: generator %s: %s (%u tokens of context, counted by %s)\n",
                    g.url.c_str(), g.model.c_str(), g.context_length, g.counting.c_str());
      } else {
        std::printf("docent: generator %s is down (%s); probing it until it answers\n",
                    g.url.c_str(), g.last_error.c_str());
      }
    }
  }
  // The embedding model (--embed-model, else the store's recorded one) and the reranker:
  // /v1/embeddings, /v1/rerank, dense and hybrid retrieval, and embedding uploads.
  auto retrieval = OpenRetrieval(**store, *args, /*use_recorded=*/true, /*report=*/false);
  if (!retrieval.ok()) {
    PrintError(retrieval.status().ToString());
    return retrieval.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  for (const llm::Embedder* m : {(*retrieval)->embedder(), (*retrieval)->reranker()}) {
    if (m == nullptr) continue;
    std::printf("docent: %s %s (%u wide, %u positions)\n",
                m->is_reranker() ? "reranker" : "embedding model", m->name().c_str(),
                m->dimensions(), m->context_length());
  }
  if (const std::string note = (*retrieval)->note(); !note.empty()) {
    std::printf("docent: %s\n", note.c_str());
  }
  server::ServerOptions options;
  options.retrieval = retrieval->get();
  options.embedder = (*retrieval)->embedder();
  options.reranker = (*retrieval)->reranker();
  // Keys from a file (one per line, with the workspaces and rights each may use: auth.h) or
  // $DOCENT_API_KEY, never from the command line, where any user of the machine could read
  // them in the process list.
  if (args->Has("--api-key-file")) {
    std::ifstream in(args->Get("--api-key-file"));
    if (!in) {
      PrintError("cannot read the API key file " + args->Get("--api-key-file"));
      return 2;
    }
    std::stringstream contents;
    contents << in.rdbuf();
    auto keys = server::ParseApiKeyFile(contents.str());
    if (!keys.ok()) {
      PrintError(args->Get("--api-key-file") + ": " + keys.status().message());
      return 2;
    }
    options.api_keys = std::move(*keys);
  }
  if (const char* key = std::getenv("DOCENT_API_KEY"); key && *key) {
    options.api_keys.push_back(server::KeyWithAllRights(key));
  }
  std::unique_ptr<server::AuditLog> audit;
  if (args->Has("--audit-log")) {
    auto opened = server::AuditLog::Open(args->Get("--audit-log"));
    if (!opened.ok()) {
      PrintError(opened.status().message());
      return 1;
    }
    audit = std::move(*opened);
    options.audit = audit.get();
  }
  // The answer cache: a question already answered comes back at once, identically, until
  // its workspace's documents change (answer/answer_cache.h).
  auto answer_cache = OpenAnswerCache(*args, (*store)->data_dir());
  if (!answer_cache.ok()) {
    PrintError(answer_cache.status().ToString());
    return answer_cache.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  options.answer_cache = answer_cache->get();
  options.require_grounding = args->Has("--require-grounding");
  options.model = model.get();
  options.generators = generators.get();
  options.generate_only = generate_only;
  options.host = args->Get("--host", "127.0.0.1");
  options.port = static_cast<int>(*port);
  options.max_upload_bytes = static_cast<uint64_t>(*upload_mb) << 20;
  options.max_json_bytes = static_cast<uint64_t>(*json_kb) << 10;
  options.max_embedding_tokens = static_cast<uint64_t>(*embed_tokens);
  options.ingest_queue_capacity = static_cast<size_t>(*queue);
  options.ocr.mode = *ocr;
  options.ocr.threads = static_cast<int>(*ocr_threads);
  if (const char* pause = std::getenv("DOCENT_TEST_PAUSE_INGEST"); pause && *pause == '1') {
    options.TEST_pause_ingest = true;
  }
  server::Server srv(**store, options);
  if (Status s = srv.Start(); !s.ok()) {
    PrintError(s.ToString());
    return 1;
  }
  // Tests and scripts read this line to learn the port (with --port 0, any free one).
  std::printf("docent: serving http://%s:%d/ (data %s)\n", options.host.c_str(), srv.port(),
              (*store)->data_dir().c_str());
  std::fflush(stdout);
  // While serving, the main thread hands freed heap pages back to the system every 30 s:
  // glibc keeps them otherwise, so a burst (a big upload, many parallel answers) would hold its
  // peak RSS for good.
  int sig = 0;
  const timespec kTrimEvery{30, 0};
  while ((sig = sigtimedwait(&stop_signals, nullptr, &kTrimEvery)) < 0) malloc_trim(0);
  std::printf("docent: %s received, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(stdout);
  srv.Stop();
  srv.Wait();
  std::puts("docent: stopped");
  return 0;
}

}  // namespace docent::cli
