// Passing a completion through to the pool (see forwarded_call.h).
#include "docent/remote/forwarded_call.h"

namespace docent::remote {

using Clock = std::chrono::steady_clock;

std::shared_ptr<ForwardedCall> ForwardedCall::Start(GeneratorPool& pool, std::string model,
                                                    std::string endpoint, nlohmann::json body) {
  std::shared_ptr<ForwardedCall> call(
      new ForwardedCall(pool, std::move(model), std::move(endpoint), std::move(body)));
  call->worker_ = std::thread([c = call.get()] { c->Run(); });
  return call;
}

ForwardedCall::ForwardedCall(GeneratorPool& pool, std::string model, std::string endpoint,
                             nlohmann::json body)
    : pool_(pool),
      model_(std::move(model)),
      endpoint_(std::move(endpoint)),
      body_(std::move(body)) {}

ForwardedCall::~ForwardedCall() {
  cancel_.Cancel();
  if (worker_.joinable()) worker_.join();
}

void ForwardedCall::Cancel() {
  cancel_.Cancel();
}

void ForwardedCall::Run() {
  std::vector<size_t> tried;
  Status last;  // why the generator before failed
  Status end;
  for (;;) {
    auto lease = pool_.AcquireModel(model_, tried);
    if (!lease.ok()) {
      end = lease.status().code() == StatusCode::kNotFound ? lease.status()
                                                           : NoOtherGenerator(last, lease.status());
      break;
    }
    nlohmann::json sent = body_;
    sent["model"] = lease->model;
    const OpenAiClient& client = pool_.client(lease->index);
    const auto start = Clock::now();
    int server_error = 0;
    bool responded = false;
    Status s = client.Forward(
        endpoint_, sent.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
        [&](int status, const std::string& content_type) {
          if (status >= 500) {  // the generator's fault: its body is not passed on
            server_error = status;
            return false;
          }
          std::lock_guard<std::mutex> lock(mu_);
          responded = responded_ = true;
          response_ = Response{status, content_type};
          cv_.notify_all();
          return true;
        },
        [&](std::string_view bytes) {
          std::lock_guard<std::mutex> lock(mu_);
          received_.append(bytes);
          cv_.notify_all();
          return true;
        },
        &cancel_);
    if (server_error != 0 && !cancel_.cancelled()) {
      s = Unavailable("generator " + client.config().url + " answered HTTP " +
                      std::to_string(server_error));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const bool retry = !responded && s.code() == StatusCode::kUnavailable;
    pool_.Release(lease->index, s, s.ok() ? seconds : 0, retry);
    tried.push_back(lease->index);
    if (!retry) {
      end = s;
      break;
    }
    last = s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  over_ = true;
  end_ = end;
  cv_.notify_all();
}

Result<ForwardedCall::Response> ForwardedCall::AwaitResponse() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return responded_ || over_; });
  if (responded_) return response_;
  return end_.ok() ? Unavailable("the generator sent no response") : end_;
}

bool ForwardedCall::Take(std::string& out, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, wait, [&] { return !received_.empty() || over_; });
  out += received_;
  received_.clear();
  return !over_;
}

Status ForwardedCall::end() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_;
}

}  // namespace docent::remote
