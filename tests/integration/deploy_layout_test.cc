// The layout docs/DEPLOY.md describes, on loopback ports: nginx (Debian's, run from a private
// prefix with docs/deploy/nginx.conf filled in, never the system nginx) in front of a docent
// front node, whose answers are written by two docent generator nodes. Checked: answers and
// streams through nginx are the in-process model's; a generator killed (SIGKILL) while
// questions are being answered loses none of them (each non-streamed answer whose generator
// dies is started over on the other one, and comes back the same); the front's /metrics shows
// the dead generator down. The kill is synchronised on the front's in-flight count for that
// generator in /metrics, not on a clock.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/server_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::MetricValue;
using testing::PostJson;
using testing::ServerProcess;

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr const char* kPolicy =
    "# Leave policy\n\nSick leave of more than three days requires a doctor's note. Annual leave "
    "is 15 days a year, and unused days expire at the end of March.\n";
const std::vector<std::string> kQuestions = {"Does sick leave need a doctor's note?",
                                             "How many days of annual leave are there?",
                                             "When do unused leave days expire?"};

// A loopback port free now (nginx cannot report a port it chose itself).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// nginx from docs/deploy/nginx.conf in `prefix`, listening on a free port, proxying to
// `fronts`.
class Nginx {
 public:
  Nginx(const std::filesystem::path& prefix, const std::vector<int>& fronts) {
    std::ifstream in(std::filesystem::path(DOCENT_SOURCE_DIR) / "docs/deploy/nginx.conf");
    std::stringstream text;
    text << in.rdbuf();
    std::string conf = text.str();
    std::string servers;
    for (int p : fronts) servers += "server 127.0.0.1:" + std::to_string(p) + ";\n    ";
    port_ = FreePort();
    conf = Replace(conf, "@PREFIX@", prefix.string());
    conf = Replace(conf, "@LISTEN@", "127.0.0.1:" + std::to_string(port_));
    conf = Replace(conf, "@FRONTS@", servers);
    // As root, nginx's workers would drop to a user that cannot write the private prefix.
    conf = Replace(conf, "@USER@", geteuid() == 0 ? "user root;" : "");
    std::ofstream(prefix / "nginx.conf") << conf;
    child_ = std::make_unique<testing::Child>(
        std::vector<std::string>{kNginx, "-p", prefix.string(), "-c",
                                 (prefix / "nginx.conf").string(), "-g", "daemon off;"});
  }
  ~Nginx() {
    child_->Signal(SIGQUIT);
    child_->Wait();
  }
  int port() const { return port_; }

 private:
  int port_ = 0;
  std::unique_ptr<testing::Child> child_;
};

// A client of nginx once it accepts connections: each try is a real request (/healthz through
// to the front), so the wait ends on the condition itself.
std::unique_ptr<httplib::Client> ClientOnceUp(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_read_timeout(3600, 0);
  // Bounded only so that an nginx that never starts fails the test instead of hanging it.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    auto r = c->Get("/healthz");
    if (r && r->status == 200) return c;
    std::this_thread::yield();
  }
  return nullptr;
}

std::string Url(const ServerProcess& p) {
  return "http://127.0.0.1:" + std::to_string(p.port()) + "/v1";
}

TEST(DeployLayoutTest, NginxAFrontAndTwoGeneratorsAnswerAsOneModelAndSurviveAKill) {
  ASSERT_TRUE(std::filesystem::exists(kNginx))
      << kNginx << " is missing: scripts/install-deps.sh installs nginx-light";
  testing::TempDir dir;
  auto data = [&](const char* name) { return (dir.path() / name).string(); };
  const std::string stories = testing::StoriesModel();
  ServerProcess g1(data("g1"), {"--model", stories, "--generate-only", "--slots", "2"});
  ServerProcess g2(data("g2"), {"--model", stories, "--generate-only", "--slots", "2"});
  ASSERT_TRUE(g1.started() && g2.started());
  ServerProcess front(data("front"),
                      {"--answer-cache-mb", "0", "--generator", Url(g1), "--generator", Url(g2)});
  ServerProcess local(data("local"), {"--answer-cache-mb", "0", "--model", stories});
  ASSERT_TRUE(front.started() && local.started());
  std::filesystem::create_directories(dir.path() / "nginx");
  Nginx nginx(dir.path() / "nginx", {front.port()});
  auto c = ClientOnceUp(nginx.port());
  ASSERT_NE(c, nullptr) << "nginx never answered; its error log: " << [&] {
    std::ifstream log(dir.path() / "nginx" / "error.log");
    std::stringstream text;
    text << log.rdbuf();
    return text.str();
  }();

  // Uploads through nginx; the in-process server gets the same document.
  auto lc = local.Client();
  for (httplib::Client* to : {c.get(), lc.get()}) {
    httplib::MultipartFormDataItems items = {
        {"file", kPolicy, "policy.md", "application/octet-stream"}};
    auto up = to->Post("/v1/documents?wait=true", items);
    ASSERT_TRUE(up);
    ASSERT_EQ(up->status, 200) << up->body;
  }
  const int tokens = testing::kAnswerTokens;
  std::vector<std::string> expected;
  for (const std::string& q : kQuestions) {
    int status = 0;
    const json inproc =
        PostJson(*lc, "/v1/ask", {{"question", q}, {"max_tokens", tokens}}, &status);
    ASSERT_EQ(status, 200);
    const json through =
        PostJson(*c, "/v1/ask", {{"question", q}, {"max_tokens", tokens}}, &status);
    ASSERT_EQ(status, 200) << through.dump();
    EXPECT_EQ(through["answer"], inproc["answer"]) << q;
    EXPECT_EQ(through["citations"], inproc["citations"]) << q;
    expected.push_back(inproc["answer"].get<std::string>());
  }
  // A stream through nginx: the same text, piece by piece.
  auto st = c->Post(
      "/v1/ask", json{{"question", kQuestions[0]}, {"max_tokens", tokens}, {"stream", true}}.dump(),
      "application/json");
  ASSERT_TRUE(st);
  std::string streamed;
  for (const auto& [name, event] : testing::ParseSse(st->body)) {
    if (name == "delta") streamed += event["text"].get<std::string>();
  }
  EXPECT_EQ(streamed, expected[0]);

  // Load through nginx; one generator is killed while it is writing answers.
  constexpr int kClients = 12, kAfterKill = 3;
  std::atomic<bool> killed{false};
  std::atomic<int> sent{0}, answered{0}, wrong{0};
  std::mutex mu;
  std::string first_wrong;
  auto note_wrong = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_wrong.empty()) first_wrong = what;
    ++wrong;
  };
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", nginx.port());
      client.set_read_timeout(3600, 0);
      int after = 0;
      for (int i = t; after < kAfterKill; ++i) {
        if (killed) ++after;
        const size_t q = static_cast<size_t>(i) % kQuestions.size();
        ++sent;
        auto r =
            client.Post("/v1/ask", json{{"question", kQuestions[q]}, {"max_tokens", tokens}}.dump(),
                        "application/json");
        if (!r || r->status != 200) {
          note_wrong(r ? std::to_string(r->status) + " " + r->body : "no response");
          continue;
        }
        const json body = json::parse(r->body, nullptr, false);
        if (body.is_object() && body.value("answer", "") == expected[q]) {
          ++answered;
        } else {
          note_wrong(r->body);
        }
      }
    });
  }
  auto fc = front.Client();
  const std::string g1_url = Url(g1);  // its port is forgotten once it is killed
  const std::string g1_in_flight = "docent_generator_in_flight{generator=\"" + Url(g1) + "\"}";
  const std::string g1_up = "docent_generator_up{generator=\"" + Url(g1) + "\"}";
  for (;;) {
    auto m = fc->Get("/metrics");
    ASSERT_TRUE(m);
    if (MetricValue(m->body, g1_in_flight) >= 1) break;
    std::this_thread::yield();
  }
  g1.Kill();
  killed = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0) << "of " << sent.load() << " questions; the first: " << first_wrong;
  EXPECT_EQ(answered.load(), sent.load());
  auto m = fc->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(MetricValue(m->body, g1_up), 0);
  EXPECT_GE(MetricValue(m->body, "docent_generator_retried_total{generator=\"" + g1_url + "\"}"), 1)
      << "the kill caught requests in flight on it";
}

}  // namespace
}  // namespace docent
