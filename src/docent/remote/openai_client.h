// One OpenAI-compatible endpoint as a client sees it: a docent generator node, llama-server,
// vLLM, Ollama or a hosted service. Each call opens its own connection (cpp-httplib's client
// is not shared across threads), so calls may run concurrently. Errors are values, and their
// codes say what the pool should do:
//   Unavailable        connect errors, timeouts, 5xx, a stream cut short: the generator is
//                      unwell (take it out, retry the request elsewhere)
//   ResourceExhausted  429: the generator is full (try another, it stays in)
//   InvalidArgument    another 4xx: the request itself was refused (no retry)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "docent/util/status.h"

namespace httplib {
class Client;
}

namespace docent::remote {

struct EndpointConfig {
  // The base URL as OpenAI clients take it ("http://host:port/v1"); chat completions are
  // POSTed to {url}/chat/completions. llama-server's and docent's /tokenize live at the root
  // ({url} without a trailing "/v1").
  std::string url;
  std::string model;            // empty: the first id in {url}/models that is not docent-rag
  std::string api_key;          // sent as "Authorization: Bearer KEY" when set
  uint32_t max_concurrent = 4;  // requests in flight at once
  double timeout_s = 300;       // each read while a response streams (connect: kConnectTimeoutS)
  // The context the endpoint declares (0: what {url}/models says, else 4096).
  uint32_t context_length = 0;
  // Set: Azure OpenAI's shape. {url} is the deployment
  // (https://RESOURCE.openai.azure.com/openai/deployments/NAME), every request carries
  // ?api-version=THIS and the key goes in an "api-key" header; there is no /models (the
  // deployment is the model) and no /tokenize, so the generator is probed with a one-token
  // completion and prompts are estimated.
  std::string azure_api_version;
};

// What {url}/models says about the served model.
struct ModelInfo {
  std::string id;
  uint32_t context_length = 0;  // 0 when not given
  bool docent = false;          // owned_by "docent": reads content parts on their own
};

// How a streamed chat completion ended.
struct StreamEnd {
  std::string finish_reason;   // "stop", "length", ... ("" when the stream gave none)
  uint32_t prompt_tokens = 0;  // from the usage chunk, when sent
  uint32_t completion_tokens = 0;
};

// How long a connection may take to open, and a probe (/models, /tokenize) to answer: a host
// that is silent must not hold start-up, the prober or shutdown for a whole request timeout.
inline constexpr double kConnectTimeoutS = 3;
inline constexpr double kProbeTimeoutS = 10;

// Lets another thread end a request in flight: Cancel() shuts the request's connection, so a
// read waiting on a generator that is still reading the prompt returns at once. One request
// at a time. Thread-safe.
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  friend class CancelScope;
  // The client of the request in flight (nullptr when it ends); false when already cancelled.
  bool Attach(httplib::Client* client);

  std::mutex mu_;
  httplib::Client* active_ = nullptr;  // guarded by mu_
  std::atomic<bool> cancelled_{false};
};

class OpenAiClient {
 public:
  // InvalidArgument for a URL that is not http(s)://host[:port][/path].
  static Result<OpenAiClient> Make(EndpointConfig config);

  const EndpointConfig& config() const { return config_; }

  // GET {url}/models: `config().model` (which must be listed) or the first id not docent-rag.
  Result<ModelInfo> DiscoverModel() const;
  // POST {root}/tokenize with `body` (llama-server's {"content"}, or docent's {"messages"}):
  // the token ids. Unsupported when the endpoint has no /tokenize (404).
  Result<std::vector<int64_t>> Tokenize(const nlohmann::json& body) const;
  // POST {root}/detokenize {"tokens"}: the text.
  Result<std::string> Detokenize(const std::vector<int64_t>& tokens) const;
  // POST {url}/chat/completions with `body` (stream is forced on): each piece of text goes to
  // `on_text` as it arrives; `on_text` returning false, or `cancel`, ends the request
  // (Cancelled). A stream that ends without "[DONE]", or with an error event, is Unavailable.
  Result<StreamEnd> StreamChat(const nlohmann::json& body,
                               const std::function<bool(std::string_view text)>& on_text,
                               Cancellation* cancel = nullptr) const;
  // POSTs `body` as it came to {url}/`endpoint` ("chat/completions" or "completions") and
  // hands the response's status, then its bytes, as they arrive, to `on_response` and
  // `on_bytes` (a proxy: a stream passes through piece by piece); either returning false, or
  // `cancel`, ends the request (Cancelled). Errors: transport failures (Unavailable) only; an
  // HTTP error status is the caller's to pass on.
  Status Forward(
      std::string_view endpoint, const std::string& body,
      const std::function<bool(int status, const std::string& content_type)>& on_response,
      const std::function<bool(std::string_view bytes)>& on_bytes,
      Cancellation* cancel = nullptr) const;

 private:
  explicit OpenAiClient(EndpointConfig config) : config_(std::move(config)) {}
  bool azure() const { return !config_.azure_api_version.empty(); }
  // `path` with Azure's api-version query when the endpoint is Azure's.
  std::string WithQuery(std::string path) const;
  Result<nlohmann::json> PostJson(const std::string& path, const nlohmann::json& body) const;

  EndpointConfig config_;
  std::string origin_;     // "http://host:port"
  std::string base_path_;  // "/v1"
  std::string root_path_;  // base_path_ without a trailing "/v1"
};

// The error an HTTP status stands for (the codes above), with the body's message.
Status StatusOfHttp(int status, std::string_view body, std::string_view what);

}  // namespace docent::remote
