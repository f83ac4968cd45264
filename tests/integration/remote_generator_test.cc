// A front node over a generator the test controls: an OpenAI-compatible server in this process,
// on a loopback port, standing for the servers docent meets (no /tokenize, a stream whose last
// event lacks its blank line, usage counts that are not numbers, Azure OpenAI's URL shape and
// key header) and doing what they do (hold a request while it reads the prompt, refuse a
// request with a 4xx). The front is the real `docent serve` process. Checked: such a stream
// still makes an answer; a client that leaves while its answer waits for a place, or while
// the generator reads its prompt, ends the wait or the upstream request at once (synchronised
// on the front's /metrics, the generator still holding); an Azure deployment is probed and
// asked in its own shape; a forwarded stream the generator refuses comes back as its 4xx.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::MetricValue;
using testing::PostJson;
using testing::ServerProcess;

constexpr const char* kAnswer = "Sick leave of more than three days needs a doctor's note [1].";
constexpr const char* kRefuse = "REFUSE THIS";

class FakeGenerator {
 public:
  // `base`: where its OpenAI routes live ("/v1"; an Azure deployment's path with
  // `azure_key`, which it then requires in an api-key header, with an api-version query).
  explicit FakeGenerator(std::string base = "/v1", std::string azure_key = "")
      : base_(std::move(base)), azure_key_(std::move(azure_key)) {
    server_.Get(base_ + "/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          json{{"object", "list"},
               {"data", json::array({{{"id", "fake-model"}, {"context_length", 4096}}})}}
              .dump(),
          "application/json");
    });
    server_.Post(base_ + "/chat/completions", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
      if (!azure_key_.empty()) {
        std::lock_guard<std::mutex> lock(mu_);
        api_versions_.insert(req.get_param_value("api-version"));
        if (req.get_header_value("api-key") != azure_key_ || req.has_header("Authorization")) {
          res.status = 401;
          res.set_content(R"({"error":{"message":"wrong key"}})", "application/json");
          return;
        }
      }
      if (req.body.find(kRefuse) != std::string::npos) {
        res.status = 400;
        res.set_content(
            R"({"error":{"message":"refused by the fake","type":"invalid_request_error"}})",
            "application/json");
        return;
      }
      const json request = json::parse(req.body);
      if (!request.value("stream", false)) {  // Azure's probe: one token, not streamed
        res.set_content(json{{"choices",
                              {{{"index", 0},
                                {"message", {{"role", "assistant"}, {"content", "ok"}}},
                                {"finish_reason", "length"}}}}}
                            .dump(),
                        "application/json");
        return;
      }
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++arrivals_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !hold_; });
      }
      // Usage counts a strict reader would choke on, and no blank line after [DONE].
      const std::string body =
          "data: " + json{{"choices", {{{"index", 0}, {"delta", {{"content", kAnswer}}}}}}}.dump() +
          "\n\ndata: " +
          json{{"choices", {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}}},
               {"usage", {{"prompt_tokens", nullptr}, {"completion_tokens", "twelve"}}}}
              .dump() +
          "\n\ndata: [DONE]\n";
      res.set_content(body, "text/event-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeGenerator() {
    Release();
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + base_; }
  // Chat requests from now on wait until Release().
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void AwaitArrivals(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return arrivals_ >= n; });
  }
  int arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }
  std::set<std::string> api_versions() {
    std::lock_guard<std::mutex> lock(mu_);
    return api_versions_;
  }

 private:
  const std::string base_;
  const std::string azure_key_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  int arrivals_ = 0;
  std::set<std::string> api_versions_;
};

void Upload(httplib::Client& c) {
  httplib::MultipartFormDataItems items = {
      {"file",
       "# Leave policy\n\nSick leave of more than three days requires a doctor's note. Annual "
       "leave is 15 days a year.\n",
       "policy.md", "application/octet-stream"}};
  auto up = c.Post("/v1/documents?wait=true", items);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
}

const json kQuestion = {{"question", "Does sick leave need a doctor's note?"}, {"max_tokens", 32}};

// Polls the front's /metrics until `series` reads `value`.
void AwaitMetric(httplib::Client& c, const std::string& series, double value) {
  for (;;) {
    auto m = c.Get("/metrics");
    ASSERT_TRUE(m);
    if (MetricValue(m->body, series) == value) return;
    std::this_thread::yield();
  }
}

// A streamed ask on its own thread whose client reads the first event (the sources) and then
// hangs up when told.
class LeavingAsk {
 public:
  explicit LeavingAsk(const ServerProcess& front) {
    thread_ = std::thread([this, c = front.Client()] {
      httplib::Request req;
      req.method = "POST";
      req.path = "/v1/ask";
      req.headers = {{"Content-Type", "application/json"}};
      json body = kQuestion;
      body["stream"] = true;
      req.body = body.dump();
      bool first = true;
      req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
        if (first) {
          first = false;
          started_.set_value();
        }
        leave_.get_future().wait();
        return false;
      };
      httplib::Response res;
      httplib::Error error = httplib::Error::Success;
      c->send(req, res, error);
      if (first) started_.set_value();  // it ended without an event: the test fails on metrics
    });
    started_.get_future().wait();
  }
  ~LeavingAsk() {
    Leave();
    thread_.join();
  }
  void Leave() {
    if (!left_) leave_.set_value();
    left_ = true;
  }

 private:
  std::promise<void> started_, leave_;
  bool left_ = false;
  std::thread thread_;
};

// Uploads the policy, checks the front is ready with its one generator counting by estimate
// (the fake has no /tokenize), and asks: `answer` is the 200 response.
void AskThroughEstimatingFront(httplib::Client& c, json& answer) {
  Upload(c);
  auto ready = c.Get("/readyz");
  ASSERT_TRUE(ready);
  ASSERT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(json::parse(ready->body)["generators"][0]["counting"], "estimate");
  int status = 0;
  answer = PostJson(c, "/v1/ask", kQuestion, &status);
  ASSERT_EQ(status, 200) << answer.dump();
}

class RemoteGeneratorTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string Data(const std::string& name) { return (dir_.path() / name).string(); }
};

TEST_F(RemoteGeneratorTest, AStreamThatEndsLooselyWithOddUsageStillAnswers) {
  FakeGenerator fake;
  ServerProcess front(Data("front"), {"--answer-cache-mb", "0", "--generator", fake.url()});
  ASSERT_TRUE(front.started());
  auto c = front.Client();
  json answer;
  ASSERT_NO_FATAL_FAILURE(AskThroughEstimatingFront(*c, answer));
  EXPECT_EQ(answer["mode"], "generative");
  EXPECT_EQ(answer["answer"], kAnswer);
  ASSERT_EQ(answer["citations"].size(), 1u);
  EXPECT_EQ(fake.arrivals(), 1);
}

TEST_F(RemoteGeneratorTest, AClientThatLeavesEndsItsWaitAndItsUpstreamRequest) {
  FakeGenerator fake;
  const std::string file = Data("generators.json");
  std::ofstream(file) << json::array({{{"url", fake.url()}, {"max_concurrent", 1}}}).dump();
  ServerProcess front(Data("front"), {"--answer-cache-mb", "0", "--generators-file", file});
  ASSERT_TRUE(front.started());
  auto c = front.Client();
  Upload(*c);
  const std::string in_flight = "docent_generator_in_flight{generator=\"" + fake.url() + "\"}";

  fake.Hold();
  LeavingAsk first(front);  // the generator holds it, reading its prompt
  fake.AwaitArrivals(1);
  AwaitMetric(*c, in_flight, 1);
  {
    LeavingAsk second(front);  // no place: it waits in line
    AwaitMetric(*c, "docent_generators_waiting", 1);
    second.Leave();
    AwaitMetric(*c, "docent_generators_waiting", 0);
  }
  // The first client leaves while the generator still holds its request: the front ends the
  // upstream request and gives the place back without waiting for the generator.
  first.Leave();
  AwaitMetric(*c, in_flight, 0);
  fake.Release();

  // The one place serves the next ask; the request that left the line never reached the
  // generator, and neither hang-up counts against the generator.
  int status = 0;
  const json answer = PostJson(*c, "/v1/ask", kQuestion, &status);
  ASSERT_EQ(status, 200) << answer.dump();
  EXPECT_EQ(answer["answer"], kAnswer);
  EXPECT_EQ(fake.arrivals(), 2);
  auto m = c->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(MetricValue(m->body, "docent_generator_errors_total{generator=\"" + fake.url() + "\"}"),
            0);
  EXPECT_EQ(MetricValue(m->body, "docent_generator_up{generator=\"" + fake.url() + "\"}"), 1);
}

// Azure OpenAI's shape: the deployment's URL, an api-version query on every request and the
// key in an api-key header (never a bearer token); no /models (a one-token completion probes
// it) and no /tokenize (prompts are estimated).
TEST_F(RemoteGeneratorTest, AnAzureDeploymentIsReachedInItsOwnShape) {
  FakeGenerator azure("/openai/deployments/gpt-4o-mini", "azure-secret");
  const std::string file = Data("generators.json");
  std::ofstream(file) << json::array({{{"url", azure.url()},
                                       {"api_key_env", "AZURE_KEY"},
                                       {"azure_api_version", "2024-10-21"}}})
                             .dump();
  ServerProcess front(Data("front"), {"--answer-cache-mb", "0", "--generators-file", file},
                      {"AZURE_KEY=azure-secret"});
  ASSERT_TRUE(front.started());
  auto c = front.Client();
  json answer;
  ASSERT_NO_FATAL_FAILURE(AskThroughEstimatingFront(*c, answer));
  EXPECT_EQ(answer["answer"], kAnswer);
  EXPECT_EQ(azure.arrivals(), 1);
  EXPECT_EQ(azure.api_versions(), std::set<std::string>{"2024-10-21"});

  // A wrong key keeps the deployment out, with the reason.
  ServerProcess wrong(Data("wrong"), {"--generators-file", file}, {"AZURE_KEY=not-the-key"});
  ASSERT_TRUE(wrong.started());
  auto ready = wrong.Client()->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("wrong key"), std::string::npos) << ready->body;
}

TEST_F(RemoteGeneratorTest, AForwardedStreamTheGeneratorRefusesIsItsStatus) {
  FakeGenerator fake;
  ServerProcess front(Data("front"), {"--generator", fake.url()});
  ASSERT_TRUE(front.started());
  auto c = front.Client();
  const json refused_request = {{"model", "fake-model"},
                                {"stream", true},
                                {"messages", {{{"role", "user"}, {"content", kRefuse}}}}};
  auto refused = c->Post("/v1/chat/completions", refused_request.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(refused->body)["error"]["message"], "refused by the fake");

  json ok_request = refused_request;
  ok_request["messages"][0]["content"] = "hello";
  auto ok = c->Post("/v1/chat/completions", ok_request.dump(), "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(ok->body.find(json(kAnswer).dump()), std::string::npos) << ok->body;
  EXPECT_NE(ok->body.find("data: [DONE]"), std::string::npos);
  // A generator's 4xx is the request's fault: the generator stays in.
  auto m = c->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(MetricValue(m->body, "docent_generator_up{generator=\"" + fake.url() + "\"}"), 1);
}

}  // namespace
}  // namespace docent
