// The OpenAI-compatible endpoints (see openai_api.h).
#include "docent/server/openai_api.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "docent/engine/stop_matcher.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/server/http_errors.h"
#include "docent/server/json_views.h"
#include "docent/server/model_service.h"
#include "docent/server/request_checks.h"

namespace docent::server {
namespace {

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

// OpenAI message content: a string, or an array of {"type": "text", "text": ...} parts.
Result<std::string> MessageContent(const json& message, size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "]";
  auto it = message.find("content");
  if (it == message.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_array()) return Unprocessable(where + ".content must be a string or an array");
  std::string text;
  for (const json& part : *it) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      return Unprocessable(where + ".content: only text parts are supported");
    }
    text += part["text"].get<std::string>();
  }
  return text;
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

// What the generation thread hands the HTTP thread of a streamed answer.
struct Channel {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> pieces;  // guarded by mu
  bool done = false;               // guarded by mu
  std::atomic<bool> client_gone{false};
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
      DOCENT_ASSIGN_OR_RETURN(std::string content, MessageContent(m, i));
      r.messages.push_back({role, std::move(content)});
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
  if (n != 1) return Unsupported("\"n\" must be 1: docent returns one choice per request");
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

json ModelsList(const ModelService& service) {
  return {
      {"object", "list"},
      {"data",
       json::array(
           {{{"id", service.id()}, {"object", "model"}, {"created", 0}, {"owned_by", "docent"}}})}};
}

void ServeCompletion(ModelService& service, CompletionRequest request, httplib::Response& res) {
  if (!request.model.empty() && request.model != service.id()) {
    return SendError(res, NotFound("no model named '" + request.model + "'; this server has '" +
                                   service.id() + "'"));
  }
  engine::GenerationRequest gen;
  if (request.chat) {
    gen.prompt = service.ChatPrompt(request.messages);
  } else {
    const std::vector<int32_t> ids =
        service.tokenizer().Encode(request.prompt, /*add_special=*/true, /*parse_special=*/false);
    gen.prompt.assign(ids.begin(), ids.end());
  }
  gen.max_tokens = request.max_tokens;
  gen.sampling = request.sampling;
  const uint32_t context = service.model().max_positions();
  if (gen.prompt.size() + 1 >= context) {
    return SendError(res, InvalidArgument("the prompt is " + std::to_string(gen.prompt.size()) +
                                          " tokens; the context holds " + std::to_string(context)));
  }
  gen.max_tokens =
      std::min<uint32_t>(gen.max_tokens, context - 1 - static_cast<uint32_t>(gen.prompt.size()));

  const std::string id = CompletionId(request.chat);
  const int64_t created = Now();
  const std::string object = request.chat ? "chat.completion" : "text_completion";
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

  auto usage = [](const engine::GenerationResult& r) {
    return json{{"prompt_tokens", r.prompt_tokens},
                {"completion_tokens", r.tokens.size()},
                {"total_tokens", r.prompt_tokens + r.tokens.size()},
                {"prompt_tokens_details", {{"cached_tokens", r.cached_prompt_tokens}}}};
  };
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
    const engine::GenerationResult r = h->Wait();
    if (r.finish == engine::FinishReason::kError) return SendError(res, r.error);
    finish_tail();
    json choice = {{"index", 0}, {"finish_reason", finish_reason(r)}, {"logprobs", nullptr}};
    if (request.chat) {
      choice["message"] = {{"role", "assistant"}, {"content", *text}};
    } else {
      choice["text"] = *text;
    }
    res.status = 200;
    res.set_content(Dump({{"id", id},
                          {"object", object},
                          {"created", created},
                          {"model", service.id()},
                          {"choices", json::array({choice})},
                          {"usage", usage(r)}}),
                    "application/json");
    return;
  }

  // Streaming: this thread writes what the generation thread hands over.
  const bool chat = request.chat;
  const bool include_usage = request.include_usage;
  const std::string model_id = service.id();
  const std::string chunk_object = chat ? "chat.completion.chunk" : "text_completion";
  auto chunk = [=](const json& choice_delta, const json& finish) {
    json choice = {{"index", 0}, {"finish_reason", finish}, {"logprobs", nullptr}};
    if (chat) {
      choice["delta"] = choice_delta;
    } else {
      choice["text"] = choice_delta.value("content", "");
    }
    return "data: " +
           Dump({{"id", id},
                 {"object", chunk_object},
                 {"created", created},
                 {"model", model_id},
                 {"choices", json::array({choice})}}) +
           "\n\n";
  };
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [=, started = false, finished = false](size_t, httplib::DataSink& sink) mutable {
        auto write = [&](const std::string& s) {
          if (sink.write(s.data(), s.size())) return true;
          channel->client_gone = true;
          h->Cancel();
          return false;
        };
        if (!started) {
          started = true;
          if (chat && !write(chunk({{"role", "assistant"}, {"content", ""}}, nullptr)))
            return false;
        }
        if (finished) {
          sink.done();
          return true;
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
        if (!sink.is_writable()) {
          channel->client_gone = true;
          h->Cancel();
          return false;
        }
        for (const std::string& p : pieces) {
          if (!write(chunk({{"content", p}}, nullptr))) return false;
        }
        if (!done) return true;
        const engine::GenerationResult r = h->Wait();
        const std::string tail = finish_tail();
        if (!tail.empty() && !write(chunk({{"content", tail}}, nullptr))) return false;
        if (r.finish == engine::FinishReason::kError) {
          write("data: " + ErrorBody(r.error) + "\n\n");
        } else if (!write(chunk(json::object(), finish_reason(r)))) {
          return false;
        }
        if (include_usage) {
          const std::string u = "data: " +
                                Dump({{"id", id},
                                      {"object", chunk_object},
                                      {"created", created},
                                      {"model", model_id},
                                      {"choices", json::array()},
                                      {"usage", usage(r)}}) +
                                "\n\n";
          if (!write(u)) return false;
        }
        if (!write("data: [DONE]\n\n")) return false;
        finished = true;
        sink.done();
        return true;
      });
}

}  // namespace docent::server
