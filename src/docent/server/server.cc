// The HTTP server: routes, request checks, metrics and graceful shutdown over cpp-httplib.
#include "docent/server/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>

#include "docent/answer/answer_cache.h"
#include "docent/answer/answer_session.h"
#include "docent/answer/answer_views.h"
#include "docent/answer/model_service.h"
#include "docent/answer/retrieval_service.h"
#include "docent/ingest/extract.h"
#include "docent/llm/embedder.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/remote/forwarded_call.h"
#include "docent/remote/generator_pool.h"
#include "docent/search/bm25_search.h"
#include "docent/search/retriever.h"
#include "docent/server/answer_stream.h"
#include "docent/server/embedding_api.h"
#include "docent/server/generation_metrics.h"
#include "docent/server/http_errors.h"
#include "docent/server/ingest_queue.h"
#include "docent/server/json_views.h"
#include "docent/server/metrics.h"
#include "docent/server/openai_api.h"
#include "docent/server/request_checks.h"
#include "docent/server/web_ui.h"
#include "docent/text/english.h"

namespace docent::server {
namespace {

using Clock = std::chrono::steady_clock;
using answer::AnswerBody;
using answer::AnswerSession;
using answer::AnswerSummary;
using answer::AskOptions;
using answer::CitationsView;
using answer::DocumentView;
using answer::Dump;
using answer::PassageView;
using nlohmann::json;

// /readyz's view of how prompts are read, with the passage KV store's state in `fast` mode.
json ContextCacheView(ModelService* model) {
  if (model == nullptr) return nullptr;
  json out = {{"mode", rag::ContextCacheName(model->context_cache())}};
  if (engine::ChunkKvStore* kv = model->kv_store()) {
    const engine::ChunkKvStats s = kv->stats();
    out["store"] = {{"entries", s.entries},
                    {"bytes", s.bytes},
                    {"budget_bytes", kv->budget_bytes()},
                    {"hit_rate", s.hit_rate()}};
  }
  return out;
}

// /readyz's view of the remote generators.
json GeneratorsView(const remote::GeneratorPool& pool) {
  json out = json::array();
  for (const remote::GeneratorState& g : pool.Snapshot()) {
    out.push_back({{"url", g.url},
                   {"model", g.model},
                   {"state", g.healthy ? "healthy" : "down"},
                   {"in_flight", g.in_flight},
                   {"max_concurrent", g.max_concurrent},
                   {"context_length", g.context_length},
                   {"counting", g.counting},
                   {"requests", g.requests},
                   {"errors", g.errors},
                   {"last_error", g.last_error}});
  }
  return out;
}

// When the request now being served on this thread began (set before routing).
thread_local Clock::time_point request_start;

constexpr int kUploadWaitMs = 120000;  // the longest ?wait=true holds an upload request

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(Dump(body), "application/json");
}

// The key the request now being served on this thread authenticated with (set before
// routing); null on a server without keys.
thread_local const ApiKey* request_key = nullptr;

// Who a generation counts for in the scheduler's fair queue: the end user the request names
// ("user", as OpenAI clients send it), else the API key it came with (hashed: the key itself
// stays out of the scheduler), else the peer address.
std::string ClientOf(const httplib::Request& req, const std::string& user) {
  if (!user.empty()) return "user:" + user;
  if (request_key != nullptr) return "key:" + request_key->id;
  return "addr:" + req.remote_addr;
}

// A request's "workspace": absent or null when not given; anything but a string is an error.
Result<std::optional<std::string>> WorkspaceField(const json& body) {
  auto it = body.find("workspace");
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidArgument("\"workspace\" must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

// The distinct document ids of a list of passages or citations, in order.
template <typename List, typename Id>
std::vector<int64_t> DocumentIds(const List& list, Id id) {
  std::vector<int64_t> out;
  for (const auto& item : list) {
    const int64_t d = id(item);
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

// Known paths and the methods they take, for 405 with Allow instead of a bare 404.
// The routes, each by its name as metrics label it: a literal path, or a prefix ending in
// "{id}" that stands for one non-empty path segment. Matched by hand, not by std::regex: this
// runs for every request (the metrics label), and twelve regex matches a request cost more
// than serving a search does.
struct KnownRoute {
  std::string_view label;
  const char* allow;

  bool Matches(std::string_view path) const {
    constexpr std::string_view kId = "{id}";
    if (!label.ends_with(kId)) return path == label;
    const std::string_view prefix = label.substr(0, label.size() - kId.size());
    if (!path.starts_with(prefix)) return false;
    const std::string_view id = path.substr(prefix.size());
    return !id.empty() && id.find('/') == std::string_view::npos;
  }
};
constexpr KnownRoute kKnownRoutes[] = {
    {"/", "GET"},
    {"/healthz", "GET"},
    {"/readyz", "GET"},
    {"/metrics", "GET"},
    {"/v1/workspaces", "GET, POST"},
    {"/v1/workspaces/{id}", "DELETE"},
    {"/v1/documents", "GET, POST"},
    {"/v1/documents/{id}", "GET, DELETE"},
    {"/v1/uploads/{id}", "GET"},
    {"/v1/search", "POST"},
    {"/v1/ask", "POST"},
    {"/v1/models", "GET"},
    {"/v1/chat/completions", "POST"},
    {"/v1/completions", "POST"},
    {"/v1/embeddings", "POST"},
    {"/v1/rerank", "POST"},
    {"/tokenize", "POST"},
    {"/detokenize", "POST"},
};

// The metrics label of a request's path: its route's name, so that the label set is bounded
// by the routes and not by what clients send (ids, unknown paths, static assets).
std::string RouteLabel(std::string_view path) {
  for (const KnownRoute& r : kKnownRoutes) {
    if (r.Matches(path)) return std::string(r.label);
  }
  return "other";
}

}  // namespace

// The workspace a request acts in, once its key is allowed there.
struct Scope {
  int64_t id = 0;
  std::string name;
};

struct Server::Impl {
  Impl(store::Store& s, ServerOptions o)
      : store(s),
        options(std::move(o)),
        auth(options.api_keys),
        queue(s, options.ingest_queue_capacity, QueueOptions(options)) {}
  static indexer::IndexOptions QueueOptions(const ServerOptions& o) {
    indexer::IndexOptions index;
    index.limits.ocr = o.ocr;
    return index;
  }

  void Routes();
  // The workspace `asked` names, else the key's first (`default` for a key of every
  // workspace, or without keys), checked in this order so that a key cannot learn which
  // workspaces exist: a bad name is 400, a workspace outside the key's list 403 (whether it
  // exists or not), a missing right 403, and only then a missing workspace 404.
  Result<Scope> Resolve(const std::optional<std::string>& asked, Right need);
  // The name Resolve checks: `asked`, else the key's default.
  std::string WorkspaceName(const std::optional<std::string>& asked) const;
  // Whether this request's key may see documents of `workspace` (a document it may not see is
  // "not found").
  bool CanSee(std::string_view workspace) const {
    return request_key == nullptr || request_key->Reaches(workspace);
  }
  void Audit(const ApiKey* key, std::string workspace, std::string action, std::string question,
             std::vector<int64_t> documents, int status) {
    if (options.audit == nullptr) return;
    options.audit->Append({key ? &key->id : nullptr, std::move(workspace), std::move(action),
                           std::move(question), std::move(documents), status});
  }
  void ListWorkspaces(httplib::Response& res);
  void CreateWorkspace(const httplib::Request& req, httplib::Response& res);
  void DeleteWorkspace(const httplib::Request& req, httplib::Response& res);
  void Upload(const httplib::Request& req, httplib::Response& res);
  void ListDocuments(const httplib::Request& req, httplib::Response& res);
  void GetDocument(const httplib::Request& req, httplib::Response& res);
  void DeleteDocument(const httplib::Request& req, httplib::Response& res);
  void GetUpload(const httplib::Request& req, httplib::Response& res);
  void Search(const httplib::Request& req, httplib::Response& res);
  void Ask(const httplib::Request& req, httplib::Response& res);
  void Completion(const httplib::Request& req, httplib::Response& res, bool chat);
  void Embeddings(const httplib::Request& req, httplib::Response& res);
  // The retrieval a request asks for in its optional "retrieval" field ("bm25", "dense",
  // "hybrid"; default: hybrid when the embedding model's vectors are ready), k passages.
  Result<search::RetrievalOptions> RetrievalFor(const json& body, int k) const;
  void Rerank(const httplib::Request& req, httplib::Response& res);
  void Tokenize(const httplib::Request& req, httplib::Response& res);
  // Passes a completion for a model of the remote pool to a generator serving it (the least
  // loaded), retried on another while nothing was sent; an empty `model` is the pool's first.
  void ForwardCompletion(json body, std::string model, bool stream, bool chat,
                         httplib::Response& res);
  void Detokenize(const httplib::Request& req, httplib::Response& res);
  // What writes generative answers: the remote pool when there is one, else the model (null:
  // answers are extractive).
  answer::Generator* AnswerGenerator() const {
    if (options.generators != nullptr) return options.generators;
    return options.model;
  }

  store::Store& store;
  ServerOptions options;
  Authenticator auth;
  int listen_fd = -1;  // the bound socket, recorded by the socket-options hook
  // The search term index is built once at start, off the request path; searches that
  // arrive meanwhile wait for it on the store's lock.
  std::thread warm;
  std::atomic<bool> index_ready{false};
  std::atomic<bool> stopping{false};  // tells the warm-up to give up: shutdown is bounded
  IngestQueue queue;
  Metrics metrics;
  httplib::Server http;
};

void Server::Impl::Routes() {
  http.set_payload_max_length(options.max_upload_bytes);
  http.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // Small JSON answers must not wait for Nagle's algorithm (40 ms with delayed ACKs);
    // accepted sockets inherit the option from the listener.
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    listen_fd = sock;
  });
  http.set_keep_alive_max_count(1000);
  const int threads = options.worker_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    request_start = Clock::now();
    request_key = nullptr;
    const bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path == "/metrics" ||
                         req.path == "/tokenize" || req.path == "/detokenize";
    if (!guarded || !auth.enabled()) return httplib::Server::HandlerResponse::Unhandled;
    request_key = auth.Authenticate(req.get_header_value("Authorization"));
    if (request_key == nullptr) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, Unauthenticated(req.has_header("Authorization")
                                         ? "the API key is not valid for this server"
                                         : "this server needs an API key: send "
                                           "Authorization: Bearer KEY"));
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double seconds = std::chrono::duration<double>(Clock::now() - request_start).count();
    metrics.ObserveRequest(RouteLabel(req.path), res.status, seconds);
  });
  // Errors httplib raises itself (no route, payload too large) get the JSON body too.
  const uint64_t upload_limit = options.max_upload_bytes;
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [upload_limit](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404 || res.status == 400) {
          for (const KnownRoute& r : kKnownRoutes) {
            if (!r.Matches(req.path)) continue;
            if (std::string_view(r.allow).find(req.method) != std::string_view::npos) break;
            res.status = 405;
            res.set_header("Allow", r.allow);
            res.set_content(Dump({{"error",
                                   {{"message", req.method + " is not allowed on " + req.path +
                                                    "; allowed: " + r.allow},
                                    {"type", "invalid_request_error"},
                                    {"code", "method_not_allowed"}}}}),
                            "application/json");
            return httplib::Server::HandlerResponse::Handled;
          }
          if (res.status == 404) {
            SendError(res, NotFound("no such endpoint: " + req.method + " " + req.path));
            return httplib::Server::HandlerResponse::Handled;
          }
        }
        if (res.status == 413) {
          SendError(res, TooLarge("the request body is over the limit of " +
                                  std::to_string(upload_limit) + " bytes"));
        } else {
          res.set_content(
              ErrorBody(Status(StatusCode::kInvalidArgument, "the request was rejected (HTTP " +
                                                                 std::to_string(res.status) + ")")),
              "application/json");
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        SendError(res, Internal(what));
      });

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "ok"}});
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Render(), "text/plain; version=0.0.4");
  });
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    json model = options.model ? json{{"id", options.model->id()},
                                      {"path", options.model->path()},
                                      {"load_s", options.model->load_seconds()}}
                               : json(nullptr);
    if (options.generate_only) {
      return SendJson(res, 200, {{"ready", true}, {"role", "generator"}, {"model", model}});
    }
    auto stats = store.Stats();
    if (!stats.ok()) return SendError(res, Unavailable("store: " + stats.status().message()));
    json body = {{"ready", true},
                 {"documents", stats->documents},
                 {"chunks", stats->chunks},
                 {"search_index", index_ready.load() ? "ready" : "building"},
                 {"model", model},
                 {"answers", AnswerGenerator() ? "generative" : "extractive"},
                 {"context_cache", ContextCacheView(options.model)}};
    if (options.generators != nullptr) {
      body["generators"] = GeneratorsView(*options.generators);
      // Asks would get 503: not ready, so a load balancer sends them elsewhere.
      if (!options.generators->AnyHealthy()) {
        body["ready"] = false;
        body["reason"] = "no generator is healthy";
        return SendJson(res, 503, body);
      }
    }
    SendJson(res, 200, body);
  });
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    // docent-rag:NAME for each workspace this key may read, so clients' model pickers offer
    // them.
    std::vector<std::string> readable;
    if (auto list = store.ListWorkspaces(); !options.generate_only && list.ok()) {
      for (const auto& w : *list) {
        if (CanSee(w.name)) readable.push_back(w.name);
      }
    }
    json list = ModelsList(options.model, readable, !options.generate_only);
    if (options.generators != nullptr) {
      // The pool's models, which /v1/chat/completions forwards to it.
      for (const std::string& id : options.generators->ModelIds()) {
        list["data"].push_back(
            {{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "remote"}});
      }
    }
    SendJson(res, 200, list);
  });
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    Completion(req, res, /*chat=*/true);
  });
  http.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
    Completion(req, res, /*chat=*/false);
  });
  http.Post("/tokenize",
            [this](const httplib::Request& req, httplib::Response& res) { Tokenize(req, res); });
  http.Post("/detokenize",
            [this](const httplib::Request& req, httplib::Response& res) { Detokenize(req, res); });
  if (options.generate_only) return;

  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(WebUiHtml()), "text/html; charset=utf-8");
  });
  http.Post("/v1/documents",
            [this](const httplib::Request& req, httplib::Response& res) { Upload(req, res); });
  http.Get("/v1/documents", [this](const httplib::Request& req, httplib::Response& res) {
    ListDocuments(req, res);
  });
  http.Get("/v1/workspaces",
           [this](const httplib::Request&, httplib::Response& res) { ListWorkspaces(res); });
  http.Post("/v1/workspaces", [this](const httplib::Request& req, httplib::Response& res) {
    CreateWorkspace(req, res);
  });
  http.Delete(
      "/v1/workspaces/([^/]+)",
      [this](const httplib::Request& req, httplib::Response& res) { DeleteWorkspace(req, res); });
  http.Get("/v1/documents/([^/]+)",
           [this](const httplib::Request& req, httplib::Response& res) { GetDocument(req, res); });
  http.Delete("/v1/documents/([^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
    DeleteDocument(req, res);
  });
  http.Get("/v1/uploads/([^/]+)",
           [this](const httplib::Request& req, httplib::Response& res) { GetUpload(req, res); });
  http.Post("/v1/search",
            [this](const httplib::Request& req, httplib::Response& res) { Search(req, res); });
  http.Post("/v1/ask",
            [this](const httplib::Request& req, httplib::Response& res) { Ask(req, res); });
  http.Post("/v1/embeddings",
            [this](const httplib::Request& req, httplib::Response& res) { Embeddings(req, res); });
  http.Post("/v1/rerank",
            [this](const httplib::Request& req, httplib::Response& res) { Rerank(req, res); });
}

Result<search::RetrievalOptions> Server::Impl::RetrievalFor(const json& body, int k) const {
  std::optional<search::Retrieval> mode;
  if (body.contains("retrieval") && !body["retrieval"].is_null()) {
    if (!body["retrieval"].is_string()) {
      return Unprocessable("retrieval must be \"bm25\", \"dense\" or \"hybrid\"");
    }
    auto parsed = search::ParseRetrieval(body["retrieval"].get<std::string>());
    if (!parsed.ok()) return Unprocessable(parsed.status().message());
    mode = *parsed;
  }
  search::RetrievalOptions o;
  if (options.retrieval != nullptr) {
    DOCENT_ASSIGN_OR_RETURN(o, options.retrieval->Options(mode, k));
  } else if (mode && *mode != search::Retrieval::kBm25) {
    return FailedPrecondition(std::string(search::RetrievalName(*mode)) +
                              " retrieval needs an embedding model: start the server with "
                              "docent serve --embed-model MODEL.gguf");
  }
  o.bm25.k = k;
  return o;
}

namespace {

// A /v1/embeddings or /v1/rerank request over the per-request token limit.
Status TooManyTokens(uint64_t tokens, uint64_t limit) {
  return InvalidArgument("the request is " + std::to_string(tokens) + " tokens; at most " +
                         std::to_string(limit) +
                         " per request (docent serve --max-embed-tokens): send fewer or shorter "
                         "texts per request");
}

}  // namespace

void Server::Impl::Embeddings(const httplib::Request& req, httplib::Response& res) {
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  auto request = ParseEmbeddingsRequest(*body);
  if (!request.ok()) return SendError(res, request.status());
  if (options.embedder == nullptr) {
    return SendError(res, Unavailable("no embedding model is loaded: start the server with "
                                      "docent serve --embed-model MODEL.gguf"));
  }
  // Framed once: counted against the limit before any model work, then embedded.
  std::vector<std::vector<int32_t>> framed(request->inputs.size());
  std::vector<size_t> full(request->inputs.size());
  uint64_t tokens = 0;
  for (size_t i = 0; i < request->inputs.size(); ++i) {
    framed[i] = options.embedder->Frame(request->inputs[i], &full[i]);
    tokens += full[i];
  }
  if (tokens > options.max_embedding_tokens) {
    return SendError(res, TooManyTokens(tokens, options.max_embedding_tokens));
  }
  std::vector<llm::Embedding> vectors;
  vectors.reserve(request->inputs.size());
  for (size_t i = 0; i < request->inputs.size(); ++i) {
    auto e = options.embedder->EmbedFramed(framed[i], full[i], llm::Overflow::kReject);
    if (!e.ok()) {
      const std::string where =
          request->inputs.size() > 1 ? "input[" + std::to_string(i) + "]" : std::string("input");
      return SendError(res, e.status().WithContext(where));
    }
    vectors.push_back(std::move(*e));
  }
  SendJson(res, 200,
           answer::EmbeddingsResponse(options.embedder->name(), vectors, request->base64));
}

void Server::Impl::ForwardCompletion(json body, std::string model, bool stream, bool chat,
                                     httplib::Response& res) {
  remote::GeneratorPool& pool = *options.generators;
  if (model.empty()) {
    const std::vector<std::string> ids = pool.ModelIds();
    if (ids.empty()) return SendError(res, Unavailable("no generator is healthy"));
    model = ids.front();
  }
  const std::string endpoint = chat ? "chat/completions" : "completions";
  std::shared_ptr<remote::ForwardedCall> call =
      remote::ForwardedCall::Start(pool, std::move(model), endpoint, std::move(body));
  auto response = call->AwaitResponse();
  if (!response.ok()) return SendError(res, response.status());
  const std::string content_type =
      response->content_type.empty() ? "application/json" : response->content_type;
  if (!stream || response->status / 100 != 2) {
    // One body, sent once it is whole: a 4xx goes back as the generator's 4xx.
    std::string out;
    while (call->Take(out, std::chrono::seconds(1))) {
    }
    if (Status end = call->end(); !end.ok()) return SendError(res, end);
    res.status = response->status;
    res.set_content(out, content_type.c_str());
    return;
  }
  // A stream passes through as it arrives; one cut short ends with an error event.
  StreamResponse(
      res,
      [call](const StreamWriter& write) {
        std::string out;
        const bool more = call->Take(out, std::chrono::milliseconds(200));
        if (!out.empty() && !write(out)) return false;
        if (more) return true;
        if (Status end = call->end(); !end.ok() && end.code() != StatusCode::kCancelled) {
          write("data: " + ErrorBody(end) + "\n\n");
        }
        return false;
      },
      [call] { call->Cancel(); }, "text/event-stream");
}

void Server::Impl::Tokenize(const httplib::Request& req, httplib::Response& res) {
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  if (options.model == nullptr) {
    return SendError(res, Unavailable("no model is loaded: start the server with --model"));
  }
  std::vector<uint32_t> tokens;
  if (body->contains("messages")) {
    // docent's extension: the tokens /v1/chat/completions reads for these messages.
    auto chat = ParseCompletionRequest(*body, /*chat=*/true, 1 << 30);
    if (!chat.ok()) return SendError(res, chat.status());
    tokens = options.model->ChatPrompt(chat->messages, chat->parts);
  } else {
    if (!body->contains("content") || !(*body)["content"].is_string()) {
      return SendError(res, Unprocessable("/tokenize needs \"content\" (a string) or "
                                          "\"messages\""));
    }
    auto add_special = OptionalBool(*body, "add_special", false);
    if (!add_special.ok()) return SendError(res, add_special.status());
    auto parse_special = OptionalBool(*body, "parse_special", false);
    if (!parse_special.ok()) return SendError(res, parse_special.status());
    const std::vector<int32_t> ids = options.model->tokenizer().Encode(
        (*body)["content"].get<std::string>(), *add_special, *parse_special);
    tokens.assign(ids.begin(), ids.end());
  }
  SendJson(res, 200, {{"tokens", tokens}});
}

void Server::Impl::Detokenize(const httplib::Request& req, httplib::Response& res) {
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  if (options.model == nullptr) {
    return SendError(res, Unavailable("no model is loaded: start the server with --model"));
  }
  auto it = body->find("tokens");
  if (it == body->end() || !it->is_array()) {
    return SendError(res, Unprocessable("/detokenize needs \"tokens\" (an array of ids)"));
  }
  std::vector<int32_t> ids;
  const int64_t vocab = static_cast<int64_t>(options.model->tokenizer().vocab_size());
  for (const json& t : *it) {
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() >= vocab) {
      return SendError(res, Unprocessable("\"tokens\" holds something that is not a token id "
                                          "of this model (0 to " +
                                          std::to_string(vocab - 1) + ")"));
    }
    ids.push_back(static_cast<int32_t>(t.get<int64_t>()));
  }
  SendJson(res, 200, {{"content", options.model->tokenizer().Decode(ids)}});
}

void Server::Impl::Rerank(const httplib::Request& req, httplib::Response& res) {
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  auto request = ParseRerankRequest(*body);
  if (!request.ok()) return SendError(res, request.status());
  if (options.reranker == nullptr) {
    return SendError(res, Unavailable("no reranker is loaded: start the server with "
                                      "docent serve --rerank-model RERANKER.gguf"));
  }
  // Framed once, as the model reads them (each pair cut to its positions): counted against the
  // limit before any model work, then scored.
  std::vector<std::vector<int32_t>> framed(request->documents.size());
  std::vector<size_t> full(request->documents.size());
  uint64_t tokens = 0;
  for (size_t i = 0; i < request->documents.size(); ++i) {
    framed[i] = options.reranker->FramePair(request->query, request->documents[i], &full[i]);
    tokens += framed[i].size();
  }
  if (tokens > options.max_embedding_tokens) {
    return SendError(res, TooManyTokens(tokens, options.max_embedding_tokens));
  }
  std::vector<llm::RerankScore> scores;
  scores.reserve(request->documents.size());
  for (size_t i = 0; i < request->documents.size(); ++i) {
    // A long document is cut to the model's positions, as llama-server does: its start is
    // what the reranker judges.
    auto s = options.reranker->RerankFramed(framed[i], full[i], llm::Overflow::kTruncate);
    if (!s.ok()) {
      return SendError(res, s.status().WithContext("documents[" + std::to_string(i) + "]"));
    }
    scores.push_back(*s);
  }
  SendJson(res, 200, answer::RerankResponse(options.reranker->name(), *request, scores));
}

std::string Server::Impl::WorkspaceName(const std::optional<std::string>& asked) const {
  if (asked) return *asked;
  const ApiKey* key = request_key;
  if (key != nullptr && !key->all_workspaces && !key->workspaces.empty()) {
    return key->workspaces.front();
  }
  return std::string(store::kDefaultWorkspace);
}

Result<Scope> Server::Impl::Resolve(const std::optional<std::string>& asked, Right need) {
  const ApiKey* key = request_key;
  const std::string name = WorkspaceName(asked);
  DOCENT_RETURN_IF_ERROR(store::CheckWorkspaceName(name));
  if (key != nullptr) {
    if (!key->Reaches(name)) {
      return PermissionDenied("this API key may not use workspace " + name);
    }
    if (!key->Has(need)) {
      return PermissionDenied(std::string("this API key may not ") +
                              (need == kAdmin   ? "manage workspaces"
                               : need == kWrite ? "add or remove documents"
                                                : "read") +
                              " in workspace " + name);
    }
  }
  DOCENT_ASSIGN_OR_RETURN(auto ws, store.FindWorkspace(name));
  if (!ws) return NotFound("no workspace " + name);
  return Scope{ws->id, name};
}

void Server::Impl::ListWorkspaces(httplib::Response& res) {
  auto list = store.ListWorkspaces();
  if (!list.ok()) return SendError(res, list.status());
  json out = json::array();
  for (const auto& w : *list) {
    if (CanSee(w.name)) out.push_back(answer::WorkspaceView(w));
  }
  SendJson(res, 200, {{"workspaces", out}});
}

void Server::Impl::CreateWorkspace(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  auto name = RequiredString(*body, "name");
  if (!name.ok()) return SendError(res, name.status());
  auto allowed = Resolve(*name, kAdmin);
  // Resolve's last check (the workspace exists) is the one creation expects to fail.
  if (!allowed.ok() && allowed.status().code() != StatusCode::kNotFound) {
    Audit(key, *name, "workspace_create", "", {}, HttpStatusFor(allowed.status().code()));
    return SendError(res, allowed.status());
  }
  auto made = store.CreateWorkspace(*name);
  Audit(key, *name, "workspace_create", "", {},
        made.ok() ? 201 : HttpStatusFor(made.status().code()));
  if (!made.ok()) return SendError(res, made.status());
  SendJson(
      res, 201,
      {{"name", made->name}, {"documents", 0}, {"chunks", 0}, {"created_at", made->created_at}});
}

void Server::Impl::DeleteWorkspace(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  const std::string name = req.matches[1].str();
  auto scope = Resolve(name, kAdmin);
  if (!scope.ok()) {
    Audit(key, name, "workspace_delete", "", {}, HttpStatusFor(scope.status().code()));
    return SendError(res, scope.status());
  }
  auto removed = store.RemoveWorkspace(name);
  if (removed.ok() && options.answer_cache != nullptr)
    options.answer_cache->DropWorkspace(scope->id);
  if (removed.ok() && options.retrieval != nullptr) options.retrieval->DropWorkspace(scope->id);
  Audit(key, name, "workspace_delete", "", {},
        removed.ok() ? 200 : HttpStatusFor(removed.status().code()));
  if (!removed.ok()) return SendError(res, removed.status());
  SendJson(res, 200, {{"name", name}, {"deleted", true}, {"documents", *removed}});
}

void Server::Impl::Upload(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  if (!req.is_multipart_form_data()) {
    return SendError(res, Unsupported("upload with Content-Type: multipart/form-data, one part "
                                      "per file (curl -F file=@report.pdf)"));
  }
  // The workspace is a plain form field (curl -F workspace=hr); it is checked before any file.
  std::optional<std::string> asked;
  if (req.has_file("workspace")) {
    const auto field = req.get_file_value("workspace");
    if (!field.filename.empty()) {
      return SendError(res, InvalidArgument("\"workspace\" must be a plain form field"));
    }
    asked = field.content;
  }
  auto scope = Resolve(asked, kWrite);
  if (!scope.ok()) {
    Audit(key, WorkspaceName(asked), "upload", "", {}, HttpStatusFor(scope.status().code()));
    return SendError(res, scope.status());
  }
  if (req.files.empty()) return SendError(res, InvalidArgument("the upload holds no files"));
  // Every file is checked before any is queued, so a rejected request writes nothing.
  std::vector<const httplib::MultipartFormData*> files;
  for (const auto& [field, part] : req.files) {
    if (part.filename.empty()) continue;  // a plain form field
    if (Status s = CheckUploadName(part.filename); !s.ok()) return SendError(res, s);
    if (!ingest::FormatForPath(part.filename)) {
      return SendError(
          res, Unsupported(part.filename + ": not a document type docent reads (pdf docx pptx "
                                           "xlsx hwp hwpx html md txt csv, scans)"));
    }
    if (part.content.empty())
      return SendError(res, InvalidArgument(part.filename + ": empty file"));
    files.push_back(&part);
  }
  if (files.empty()) return SendError(res, InvalidArgument("the upload holds no files"));
  json results = json::array();
  std::vector<uint64_t> ids;
  for (const auto* part : files) {
    auto job = queue.Submit(part->filename, part->content, scope->id, scope->name);
    if (!job.ok()) {
      if (results.empty()) {
        Audit(key, scope->name, "upload", "", {}, HttpStatusFor(job.status().code()));
        return SendError(res, job.status());
      }
      results.push_back(
          {{"name", part->filename}, {"status", "rejected"}, {"error", job.status().message()}});
      continue;
    }
    ids.push_back(job->id);
    results.push_back(JobView(*job));
  }
  // ?wait=true answers once the files are indexed (scripts and tests), else at once.
  if (req.get_param_value("wait") == "true" && queue.WaitFor(ids, kUploadWaitMs)) {
    std::vector<int64_t> docs;
    for (auto& r : results) {
      if (!r.contains("job")) continue;
      if (auto j = queue.Find(r["job"].get<uint64_t>())) {
        r = JobView(*j);
        if (j->doc_id != 0) docs.push_back(j->doc_id);
      }
    }
    Audit(key, scope->name, "upload", "", docs, 200);
    return SendJson(res, 200, {{"uploads", results}});
  }
  Audit(key, scope->name, "upload", "", {}, 202);
  SendJson(res, 202, {{"uploads", results}});
}

void Server::Impl::ListDocuments(const httplib::Request& req, httplib::Response& res) {
  std::optional<std::string> asked;
  if (req.has_param("workspace")) asked = req.get_param_value("workspace");
  auto scope = Resolve(asked, kRead);
  if (!scope.ok()) return SendError(res, scope.status());
  auto docs = store.ListDocuments(scope->id);
  if (!docs.ok()) return SendError(res, docs.status());
  json out = json::array();
  for (const auto& d : *docs) out.push_back(DocumentView(d));
  json pending = json::array();
  for (const JobInfo& j : queue.Jobs()) {
    if (j.state != JobState::kReady && j.workspace_id == scope->id) pending.push_back(JobView(j));
  }
  SendJson(res, 200, {{"workspace", scope->name}, {"documents", out}, {"uploads", pending}});
}

void Server::Impl::GetDocument(const httplib::Request& req, httplib::Response& res) {
  auto id = ParseId(req.matches[1].str(), "document");
  if (!id.ok()) return SendError(res, id.status());
  auto doc = store.FindById(*id);
  if (!doc.ok()) return SendError(res, doc.status());
  // A document of a workspace the key cannot see does not exist for it.
  if (!*doc || !CanSee((*doc)->workspace)) {
    return SendError(res, NotFound("no document with id " + std::to_string(*id)));
  }
  auto text = store.DocumentText(*id);
  if (!text.ok()) return SendError(res, text.status());
  json out = DocumentView(**doc);
  out["text"] = *text;
  SendJson(res, 200, out);
}

void Server::Impl::DeleteDocument(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  auto id = ParseId(req.matches[1].str(), "document");
  if (!id.ok()) return SendError(res, id.status());
  auto doc = store.FindById(*id);
  if (!doc.ok()) return SendError(res, doc.status());
  if (!*doc || !CanSee((*doc)->workspace)) {
    Audit(key, "", "delete", "", {*id}, 404);
    return SendError(res, NotFound("no document with id " + std::to_string(*id)));
  }
  const std::string workspace = (*doc)->workspace;
  auto scope = Resolve(workspace, kWrite);
  if (!scope.ok()) {
    Audit(key, workspace, "delete", "", {*id}, HttpStatusFor(scope.status().code()));
    return SendError(res, scope.status());
  }
  Status s = store.RemoveDocument(*id, scope->id);
  Audit(key, workspace, "delete", "", {*id}, s.ok() ? 200 : HttpStatusFor(s.code()));
  if (!s.ok()) return SendError(res, s);
  SendJson(res, 200, {{"id", *id}, {"workspace", workspace}, {"deleted", true}});
}

void Server::Impl::GetUpload(const httplib::Request& req, httplib::Response& res) {
  auto id = ParseId(req.matches[1].str(), "upload");
  if (!id.ok()) return SendError(res, id.status());
  auto j = queue.Find(static_cast<uint64_t>(*id));
  if (j && CanSee(j->workspace)) return SendJson(res, 200, JobView(*j));
  SendError(res, NotFound("no upload with id " + std::to_string(*id)));
}

void Server::Impl::Search(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  auto query = RequiredString(*body, "query");
  if (!query.ok()) return SendError(res, query.status());
  auto k = OptionalInt(*body, "k", 10, 1, 100);
  if (!k.ok()) return SendError(res, k.status());
  auto asked = WorkspaceField(*body);
  if (!asked.ok()) return SendError(res, asked.status());
  auto scope = Resolve(*asked, kRead);
  if (!scope.ok()) {
    Audit(key, WorkspaceName(*asked), "search", *query, {}, HttpStatusFor(scope.status().code()));
    return SendError(res, scope.status());
  }
  auto retrieval = RetrievalFor(*body, static_cast<int>(*k));
  if (!retrieval.ok()) return SendError(res, retrieval.status());
  auto t0 = Clock::now();
  auto passages = search::Retrieve(store, scope->id, *query, *retrieval);
  if (!passages.ok()) return SendError(res, passages.status());
  json results = json::array();
  for (const auto& p : *passages) results.push_back(PassageView(p));
  Audit(key, scope->name, "search", *query,
        DocumentIds(*passages, [](const search::Passage& p) { return p.doc_id; }), 200);
  SendJson(res, 200,
           {{"query", *query},
            {"workspace", scope->name},
            {"retrieval", search::RetrievalName(retrieval->mode)},
            {"results", results},
            {"took_ms", std::chrono::duration<double, std::milli>(Clock::now() - t0).count()}});
}

void Server::Impl::Ask(const httplib::Request& req, httplib::Response& res) {
  const ApiKey* key = request_key;
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  auto question = RequiredString(*body, "question");
  if (!question.ok()) return SendError(res, question.status());
  auto k = OptionalInt(*body, "k", rag::kDefaultAnswerPassages, 1, 50);
  if (!k.ok()) return SendError(res, k.status());
  auto stream = OptionalBool(*body, "stream", false);
  if (!stream.ok()) return SendError(res, stream.status());
  auto asked = WorkspaceField(*body);
  if (!asked.ok()) return SendError(res, asked.status());
  auto scope = Resolve(*asked, kRead);
  if (!scope.ok()) {
    Audit(key, WorkspaceName(*asked), "ask", *question, {}, HttpStatusFor(scope.status().code()));
    return SendError(res, scope.status());
  }
  AskOptions ask;
  ask.workspace_id = scope->id;
  ask.k = static_cast<int>(*k);
  ask.require_grounding = options.require_grounding;
  auto retrieval = RetrievalFor(*body, ask.k);
  if (!retrieval.ok()) return SendError(res, retrieval.status());
  ask.retrieval = *retrieval;
  auto max_tokens = OptionalInt(*body, "max_tokens", 512, 1, 8192);
  if (!max_tokens.ok()) return SendError(res, max_tokens.status());
  ask.max_tokens = static_cast<uint32_t>(*max_tokens);
  auto user = OptionalString(*body, "user", "");
  if (!user.ok()) return SendError(res, user.status());
  ask.client = ClientOf(req, *user);
  ask.streamed = *stream;
  auto started =
      AnswerSession::Start(store, AnswerGenerator(), options.answer_cache, *question, ask);
  if (!started.ok()) {
    Audit(key, scope->name, "ask", *question, {}, HttpStatusFor(started.status().code()));
    return SendError(res, started.status());
  }
  std::shared_ptr<AnswerSession> session = std::move(*started);
  // The audit line, once the answer's outcome is known (here, when a stream ends, or when the
  // client goes away), and only once.
  auto audit = [this, key, ws = scope->name, q = *question,
                once = std::make_shared<std::atomic<bool>>(false)](const AnswerSession& a,
                                                                   int status) {
    if (once->exchange(true)) return;
    Audit(key, ws, "ask", q,
          DocumentIds(a.citations(), [](const rag::Citation& c) { return c.passage.doc_id; }),
          status);
  };
  auto body_of = [ws = scope->name, mode = ask.retrieval.mode](const std::string& q,
                                                               const AnswerSession& a) {
    json out = AnswerBody(q, a);
    out["workspace"] = ws;
    out["retrieval"] = search::RetrievalName(mode);
    return out;
  };
  if (!*stream) {
    if (!session->generative()) {  // extractive: complete already
      if (Status done = session->RunToEnd(); !done.ok()) return SendError(res, done);
      audit(*session, 200);
      return SendJson(res, 200, body_of(*question, *session));
    }
    DeferredJsonResponse(
        res,
        [session, q = *question, audit, body_of]() -> std::optional<std::string> {
          std::vector<std::string> pieces;
          auto complete = session->Next(pieces, std::chrono::milliseconds(100));
          if (!complete.ok()) {
            audit(*session, HttpStatusFor(complete.status().code()));
            return ErrorBody(complete.status());
          }
          if (!*complete) return std::nullopt;
          audit(*session, 200);
          return Dump(body_of(q, *session));
        },
        [session, audit] {
          session->Cancel();
          audit(*session, 499);
        });
    return;
  }
  // citations first, then the text as it is written, then done (answer_stream.h).
  StreamResponse(
      res,
      [session, started = false, audit](const StreamWriter& write) mutable {
        if (!started) {
          started = true;
          return write(SseEvent("citations", {{"sources", CitationsView(session->sources())}}));
        }
        std::vector<std::string> pieces;
        // The timeout only notices a client that hung up while the model was thinking.
        auto complete = session->Next(pieces, std::chrono::milliseconds(100));
        for (const std::string& p : pieces) {
          if (!write(SseEvent("delta", {{"text", p}}))) return false;
        }
        if (!complete.ok()) {
          audit(*session, HttpStatusFor(complete.status().code()));
          write(SseEvent("error", json::parse(ErrorBody(complete.status()))));
          return false;
        }
        if (!*complete) return true;
        audit(*session, 200);
        write(SseEvent("done", AnswerSummary(*session)));
        return false;
      },
      [session, audit] {
        session->Cancel();
        audit(*session, 499);
      });
}

void Server::Impl::Completion(const httplib::Request& req, httplib::Response& res, bool chat) {
  auto body =
      ParseJsonObject(req.get_header_value("Content-Type"), req.body, options.max_json_bytes);
  if (!body.ok()) return SendError(res, body.status());
  const uint32_t max_tokens_limit = options.model ? options.model->model().max_positions() : 8192;
  auto request = ParseCompletionRequest(*body, chat, max_tokens_limit);
  if (!request.ok()) return SendError(res, request.status());
  request->client = ClientOf(req, request->user);
  if (auto rag = ParseRagModel(request->model); rag && options.generate_only) {
    return SendError(res, NotFound("'" + request->model +
                                   "' is not served here: this is a generator node "
                                   "(--generate-only); ask the front node"));
  } else if (rag) {
    // docent-rag answers from the key's default workspace, docent-rag:NAME from NAME.
    const ApiKey* key = request_key;
    auto scope = Resolve(*rag, kRead);
    if (!scope.ok()) {
      Audit(key, WorkspaceName(*rag), "ask", "", {}, HttpStatusFor(scope.status().code()));
      return SendError(res, scope.status());
    }
    auto audit = [this, key, ws = scope->name](const std::string& question, const AnswerSession* a,
                                               int status) {
      Audit(key, ws, "ask", question,
            a ? DocumentIds(a->citations(), [](const rag::Citation& c) { return c.passage.doc_id; })
              : std::vector<int64_t>{},
            status);
    };
    auto retrieval = RetrievalFor(json::object(), rag::kDefaultAnswerPassages);
    if (!retrieval.ok()) return SendError(res, retrieval.status());
    return ServeRagCompletion(store, AnswerGenerator(), options.answer_cache, std::move(*request),
                              scope->id, options.require_grounding, *retrieval, audit, res);
  }
  if (options.generators != nullptr &&
      (options.model == nullptr || request->model != options.model->id())) {
    // A model of the pool: the request goes to a generator serving it, as it came.
    return ForwardCompletion(*body, request->model, request->stream, chat, res);
  }
  if (options.model == nullptr) {
    return SendError(res, Unavailable("no model is loaded: start the server with docent serve "
                                      "--model MODEL.gguf, or ask model \"docent-rag\" to "
                                      "answer from the documents"));
  }
  ServeCompletion(*options.model, std::move(*request), res);
}

Server::Server(store::Store& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
  impl_->Routes();
  if (impl_->options.TEST_pause_ingest) impl_->queue.TEST_SetPaused(true);
  Impl* impl = impl_.get();
  impl->metrics.AddGauge("docent_documents", "Documents in the store.", [impl] {
    auto s = impl->store.Stats();
    return s.ok() ? static_cast<double>(s->documents) : 0.0;
  });
  impl->metrics.AddGauge("docent_chunks", "Chunks in the store.", [impl] {
    auto s = impl->store.Stats();
    return s.ok() ? static_cast<double>(s->chunks) : 0.0;
  });
  if (answer::AnswerCache* cache = impl->options.answer_cache) {
    // Read at scrape time from the cache's own counters (they count `docent ask` runs that
    // share the file only in that process).
    const std::pair<const char*, const char*> series[] = {
        {"docent_answer_cache_hits_total", "Answers replayed from the answer cache."},
        {"docent_answer_cache_misses_total", "Cacheable answers the cache did not hold."},
        {"docent_answer_cache_uncacheable_total",
         "Answers that could not be cached (sampled without a chosen seed)."},
        {"docent_answer_cache_evictions_total", "Entries evicted to stay in --answer-cache-mb."},
        {"docent_answer_cache_entries", "Answers the cache holds."},
        {"docent_answer_cache_bytes", "Bytes of the answers the cache holds."},
        {"docent_answer_cache_capacity_bytes", "The answer cache's bound (--answer-cache-mb)."}};
    for (size_t i = 0; i < std::size(series); ++i) {
      impl->metrics.AddGauge(series[i].first, series[i].second, [cache, i] {
        const answer::AnswerCache::Stats st = cache->stats();
        const uint64_t values[] = {st.hits,    st.misses, st.uncacheable,       st.evictions,
                                   st.entries, st.bytes,  cache->budget_bytes()};
        return static_cast<double>(values[i]);
      });
    }
  }
  impl->metrics.AddGauge("docent_ingested_bytes", "Bytes of uploads indexed since start.",
                         [impl] { return static_cast<double>(impl->queue.IngestedBytes()); });
  impl->metrics.AddGauge("docent_ingest_queue_depth", "Uploads queued or being indexed.",
                         [impl] { return static_cast<double>(impl->queue.Depth()); });
  impl->metrics.AddGauge("docent_process_resident_bytes", "Resident set size of the process.",
                         [] { return ProcessRssBytes(); });
  impl->metrics.AddGauge("docent_heap_in_use_bytes",
                         "Bytes of the C allocator's blocks in use (mallinfo2, all arenas).",
                         [] { return ProcessHeapBytes().in_use; });
  impl->metrics.AddGauge("docent_heap_free_held_bytes",
                         "Bytes the C allocator holds in freed blocks (mallinfo2, all arenas).",
                         [] { return ProcessHeapBytes().free_held; });
  impl->metrics.AddGauge(
      "docent_term_index_bytes", "Heap bytes of the in-memory term index (approximate).",
      [impl] { return static_cast<double>(impl->store.TermIndexMemory().bytes); });
  impl->metrics.AddGauge(
      "docent_term_index_dead_bytes",
      "Bytes of the term index held by removed chunks and unused terms, until compaction.",
      [impl] { return static_cast<double>(impl->store.TermIndexMemory().dead_bytes); });
  impl->metrics.AddGauge("docent_sqlite_memory_bytes",
                         "Bytes SQLite holds (page caches of every connection, statements).",
                         [] { return static_cast<double>(store::SqliteMemoryBytes()); });
  impl->metrics.AddGauge("docent_stem_cache_bytes",
                         "Bytes of the per-thread English stem caches (0.55 MB a thread at most).",
                         [] { return static_cast<double>(text::StemCacheBytes()); });
  impl->metrics.AddGauge(
      "docent_term_index_compactions", "Times the term index was compacted since start.",
      [impl] { return static_cast<double>(impl->store.TermIndexMemory().compactions); });
  if (remote::GeneratorPool* pool = impl->options.generators) {
    impl->metrics.AddSection([pool] { return RenderGeneratorMetrics(pool->Snapshot()); });
    impl->metrics.AddGauge("docent_generators_waiting",
                           "Requests waiting for a place on a generator (all are full).",
                           [pool] { return static_cast<double>(pool->Waiting()); });
  }
  if (ModelService* m = impl->options.model) {
    impl->metrics.AddSection([m] { return RenderGenerationMetrics(m->scheduler().Stats()); });
    if (engine::ChunkKvStore* kv = m->kv_store()) {
      impl->metrics.AddGauge("docent_kv_store_entries", "Passages whose KV the store holds.",
                             [kv] { return static_cast<double>(kv->stats().entries); });
      impl->metrics.AddGauge("docent_kv_store_bytes", "Bytes of the passage KV store's files.",
                             [kv] { return static_cast<double>(kv->stats().bytes); });
      impl->metrics.AddGauge("docent_kv_store_capacity_bytes",
                             "The passage KV store's bound (--kv-store-mb); oldest go first.",
                             [kv] { return static_cast<double>(kv->budget_bytes()); });
      impl->metrics.AddGauge("docent_kv_store_hit_rate",
                             "Passage KV lookups served from the store since start.",
                             [kv] { return kv->stats().hit_rate(); });
    }
  }
}

Server::~Server() {
  Stop();
  Wait();
}

Status Server::Start() {
  const ServerOptions& o = impl_->options;
  if (o.port == 0) {
    port_ = impl_->http.bind_to_any_port(o.host);
    if (port_ <= 0) return IOError("cannot bind " + o.host + " on any port");
  } else {
    if (!impl_->http.bind_to_port(o.host, o.port)) {
      return IOError("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                     " (in use, or not an address of this machine)");
    }
    port_ = o.port;
  }
  // httplib listens with a backlog of 5; a burst of clients connecting at once would then
  // see dropped connections. listen() again on the bound socket raises the backlog.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  thread_ = std::thread([this] { impl_->http.listen_after_bind(); });
  answer::RetrievalService* retrieval = impl_->options.retrieval;
  if (retrieval != nullptr && retrieval->embedder() != nullptr) {
    // Uploads are searchable by BM25 once stored; their vectors follow on the same worker.
    // A pass already running (the start's, after a change of model) takes the new chunks in
    // too, so an upload does not wait for it.
    impl_->queue.SetAfterIndexed([impl = impl_.get(), retrieval]() -> Status {
      indexer::EmbedPassOptions pass;
      pass.cancel = &impl->stopping;
      return retrieval->EmbedPending(pass, /*wait=*/false).status();
    });
  }
  impl_->warm = std::thread([impl = impl_.get(), retrieval] {
    if (impl->store.WarmAllTermIndexes(&impl->stopping).ok()) impl->index_ready = true;
    if (retrieval == nullptr || retrieval->embedder() == nullptr) return;
    // Chunks without a vector of the model (all of them after a change of model) are embedded
    // now; until then answers use BM25, as RetrievalService::note() says.
    indexer::EmbedPassOptions pass;
    pass.cancel = &impl->stopping;
    pass.on_progress = [](const indexer::EmbedProgress& p) {
      if (p.done == p.total || p.done % 1024 < 32) {
        std::fprintf(stderr, "docent: embedded %lld of %lld chunks (%.1f chunks/s)\n",
                     static_cast<long long>(p.done), static_cast<long long>(p.total),
                     p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0.0);
      }
    };
    auto done = retrieval->EmbedPending(pass);
    if (!done.ok()) {
      if (!impl->stopping) {
        std::fprintf(stderr, "docent: embedding: %s\n", done.status().ToString().c_str());
      }
      return;
    }
    if (Status st = retrieval->WarmIndexes(&impl->stopping); !st.ok() && !impl->stopping) {
      std::fprintf(stderr, "docent: vector index: %s\n", st.ToString().c_str());
    }
  });
  return Status::Ok();
}

void Server::Stop() {
  impl_->stopping = true;
  // Generations end now rather than at their max_tokens; their streams close normally.
  if (impl_->options.model != nullptr) impl_->options.model->scheduler().CancelAll();
  // httplib's stop() closes the listener; its pool then finishes the requests in flight.
  impl_->http.stop();
  impl_->queue.Stop();
}

void Server::Wait() {
  if (thread_.joinable()) thread_.join();
  if (impl_->warm.joinable()) impl_->warm.join();
}

}  // namespace docent::server
