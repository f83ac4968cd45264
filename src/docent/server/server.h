// `docent serve`: the HTTP API over one store, and the web UI.
//
// Routes (docs/API.md has the contract with curl examples):
//   GET  /                     the web UI (compiled in)
//   GET  /healthz, /readyz     liveness; readiness with document counts
//   GET  /metrics              Prometheus text
//   POST /v1/documents         multipart upload of one or many files -> a job per file
//   GET  /v1/documents         ready documents and the uploads still queued, indexing or failed
//   GET  /v1/documents/{id}    metadata and extracted text
//   DELETE /v1/documents/{id}
//   GET  /v1/uploads/{job}     one upload's state
//   POST /v1/search            {"query", "k"}
//   POST /v1/ask               {"question", "k", "stream"}; stream: text/event-stream with the
//                              events citations, delta and done
//   GET  /v1/models, POST /v1/chat/completions, POST /v1/completions
//                              OpenAI-compatible, with --model (openai_api.h)
//   POST /tokenize, /detokenize llama-server's shape, with --model; /tokenize also takes
//                              {"messages"}: the tokens /v1/chat/completions reads for them
// Every error is {"error": {"message", "type", "code"}} with its HTTP status, and a rejected
// request writes nothing.
// Thread safety: Start() runs the accept loop on its own thread; Stop() may be called from
// any thread, once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "docent/ingest/ocr.h"
#include "docent/server/audit_log.h"
#include "docent/server/auth.h"
#include "docent/store/store.h"
#include "docent/util/status.h"

namespace docent::answer {
class ModelService;
}  // namespace docent::answer

namespace docent::answer {
class AnswerCache;
class RetrievalService;
}  // namespace docent::answer

namespace docent::llm {
class Embedder;
}  // namespace docent::llm

namespace docent::remote {
class GeneratorPool;
}  // namespace docent::remote

namespace docent::server {

using answer::ModelService;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see Server::port())
  uint64_t max_upload_bytes = 100ull << 20;
  uint64_t max_json_bytes = 1ull << 20;
  // Tokens one /v1/embeddings or /v1/rerank request may make the model read (OpenAI's
  // per-request limit for embeddings): each text takes the model's lock on its own, but one
  // request must not keep it for minutes.
  uint64_t max_embedding_tokens = 300000;
  size_t ingest_queue_capacity = 64;
  // OCR of uploaded scans: by default one thread, niced, so searches and answers keep the CPU.
  ingest::OcrOptions ocr = [] {
    ingest::OcrOptions o;
    o.low_priority = true;
    return o;
  }();
  // Connections served at once. A keep-alive connection holds its thread, so this is sized
  // for a team's worth of open browsers and clients rather than for the cores.
  int worker_threads = 64;
  // Test hook: the ingestion worker starts paused, so a test can fill the queue over HTTP
  // (`docent serve` sets it from DOCENT_TEST_PAUSE_INGEST=1).
  bool TEST_pause_ingest = false;
  // API keys (auth.h): when any is set, /v1/* and /metrics answer 401 unless the request
  // carries `Authorization: Bearer KEY` with one of them (the header OpenAI clients send), and
  // each key reaches only its workspaces with its rights (403 otherwise). The web UI asks for
  // a key when it meets a 401. /, /healthz and /readyz stay open for probes. Without keys the
  // server is single-user: every request may do everything.
  std::vector<ApiKey> api_keys;
  // The audit trail (audit_log.h), or null. Owned by the caller; must outlive the server.
  AuditLog* audit = nullptr;
  // The answer cache (answer/answer_cache.h), or null (--answer-cache-mb 0). Owned by the
  // caller; must outlive the server.
  answer::AnswerCache* answer_cache = nullptr;
  // A generative answer not grounded in its sources is replaced by the extractive one
  // (answer::AskOptions::require_grounding), in /v1/ask and docent-rag alike.
  bool require_grounding = false;
  // The model for /v1/chat/completions, /v1/completions and generative /v1/ask; null: none
  // (answers stay extractive). Owned by the caller; must outlive the server.
  ModelService* model = nullptr;
  // Remote generators that write generative answers (remote/generator_pool.h), or null. When
  // set they write every answer (/v1/ask, docent-rag) instead of `model`; with none healthy,
  // /readyz says not ready and asks get 503. Owned by the caller; must outlive the server.
  remote::GeneratorPool* generators = nullptr;
  // A generator node (`serve --generate-only`): only the model's endpoints (/v1/models without
  // docent-rag, /v1/chat/completions, /v1/completions, POST /tokenize and /detokenize in
  // llama-server's shape), /healthz, /readyz and /metrics.
  bool generate_only = false;
  // The embedding model for /v1/embeddings and the reranker for /v1/rerank (embedding_api.h),
  // or null (503 naming the flag). Owned by the caller; must outlive the server.
  const llm::Embedder* embedder = nullptr;
  const llm::Embedder* reranker = nullptr;
  // Dense and hybrid retrieval, and the embedding of uploads (answer/retrieval_service.h), or
  // null (BM25 only). Owned by the caller; must outlive the server.
  answer::RetrievalService* retrieval = nullptr;
};

class Server {
 public:
  Server(store::Store& store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in the background. IOError when the address is taken.
  Status Start();
  int port() const { return port_; }
  // Stops accepting, lets in-flight requests and the upload being indexed finish.
  void Stop();
  // Blocks until Stop() has completed.
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace docent::server
