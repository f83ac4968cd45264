// The OpenAI-compatible endpoints (see openai_api.h).
#include "docent/server/openai_api.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "docent/answer/answer_session.h"
#include "docent/answer/answer_views.h"
#include "docent/answer/model_service.h"
#include "docent/engine/stop_matcher.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/server/answer_stream.h"
#include "docent/server/http_errors.h"
#include "docent/server/request_checks.h"

namespace docent::server {
namespace {

using answer::AnswerSession;
using answer::AskOptions;
using answer::CitationsView;
using answer::Dump;
using nlohmann::json;

Result<float> OptionalFloat(const json& body, const char* key, float fallback, float lo, float hi) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_number()) return Unprocessable(std::string("\"") + key + "\" must be a number");
  const double v = it->get<double>();
  if (!(v >= lo && v <= hi)) {
    return Unprocessable(std::string("\"") + key + "\" must be between " + std::to_string(lo) +
                         " and " + std::to_string(hi));
  }
  return static_cast<float>(v);
}

// OpenAI message content: a string, or an array of {"type": "text", "text": ...} parts (kept
// apart: the model reads each on its own, llm/chat_encode.h).
struct Content {
  std::string text;
  std::vector<std::string> parts;  // empty for a string
};
Result<Content> MessageContent(const json& message, size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "]";
  auto it = message.find("content");
  if (it == message.end() || it->is_null()) return Content{};
  if (it->is_string()) return Content{it->get<std::string>(), {}};
  if (!it->is_array()) return Unprocessable(where + ".content must be a string or an array");
  Content content;
  for (const json& part : *it) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      return Unprocessable(where + ".content: only text parts are supported");
    }
    content.parts.push_back(part["text"].get<std::string>());
    content.text += content.parts.back();
  }
  return content;
}

std::string CompletionId(bool chat) {
  static std::atomic<uint64_t> next{1};
  return (chat ? "chatcmpl-docent-" : "cmpl-docent-") + std::to_string(next.fetch_add(1));
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view OpenAiFinishReason(engine::FinishReason r) {
  return r == engine::FinishReason::kLength ? "length" : "stop";
}

// The fields every chunk of one streamed answer repeats.
struct ChunkHeader {
  std::string id;
  int64_t created = 0;
  std::string model;
  bool chat = true;
};

// One "data: {chunk}" event: a chat delta ({"content": ...} or the opening role) or, for
// /v1/completions, its text; `extra` fields join the chunk's top level.
std::string StreamChunk(const ChunkHeader& h, const json& delta, const json& finish,
                        const json& extra = json::object()) {
  json choice = {{"index", 0}, {"finish_reason", finish}, {"logprobs", nullptr}};
  if (h.chat) {
    choice["delta"] = delta;
  } else {
    choice["text"] = delta.value("content", "");
  }
  json chunk = {{"id", h.id},
                {"object", h.chat ? "chat.completion.chunk" : "text_completion"},
                {"created", h.created},
                {"model", h.model},
                {"choices", json::array({choice})}};
  chunk.update(extra);
  return "data: " + Dump(chunk) + "\n\n";
}

std::string UsageChunk(const ChunkHeader& h, const json& usage) {
  return "data: " +
         Dump({{"id", h.id},
               {"object", h.chat ? "chat.completion.chunk" : "text_completion"},
               {"created", h.created},
               {"model", h.model},
               {"choices", json::array()},
               {"usage", usage}}) +
         "\n\n";
}

json Usage(const engine::GenerationResult& r) {
  return json{{"prompt_tokens", r.prompt_tokens},
              {"completion_tokens", r.completion_tokens()},
              {"total_tokens", r.prompt_tokens + r.completion_tokens()},
              {"prompt_tokens_details", {{"cached_tokens", r.cached_prompt_tokens}}}};
}

// The whole (non-streamed) answer.
json CompletionBody(const ChunkHeader& h, const std::string& text, const std::string& finish,
                    const json& usage) {
  json choice = {{"index", 0}, {"finish_reason", finish}, {"logprobs", nullptr}};
  if (h.chat) {
    choice["message"] = {{"role", "assistant"}, {"content", text}};
  } else {
    choice["text"] = text;
  }
  return {{"id", h.id},
          {"object", h.chat ? "chat.completion" : "text_completion"},
          {"created", h.created},
          {"model", h.model},
          {"choices", json::array({choice})},
          {"usage", usage}};
}

// What the generation thread hands the HTTP thread of a streamed answer.
struct Channel {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> pieces;  // guarded by mu
  bool done = false;               // guarded by mu
};

}  // namespace

Result<CompletionRequest> ParseCompletionRequest(const json& body, bool chat,
                                                 uint32_t max_tokens_limit) {
  CompletionRequest r;
  r.chat = chat;
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return Unprocessable("\"model\" must be a string");
    r.model = it->get<std::string>();
  }
  DOCENT_ASSIGN_OR_RETURN(r.user, OptionalString(body, "user", ""));
  if (chat) {
    auto it = body.find("messages");
    if (it == body.end()) return InvalidArgument("\"messages\" is required");
    if (!it->is_array() || it->empty())
      return Unprocessable("\"messages\" must be a non-empty array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& m = (*it)[i];
      if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
        return Unprocessable("messages[" + std::to_string(i) + "] needs a string \"role\"");
      }
      std::string role = m["role"].get<std::string>();
      if (role == "developer") role = "system";
      if (role != "system" && role != "user" && role != "assistant" && role != "tool") {
        return Unprocessable("messages[" + std::to_string(i) + "].role '" + role +
                             "' is not system, user, assistant or tool");
      }
      DOCENT_ASSIGN_OR_RETURN(Content content, MessageContent(m, i));
      r.messages.push_back({role, std::move(content.text)});
      r.parts.push_back(std::move(content.parts));
    }
  } else {
    auto it = body.find("prompt");
    if (it == body.end()) return InvalidArgument("\"prompt\" is required");
    if (!it->is_string()) return Unprocessable("\"prompt\" must be a string");
    r.prompt = it->get<std::string>();
  }
  DOCENT_ASSIGN_OR_RETURN(r.stream, OptionalBool(body, "stream", false));
  if (auto it = body.find("stream_options"); it != body.end() && it->is_object()) {
    DOCENT_ASSIGN_OR_RETURN(r.include_usage, OptionalBool(*it, "include_usage", false));
  }
  DOCENT_ASSIGN_OR_RETURN(int64_t n, OptionalInt(body, "n", 1, 1, 128));
  if (n != 1) return InvalidArgument("\"n\" must be 1: docent returns one choice per request");
  // Asked-for features docent does not have are refused, not silently ignored.
  if (auto it = body.find("tools"); it != body.end() && it->is_array() && !it->empty()) {
    return InvalidArgument("\"tools\": docent does not call tools");
  }
  if (auto it = body.find("response_format");
      it != body.end() && it->is_object() && it->value("type", "text") != "text") {
    return InvalidArgument("\"response_format\": docent writes plain text only");
  }
  if (auto it = body.find("logprobs"); it != body.end() && it->is_boolean() && it->get<bool>()) {
    return InvalidArgument("\"logprobs\": docent does not return log probabilities");
  }
  DOCENT_ASSIGN_OR_RETURN(int64_t max_tokens,
                          OptionalInt(body, "max_tokens", 256, 1, max_tokens_limit));
  DOCENT_ASSIGN_OR_RETURN(
      max_tokens, OptionalInt(body, "max_completion_tokens", max_tokens, 1, max_tokens_limit));
  r.max_tokens = static_cast<uint32_t>(max_tokens);
  // Greedy unless asked: the same question gives the same answer (DESIGN.md).
  DOCENT_ASSIGN_OR_RETURN(r.sampling.temperature, OptionalFloat(body, "temperature", 0, 0, 2));
  DOCENT_ASSIGN_OR_RETURN(r.sampling.top_p, OptionalFloat(body, "top_p", 1, 0, 1));
  DOCENT_ASSIGN_OR_RETURN(r.sampling.presence_penalty,
                          OptionalFloat(body, "presence_penalty", 0, -2, 2));
  DOCENT_ASSIGN_OR_RETURN(r.sampling.frequency_penalty,
                          OptionalFloat(body, "frequency_penalty", 0, -2, 2));
  DOCENT_ASSIGN_OR_RETURN(int64_t seed, OptionalInt(body, "seed", 0, INT64_MIN / 2, INT64_MAX / 2));
  r.sampling.seed = static_cast<uint64_t>(seed);
  r.seed_given = body.contains("seed") && !body["seed"].is_null();
  if (auto it = body.find("stop"); it != body.end() && !it->is_null()) {
    if (it->is_string()) {
      r.stop.push_back(it->get<std::string>());
    } else if (it->is_array() && it->size() <= 4) {
      for (const json& s : *it) {
        if (!s.is_string()) return Unprocessable("\"stop\" entries must be strings");
        r.stop.push_back(s.get<std::string>());
      }
    } else {
      return Unprocessable("\"stop\" must be a string or an array of up to 4 strings");
    }
  }
  return r;
}

std::optional<std::optional<std::string>> ParseRagModel(std::string_view model) {
  if (model == kRagModelId) return std::optional<std::string>();
  if (model.size() > kRagModelId.size() + 1 && model.starts_with(kRagModelId) &&
      model[kRagModelId.size()] == ':') {
    return std::optional<std::string>(std::string(model.substr(kRagModelId.size() + 1)));
  }
  return std::nullopt;
}

json ModelsList(const ModelService* service, const std::vector<std::string>& workspaces,
                bool with_rag) {
  json data = json::array();
  auto model = [](std::string id) {
    return json{{"id", std::move(id)}, {"object", "model"}, {"created", 0}, {"owned_by", "docent"}};
  };
  if (service != nullptr) {
    json served = model(service->id());
    // What a front node sizes prompts by (remote/remote_meter.h), as llama-server reports it.
    served["context_length"] = service->model().max_positions();
    data.push_back(std::move(served));
  }
  if (!with_rag) return {{"object", "list"}, {"data", data}};
  data.push_back(model(std::string(kRagModelId)));
  for (const std::string& ws : workspaces)
    data.push_back(model(std::string(kRagModelId) + ":" + ws));
  return {{"object", "list"}, {"data", data}};
}

void ServeCompletion(ModelService& service, CompletionRequest request, httplib::Response& res) {
  if (!request.model.empty() && request.model != service.id()) {
    return SendError(res, NotFound("no model named '" + request.model + "'; this server has '" +
                                   service.id() + "' and '" + std::string(kRagModelId) + "'"));
  }
  engine::GenerationRequest gen;
  if (request.chat) {
    gen.prompt = service.ChatPrompt(request.messages, request.parts);
  } else {
    const std::vector<int32_t> ids =
        service.tokenizer().Encode(request.prompt, /*add_special=*/true, /*parse_special=*/false);
    gen.prompt.assign(ids.begin(), ids.end());
  }
  gen.max_tokens = request.max_tokens;
  gen.sampling = request.sampling;
  gen.deadline = service.Deadline();
  gen.client = request.client;
  const uint32_t context = service.model().max_positions();
  if (gen.prompt.size() + 1 >= context) {
    return SendError(res, InvalidArgument("the prompt is " + std::to_string(gen.prompt.size()) +
                                          " tokens; the context holds " + std::to_string(context)));
  }
  gen.max_tokens =
      std::min<uint32_t>(gen.max_tokens, context - 1 - static_cast<uint32_t>(gen.prompt.size()));

  const ChunkHeader header{CompletionId(request.chat), Now(), service.id(), request.chat};
  auto channel = std::make_shared<Channel>();
  auto decoder = std::make_shared<llm::StreamingDecoder>(service.tokenizer());
  auto stops = std::make_shared<engine::StopMatcher>(request.stop);
  auto text = std::make_shared<std::string>();
  const bool stream = request.stream;
  auto push = [channel, text, stream](std::string piece) {
    if (piece.empty()) return;
    *text += piece;
    if (!stream) return;
    std::lock_guard<std::mutex> lock(channel->mu);
    channel->pieces.push_back(std::move(piece));
    channel->cv.notify_one();
  };
  gen.on_finish = [channel] {
    std::lock_guard<std::mutex> lock(channel->mu);
    channel->done = true;
    channel->cv.notify_one();
  };
  auto handle = service.scheduler().Submit(gen, [=](uint32_t token) {
    push(stops->Push(decoder->Push(static_cast<int32_t>(token))));
    // A client that went away was cancelled (Handle::Cancel) and ends at the next step.
    return !stops->stopped();
  });
  if (!handle.ok()) return SendError(res, handle.status());
  auto h = *handle;

  // Once the generation is over (on the HTTP thread): the text the decoder and the stop
  // matcher still hold, and the finish reason.
  auto finish_tail = [=]() {
    std::string tail = stops->stopped() ? std::string() : stops->Push(decoder->Finish());
    tail += stops->Finish();
    *text += tail;
    return tail;
  };
  auto finish_reason = [=](const engine::GenerationResult& r) {
    return std::string(stops->stopped() ? "stop" : OpenAiFinishReason(r.finish));
  };

  if (!stream) {
    // Waits for the end while watching the connection: a client that gives up (a timeout,
    // a closed tab) cancels its generation instead of holding the slot to max_tokens.
    DeferredJsonResponse(
        res,
        [=]() -> std::optional<std::string> {
          {
            std::unique_lock<std::mutex> lock(channel->mu);
            if (!channel->cv.wait_for(lock, std::chrono::milliseconds(100),
                                      [&] { return channel->done; })) {
              return std::nullopt;
            }
          }
          const engine::GenerationResult r = h->Wait();
          if (r.finish == engine::FinishReason::kError) return ErrorBody(r.error);
          finish_tail();
          return Dump(CompletionBody(header, *text, finish_reason(r), Usage(r)));
        },
        [h] { h->Cancel(); });
    return;
  }

  // Streaming: this thread writes what the generation thread hands over.
  const bool include_usage = request.include_usage;
  StreamResponse(
      res,
      [=, started = false](const StreamWriter& write) mutable {
        if (!started) {
          started = true;
          if (header.chat &&
              !write(StreamChunk(header, {{"role", "assistant"}, {"content", ""}}, nullptr)))
            return false;
        }
        std::deque<std::string> pieces;
        bool done = false;
        {
          std::unique_lock<std::mutex> lock(channel->mu);
          // Woken by a piece or the end; the timeout only notices a client that hung up
          // while the model was thinking.
          channel->cv.wait_for(lock, std::chrono::milliseconds(100),
                               [&] { return !channel->pieces.empty() || channel->done; });
          pieces.swap(channel->pieces);
          done = channel->done;
        }
        for (const std::string& p : pieces) {
          if (!write(StreamChunk(header, {{"content", p}}, nullptr))) return false;
        }
        if (!done) return true;
        const engine::GenerationResult r = h->Wait();
        const std::string tail = finish_tail();
        if (!tail.empty() && !write(StreamChunk(header, {{"content", tail}}, nullptr)))
          return false;
        if (r.finish == engine::FinishReason::kError) {
          write("data: " + ErrorBody(r.error) + "\n\n");
        } else if (!write(StreamChunk(header, json::object(), finish_reason(r)))) {
          return false;
        }
        if (include_usage && !write(UsageChunk(header, Usage(r)))) return false;
        write("data: [DONE]\n\n");
        return false;
      },
      [h] { h->Cancel(); });
}

void ServeRagCompletion(store::Store& store, answer::Generator* model, answer::AnswerCache* cache,
                        CompletionRequest request, int64_t workspace_id, bool require_grounding,
                        const search::RetrievalOptions& retrieval, const RagOutcome& on_outcome,
                        httplib::Response& res) {
  std::string question = request.prompt;
  if (request.chat) {
    question.clear();
    for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
      if (it->role == "user") {
        question = it->content;
        break;
      }
    }
    if (question.empty()) {
      return SendError(res, InvalidArgument("docent-rag answers the last user message, and "
                                            "\"messages\" holds none with text"));
    }
  }
  AskOptions ask;
  ask.workspace_id = workspace_id;
  ask.max_tokens = request.max_tokens;
  ask.sampling = request.sampling;
  ask.client = request.client;
  ask.seed_given = request.seed_given;
  ask.require_grounding = require_grounding;
  ask.streamed = request.stream;
  ask.retrieval = retrieval;
  auto started = AnswerSession::Start(store, model, cache, question, ask);
  if (!started.ok()) {
    on_outcome(question, nullptr, HttpStatusFor(started.status().code()));
    return SendError(res, started.status());
  }
  std::shared_ptr<AnswerSession> session = std::move(*started);
  // Reported once: when the answer is complete, fails, or its client goes away.
  auto outcome = [on_outcome, question, once = std::make_shared<std::atomic<bool>>(false)](
                     const AnswerSession& a, int status) {
    if (!once->exchange(true)) on_outcome(question, &a, status);
  };
  const ChunkHeader header{CompletionId(request.chat), Now(), request.model, request.chat};
  auto usage = [session] { return Usage(session->generation()); };
  auto finish = [session] {
    const std::string r = session->finish_reason();
    return r == "timeout" ? std::string("length") : r;
  };

  if (!request.stream) {
    DeferredJsonResponse(
        res,
        [=]() -> std::optional<std::string> {
          std::vector<std::string> pieces;
          auto complete = session->Next(pieces, std::chrono::milliseconds(100));
          if (!complete.ok()) {
            outcome(*session, HttpStatusFor(complete.status().code()));
            return ErrorBody(complete.status());
          }
          if (!*complete) return std::nullopt;
          outcome(*session, 200);
          json body = CompletionBody(header, session->text(), finish(), usage());
          body["citations"] = CitationsView(session->citations());
          return Dump(body);
        },
        [session, outcome] {
          session->Cancel();
          outcome(*session, 499);
        });
    return;
  }
  const bool include_usage = request.include_usage;
  StreamResponse(
      res,
      [=, started = false](const StreamWriter& write) mutable {
        if (!started) {
          started = true;
          if (header.chat) {
            return write(StreamChunk(header, {{"role", "assistant"}, {"content", ""}}, nullptr));
          }
        }
        std::vector<std::string> pieces;
        auto complete = session->Next(pieces, std::chrono::milliseconds(100));
        for (const std::string& p : pieces) {
          if (!write(StreamChunk(header, {{"content", p}}, nullptr))) return false;
        }
        if (!complete.ok()) {
          outcome(*session, HttpStatusFor(complete.status().code()));
          write("data: " + ErrorBody(complete.status()) + "\n\n");
          return false;
        }
        if (!*complete) return true;
        outcome(*session, 200);
        if (!write(StreamChunk(header, json::object(), finish(),
                               {{"citations", CitationsView(session->citations())}}))) {
          return false;
        }
        if (include_usage && !write(UsageChunk(header, usage()))) return false;
        write("data: [DONE]\n\n");
        return false;
      },
      [session, outcome] {
        session->Cancel();
        outcome(*session, 499);
      });
}

}  // namespace docent::server
