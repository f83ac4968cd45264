// A completion the front passes through to the pool unchanged (its /v1/chat/completions and
// /v1/completions for a model the pool serves). The upstream request runs on a thread of its
// own, so the front learns the generator's status before it answers its own client (a 4xx
// goes back as that 4xx, whole; a stream starts only on a 2xx), and a client that leaves ends
// the upstream request at once. While nothing was received, a transport error or a 5xx is
// retried on another generator serving the model. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "docent/remote/generator_pool.h"

namespace docent::remote {

class ForwardedCall {
 public:
  // `endpoint`: "chat/completions" or "completions"; `body` goes as it came, with `model`
  // set to the id the chosen generator serves.
  static std::shared_ptr<ForwardedCall> Start(GeneratorPool& pool, std::string model,
                                              std::string endpoint, nlohmann::json body);
  ~ForwardedCall();  // cancels the call if it is still running, and waits for its thread
  ForwardedCall(const ForwardedCall&) = delete;
  ForwardedCall& operator=(const ForwardedCall&) = delete;

  struct Response {
    int status = 0;
    std::string content_type;
  };
  // Waits until a generator answered with a status, or the call failed before any did: the
  // status, or the error (NotFound: no generator serves the model; Unavailable: none healthy
  // or all failed; ResourceExhausted: all busy).
  Result<Response> AwaitResponse();
  // Appends what arrived since the last call to `out`, waiting up to `wait` for something;
  // false once the call has ended and all it received was taken (then end() says how).
  bool Take(std::string& out, std::chrono::milliseconds wait);
  // How the call ended: OK, or why the response stopped (Cancelled when Cancel()ed).
  Status end() const;
  void Cancel();

 private:
  ForwardedCall(GeneratorPool& pool, std::string model, std::string endpoint, nlohmann::json body);
  void Run();

  GeneratorPool& pool_;
  const std::string model_;
  const std::string endpoint_;
  const nlohmann::json body_;
  Cancellation cancel_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  bool responded_ = false;
  Response response_;
  std::string received_;  // not yet taken
  bool over_ = false;
  Status end_;
  std::thread worker_;
};

}  // namespace docent::remote
