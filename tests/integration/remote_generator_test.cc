// A front node over a generator the test controls: an OpenAI-compatible server in this process,
// on a loopback port, standing for the servers docent meets (no /tokenize, a stream whose last
// event lacks its blank line, usage counts that are not numbers) and doing what they do (hold
// a request while it reads the prompt, refuse a request with a 4xx). The front is the real
// `docent serve` process. Checked: such a stream still makes an answer; a client that leaves
// while its answer waits for a place, or while the generator reads its prompt, ends the wait
// or the upstream request at once (synchronised on the front's /metrics, the generator still
// holding); a forwarded stream the generator refuses comes back as the generator's 4xx.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
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
  FakeGenerator() {
    server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          json{{"object", "list"},
               {"data", json::array({{{"id", "fake-model"}, {"context_length", 4096}}})}}
              .dump(),
          "application/json");
    });
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      if (req.body.find(kRefuse) != std::string::npos) {
        res.status = 400;
        res.set_content(
            R"({"error":{"message":"refused by the fake","type":"invalid_request_error"}})",
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

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
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

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  int arrivals_ = 0;
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
  Upload(*c);
  auto ready = c->Get("/readyz");
  ASSERT_TRUE(ready);
  ASSERT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(json::parse(ready->body)["generators"][0]["counting"], "estimate");
  int status = 0;
  const json answer = PostJson(*c, "/v1/ask", kQuestion, &status);
  ASSERT_EQ(status, 200) << answer.dump();
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
