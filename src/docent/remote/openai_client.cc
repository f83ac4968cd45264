// Talking to an OpenAI-compatible endpoint (see openai_client.h).
#include "docent/remote/openai_client.h"

#include <httplib.h>

#include "docent/remote/sse_reader.h"

namespace docent::remote {
namespace {

using nlohmann::json;

std::chrono::microseconds Micros(double seconds) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::duration<double>(seconds));
}

// `read_timeout_s`: the request's (a completion's) or a probe's.
httplib::Client ClientFor(const std::string& origin, double read_timeout_s) {
  httplib::Client client(origin);
  client.set_connection_timeout(Micros(std::min(kConnectTimeoutS, read_timeout_s)));
  client.set_read_timeout(Micros(read_timeout_s));
  client.set_write_timeout(Micros(read_timeout_s));
  client.set_keep_alive(false);
  return client;
}

// Text from documents may hold bytes that are not UTF-8: they go out replaced, never thrown.
std::string Dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A usage count: a non-negative integer, else 0 (a server that sends null or text).
uint32_t CountField(const json& usage, const char* key) {
  if (!usage.contains(key) || !usage[key].is_number_unsigned()) return 0;
  return static_cast<uint32_t>(std::min<uint64_t>(usage[key].get<uint64_t>(), UINT32_MAX));
}

double ProbeTimeout(const EndpointConfig& config) {
  return std::min(kProbeTimeoutS, config.timeout_s);
}

httplib::Headers HeadersFor(const EndpointConfig& config) {
  httplib::Headers headers;
  if (config.api_key.empty()) return headers;
  if (!config.azure_api_version.empty()) {
    headers.emplace("api-key", config.api_key);
  } else {
    headers.emplace("Authorization", "Bearer " + config.api_key);
  }
  return headers;
}

// A POST of a JSON body with the endpoint's key, for a client's send().
httplib::Request JsonPost(const std::string& path, const EndpointConfig& config, std::string body) {
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = HeadersFor(config);
  req.headers.emplace("Content-Type", "application/json");
  req.body = std::move(body);
  return req;
}

Status TransportError(httplib::Error error, std::string_view what) {
  return Unavailable(std::string(what) + ": " + httplib::to_string(error));
}

}  // namespace

void Cancellation::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_.store(true, std::memory_order_release);
  // Shuts the socket of a request in flight; its blocked read fails at once. (A request still
  // connecting sees the flag at its first received bytes.)
  if (active_ != nullptr) active_->stop();
}

bool Cancellation::Attach(httplib::Client* client) {
  std::lock_guard<std::mutex> lock(mu_);
  if (client != nullptr && cancelled()) return false;
  active_ = client;
  return true;
}

// Attaches a request's client to its Cancellation (if any) for the life of the request.
class CancelScope {
 public:
  CancelScope(Cancellation* cancel, httplib::Client& client) : cancel_(cancel) {
    attached_ = cancel_ == nullptr || cancel_->Attach(&client);
  }
  ~CancelScope() {
    if (cancel_ != nullptr) cancel_->Attach(nullptr);
  }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;
  // False when the request was cancelled before it began.
  bool attached() const { return attached_; }
  bool cancelled() const { return cancel_ != nullptr && cancel_->cancelled(); }

 private:
  Cancellation* cancel_;
  bool attached_ = true;
};

Status StatusOfHttp(int status, std::string_view body, std::string_view what) {
  std::string message = std::string(what) + " answered HTTP " + std::to_string(status);
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error")) {
    const json& e = parsed["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      message += ": " + e["message"].get<std::string>();
    } else if (e.is_string()) {
      message += ": " + e.get<std::string>();
    }
  }
  if (status == 429) return ResourceExhausted(message);
  if (status == 404) return Unsupported(message);
  if (status >= 400 && status < 500) return InvalidArgument(message);
  return Unavailable(message);
}

Result<OpenAiClient> OpenAiClient::Make(EndpointConfig config) {
  const std::string url = config.url;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return InvalidArgument("generator URL '" + url +
                           "' must start with http:// or https:// (e.g. http://host:8080/v1)");
  }
  const size_t path_at = url.find('/', scheme_end + 3);
  const std::string host = url.substr(
      scheme_end + 3, path_at == std::string::npos ? std::string::npos : path_at - scheme_end - 3);
  if (host.empty()) return InvalidArgument("generator URL '" + url + "' names no host");
  OpenAiClient client(std::move(config));
  client.origin_ = url.substr(0, path_at);
  std::string path = path_at == std::string::npos ? "" : url.substr(path_at);
  while (!path.empty() && path.back() == '/') path.pop_back();
  client.base_path_ = path;
  client.root_path_ = path.ends_with("/v1") ? path.substr(0, path.size() - 3) : path;
  return client;
}

Result<json> OpenAiClient::PostJson(const std::string& path, const json& body) const {
  httplib::Client client = ClientFor(origin_, ProbeTimeout(config_));
  auto res = client.Post(path, HeadersFor(config_), Dump(body), "application/json");
  const std::string what = "generator " + config_.url + " (POST " + path + ")";
  if (!res) return TransportError(res.error(), what);
  if (res->status / 100 != 2) return StatusOfHttp(res->status, res->body, what);
  json parsed = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Unavailable(what + " sent a body that is not JSON");
  return parsed;
}

std::string OpenAiClient::WithQuery(std::string path) const {
  if (azure()) path += "?api-version=" + config_.azure_api_version;
  return path;
}

Result<ModelInfo> OpenAiClient::DiscoverModel() const {
  if (azure()) {
    // No model list on a deployment: one token of a completion says whether it answers.
    const json ping = {{"messages", json::array({{{"role", "user"}, {"content", "ping"}}})},
                       {"max_tokens", 1}};
    DOCENT_RETURN_IF_ERROR(PostJson(WithQuery(base_path_ + "/chat/completions"), ping).status());
    return ModelInfo{config_.model, 0, false};
  }
  httplib::Client client = ClientFor(origin_, ProbeTimeout(config_));
  const std::string path = base_path_ + "/models";
  const std::string what = "generator " + config_.url + " (GET " + path + ")";
  auto res = client.Get(path, HeadersFor(config_));
  if (!res) return TransportError(res.error(), what);
  if (res->status / 100 != 2) return StatusOfHttp(res->status, res->body, what);
  const json parsed = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("data") || !parsed["data"].is_array()) {
    return Unavailable(what + " did not list models ({\"data\": [...]})");
  }
  for (const json& m : parsed["data"]) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
    const std::string id = m["id"].get<std::string>();
    if (id == "docent-rag" || id.starts_with("docent-rag:")) continue;
    if (!config_.model.empty() && id != config_.model) continue;
    ModelInfo info;
    info.id = id;
    // docent and llama.cpp's server say "context_length"; vLLM "max_model_len".
    for (const char* key : {"context_length", "max_model_len"}) {
      if (m.contains(key) && m[key].is_number_unsigned()) {
        info.context_length = m[key].get<uint32_t>();
        break;
      }
    }
    info.docent = m.value("owned_by", "") == "docent";
    return info;
  }
  return Unavailable(what + (config_.model.empty()
                                 ? std::string(" lists no model")
                                 : " does not list the model '" + config_.model + "'"));
}

Result<std::vector<int64_t>> OpenAiClient::Tokenize(const json& body) const {
  if (azure()) return Unsupported("Azure OpenAI has no /tokenize");
  DOCENT_ASSIGN_OR_RETURN(json parsed, PostJson(root_path_ + "/tokenize", body));
  if (!parsed.contains("tokens") || !parsed["tokens"].is_array()) {
    return Unavailable("generator " + config_.url + ": /tokenize sent no \"tokens\"");
  }
  std::vector<int64_t> out;
  for (const json& t : parsed["tokens"]) {
    // llama-server's with_pieces form: {"id", "piece"}.
    if (t.is_number_integer()) {
      out.push_back(t.get<int64_t>());
    } else if (t.is_object() && t.contains("id") && t["id"].is_number_integer()) {
      out.push_back(t["id"].get<int64_t>());
    } else {
      return Unavailable("generator " + config_.url +
                         ": /tokenize sent a token that is not a "
                         "number");
    }
  }
  return out;
}

Result<std::string> OpenAiClient::Detokenize(const std::vector<int64_t>& tokens) const {
  DOCENT_ASSIGN_OR_RETURN(json parsed, PostJson(root_path_ + "/detokenize", {{"tokens", tokens}}));
  if (!parsed.contains("content") || !parsed["content"].is_string()) {
    return Unavailable("generator " + config_.url + ": /detokenize sent no \"content\"");
  }
  return parsed["content"].get<std::string>();
}

Result<StreamEnd> OpenAiClient::StreamChat(
    const json& request, const std::function<bool(std::string_view text)>& on_text,
    Cancellation* cancel) const {
  json body = request;
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  const std::string path = WithQuery(base_path_ + "/chat/completions");
  const std::string what = "generator " + config_.url + " (POST " + path + ")";
  httplib::Client client = ClientFor(origin_, config_.timeout_s);
  httplib::Request req = JsonPost(path, config_, Dump(body));
  req.headers.emplace("Accept", "text/event-stream");

  int status = 0;
  std::string error_body;
  SseReader reader;
  std::vector<std::string> events;
  StreamEnd end;
  bool done = false, cancelled = false;
  Status failure;
  const CancelScope scope(cancel, client);
  if (!scope.attached()) return Cancelled("the answer was cancelled");
  // One event's data; false ends the request.
  auto on_event = [&](const std::string& event) {
    if (event == "[DONE]") {
      done = true;
      return true;
    }
    const json chunk = json::parse(event, nullptr, /*allow_exceptions=*/false);
    if (chunk.is_discarded() || !chunk.is_object()) {
      failure = Unavailable(what + " streamed an event that is not JSON");
      return false;
    }
    if (chunk.contains("error")) {
      failure = StatusOfHttp(500, event, what + " (in the stream)");
      return false;
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) {
      const json& u = chunk["usage"];
      end.prompt_tokens = CountField(u, "prompt_tokens");
      end.completion_tokens = CountField(u, "completion_tokens");
    }
    if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) {
      return true;
    }
    const json& choice = chunk["choices"][0];
    if (!choice.is_object()) return true;
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
      end.finish_reason = choice["finish_reason"].get<std::string>();
    }
    if (choice.contains("delta") && choice["delta"].is_object()) {
      const json& delta = choice["delta"];
      if (delta.contains("content") && delta["content"].is_string()) {
        const std::string& text = delta["content"].get_ref<const std::string&>();
        if (!text.empty() && !on_text(text)) {
          cancelled = true;
          return false;
        }
      }
    }
    return true;
  };
  req.response_handler = [&](const httplib::Response& r) {
    status = r.status;
    if (!scope.cancelled()) return true;
    cancelled = true;
    return false;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (scope.cancelled()) {
      cancelled = true;
      return false;
    }
    if (status / 100 != 2) {
      if (error_body.size() < (1u << 16)) error_body.append(data, n);
      return true;
    }
    events.clear();
    reader.Feed(std::string_view(data, n), events);
    for (const std::string& event : events) {
      if (!on_event(event)) return false;
    }
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool sent = client.send(req, res, error);
  if (cancelled || scope.cancelled()) return Cancelled("the answer was cancelled");
  if (!failure.ok()) return failure;
  if (!sent) return TransportError(error, what);
  if (status / 100 != 2) return StatusOfHttp(status, error_body, what);
  // A last event the server did not close with a blank line still counts.
  events.clear();
  reader.Finish(events);
  for (const std::string& event : events) {
    if (!on_event(event)) break;
  }
  if (cancelled) return Cancelled("the answer was cancelled");
  if (!failure.ok()) return failure;
  if (!done) return Unavailable(what + ": the stream ended before [DONE]");
  return end;
}

Status OpenAiClient::Forward(
    std::string_view endpoint, const std::string& body,
    const std::function<bool(int status, const std::string& content_type)>& on_response,
    const std::function<bool(std::string_view bytes)>& on_bytes, Cancellation* cancel) const {
  const std::string path = WithQuery(base_path_ + "/" + std::string(endpoint));
  httplib::Client client = ClientFor(origin_, config_.timeout_s);
  httplib::Request req = JsonPost(path, config_, body);
  const CancelScope scope(cancel, client);
  if (!scope.attached()) return Cancelled("the forwarded request was ended");
  bool stopped = false;
  req.response_handler = [&](const httplib::Response& r) {
    if (!scope.cancelled() && on_response(r.status, r.get_header_value("Content-Type"))) {
      return true;
    }
    stopped = true;
    return false;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (!scope.cancelled() && on_bytes(std::string_view(data, n))) return true;
    stopped = true;
    return false;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool sent = client.send(req, res, error);
  if (stopped || scope.cancelled()) return Cancelled("the forwarded request was ended");
  if (!sent) return TransportError(error, "generator " + config_.url + " (POST " + path + ")");
  return Status::Ok();
}

}  // namespace docent::remote
