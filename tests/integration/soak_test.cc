// A short soak of the real server: four clients mixing searches, answers, chat completions and
// uploads that keep replacing the same twenty documents with text of new words, so the index
// churns. Bounded by request counts, never by a clock (wall-time bars live in bench/soak.mjs).
// It checks that nothing fails, that the term index's dead part is reclaimed (the index of the
// churned server is no larger than twice that of a server opened fresh on the same data), and
// that the server stops cleanly: in CI's AddressSanitizer build LeakSanitizer runs at that exit
// and any leak makes the exit code non-zero.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::ServerProcess;

// A document of eight sections (several chunks) whose words no earlier upload used.
std::string FreshDocument(int n) {
  std::string text = "# Churn " + std::to_string(n) + "\n";
  for (int s = 0; s < 8; ++s) {
    text += "\n## Section " + std::to_string(s) + "\n\nThe policy says";
    for (int w = 0; w < 40; ++w) {
      text += " churnword" + std::to_string(n) + "x" + std::to_string(s) + "y" + std::to_string(w);
    }
    text += ".\n";
  }
  return text;
}

double Gauge(const std::string& metrics, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(metrics, m, std::regex("\n" + name + " ([0-9.e+-]+)\n"))) return -1;
  return std::stod(m[1]);
}

TEST(SoakTest, ChurnUnderMixedLoadReclaimsTheIndexAndStopsClean) {
  testing::TempDir dir;
  const std::string data = (dir / "data").string();
  const std::string model = (testing::SharedDir() / "models/stories260K.gguf").string();
  constexpr int kClients = 4;
  constexpr int kRounds = 100;  // 400 uploads of several chunks each: thousands of dead slots
  double index_bytes = 0;
  double chunks = 0;
  {
    ServerProcess server(data,
                         {"--answer-cache-mb", "0", "--model", model, "--prefix-cache-mb", "4"});
    ASSERT_TRUE(server.started());
    std::atomic<int> failed{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        auto http = server.Client();
        for (int i = 0; i < kRounds; ++i) {
          const int n = c * kRounds + i;
          httplib::MultipartFormDataItems file = {{"file", FreshDocument(n),
                                                   "churn-" + std::to_string(n % 20) + ".md",
                                                   "text/markdown"}};
          auto up = http->Post("/v1/documents?wait=true", file);
          if (!up || up->status != 200) ++failed;
          const std::string query = "policy churnword" + std::to_string(n) + "x3y7";
          auto found = http->Post("/v1/search", json{{"query", query}}.dump(), "application/json");
          if (!found || found->status != 200) ++failed;
          // Answers read prompts of ~1,500 tokens; under the sanitizers each costs about a
          // minute of F16 attention on 2 cores (2026-12-07, Intel Xeon), so those builds ask
          // twice a client instead of ten times: the path is the same, the leak check too.
          if (i % (testing::kSanitizedBuild ? 50 : 10) == 0) {
            auto ask = http->Post("/v1/ask", json{{"question", query}, {"max_tokens", 4}}.dump(),
                                  "application/json");
            if (!ask || ask->status != 200) ++failed;
            auto chat = http->Post(
                "/v1/chat/completions",
                json{{"model", "docent-rag"},
                     {"max_tokens", 4},
                     {"messages", json::array({json{{"role", "user"}, {"content", query}}})}}
                    .dump(),
                "application/json");
            if (!chat || chat->status != 200) ++failed;
          }
        }
      });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(failed.load(), 0);
    auto metrics = server.Client()->Get("/metrics");
    ASSERT_TRUE(metrics);
    const std::string& m = metrics->body;
    EXPECT_GE(Gauge(m, "docent_term_index_compactions"), 1) << m;
    EXPECT_EQ(Gauge(m, "docent_documents"), 20);
    chunks = Gauge(m, "docent_chunks");
    EXPECT_GE(chunks, 20 * 4) << "each document makes several chunks";
    index_bytes = Gauge(m, "docent_term_index_bytes");
    EXPECT_GT(index_bytes, 0);
    EXPECT_LE(Gauge(m, "docent_term_index_dead_bytes"), index_bytes);
    EXPECT_EQ(server.Terminate(), 0) << "a clean stop (and, under ASan, no leak)";
  }
  // The same documents in a server that never saw the churn.
  ServerProcess fresh(data);
  ASSERT_TRUE(fresh.started());
  auto http = fresh.Client();
  ASSERT_EQ(http->Post("/v1/search", R"({"query": "policy"})", "application/json")->status, 200);
  const std::string fresh_metrics = http->Get("/metrics")->body;
  EXPECT_EQ(Gauge(fresh_metrics, "docent_chunks"), chunks);
  const double fresh_bytes = Gauge(fresh_metrics, "docent_term_index_bytes");
  EXPECT_GT(fresh_bytes, 0);
  EXPECT_LE(index_bytes, 2 * fresh_bytes) << "the churned index kept its dead part";
  EXPECT_EQ(fresh.Terminate(), 0);
}

}  // namespace
}  // namespace docent
