// The OpenAI-compatible endpoints, so existing clients (the official `openai` libraries,
// LangChain, Open WebUI) use docent's model unchanged:
//   GET  /v1/models
//   POST /v1/chat/completions  messages, stream, max_tokens / max_completion_tokens,
//                              temperature, top_p, seed, stop, n = 1, stream_options.include_usage
//   POST /v1/completions       the same with a plain `prompt`
//   model "docent-rag"         answers over the documents, with citations (ServeRagCompletion)
// Answers carry `usage` and a `finish_reason`; streams are server-sent events of
// chat.completion.chunk objects ending in "data: [DONE]". A client that disconnects cancels
// its generation at once, freeing its slot. Errors use OpenAI's shape (http_errors.h).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/chat_template.h"
#include "docent/llm/sampling.h"
#include "docent/search/retriever.h"
#include "docent/util/status.h"

namespace docent::store {
class Store;
}

namespace httplib {
struct Response;
}

namespace docent::answer {
class AnswerCache;
class AnswerSession;
class Generator;
class ModelService;
}  // namespace docent::answer

namespace docent::server {

using answer::ModelService;

struct CompletionRequest {
  bool chat = true;
  std::vector<llm::ChatMessage> messages;  // chat
  // Per message: the parts of a content sent as an array of text parts, else empty.
  std::vector<std::vector<std::string>> parts;
  std::string prompt;  // completions
  std::string model;
  bool stream = false;
  bool include_usage = false;
  uint32_t max_tokens = 256;
  llm::SamplingParams sampling;  // temperature 1 as OpenAI's default; greedy at 0
  bool seed_given = false;       // "seed" was sent: a sampled answer is repeatable
  std::vector<std::string> stop;
  std::string user;    // OpenAI's "user": the end user, if the caller names one
  std::string client;  // who the scheduler's fair queue counts this for (ClientOf)
};

// InvalidArgument / Unprocessable naming the field for a malformed request; n other than 1 is
// Unsupported. `max_tokens_limit` caps max_tokens.
Result<CompletionRequest> ParseCompletionRequest(const nlohmann::json& body, bool chat,
                                                 uint32_t max_tokens_limit);

// The model id that answers over the documents (answer_session.h) instead of chatting.
inline constexpr std::string_view kRagModelId = "docent-rag";

// Whether `model` names docent-rag: nullopt when it does not; else the workspace it names
// ("docent-rag:NAME"), or nullopt inside for plain "docent-rag" (the key's default).
std::optional<std::optional<std::string>> ParseRagModel(std::string_view model);

// {"object": "list", "data": [...]}: the served model, if any, with its "context_length";
// then, `with_rag`, docent-rag and docent-rag:NAME for each of `workspaces`.
nlohmann::json ModelsList(const ModelService* service, const std::vector<std::string>& workspaces,
                          bool with_rag = true);

// Runs the request and writes the answer (or the stream) into `res`. A full queue is 429.
void ServeCompletion(ModelService& service, CompletionRequest request, httplib::Response& res);

// docent-rag: the last user message (or the prompt) answered from the workspace's passages, with
// `model` (the in-process model or a remote pool) when set and extractively otherwise. The text
// cites its sources as [n]; the top-level "citations" field (of the answer, or of the stream's last
// chunk) lists them: PassageView objects with their "n". Usage counts the model's tokens (0 without
// one). `on_outcome` hears once how the answer ended (the audit trail): the question, the session
// (null when it could not start) and the HTTP status (499 when the client went away).
using RagOutcome =
    std::function<void(const std::string& question, const answer::AnswerSession*, int status)>;
void ServeRagCompletion(store::Store& store, answer::Generator* model, answer::AnswerCache* cache,
                        CompletionRequest request, int64_t workspace_id, bool require_grounding,
                        const search::RetrievalOptions& retrieval, const RagOutcome& on_outcome,
                        httplib::Response& res);

}  // namespace docent::server
