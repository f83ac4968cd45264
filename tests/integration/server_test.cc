// Drives the real server over loopback HTTP: upload, status, list, search, ask, streamed ask,
// delete, every error path, the limits, concurrent clients and a graceful SIGTERM.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::ParseSse;
using testing::ServerProcess;

constexpr const char* kLeave =
    "# Leave policy\n\n## Annual leave\n\nEvery employee receives 15 days of annual leave per "
    "year. Unused days may be carried over until March 31.\n\n## Sick leave\n\nSick leave of "
    "more than three days requires a doctor's note.\n";

httplib::MultipartFormDataItems Files(
    std::initializer_list<std::pair<std::string, std::string>> files) {
  httplib::MultipartFormDataItems items;
  for (const auto& [name, content] : files) {
    items.push_back({"file", content, name, "application/octet-stream"});
  }
  return items;
}

json Body(const httplib::Result& r) {
  return json::parse(r->body);
}

// Checks the OpenAI error shape and returns the message.
std::string ErrorMessage(const httplib::Result& r) {
  json j = Body(r);
  EXPECT_TRUE(j["error"]["message"].is_string()) << r->body;
  EXPECT_TRUE(j["error"]["type"].is_string()) << r->body;
  EXPECT_TRUE(j["error"]["code"].is_string()) << r->body;
  return j["error"]["message"].get<std::string>();
}

class ServerTest : public ::testing::Test {
 protected:
  std::string Data() { return (dir_ / "data").string(); }
  testing::TempDir dir_;
};

TEST_F(ServerTest, UploadListSearchAskStreamAndDelete) {
  ServerProcess server(Data());
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  ASSERT_EQ(http->Get("/healthz")->status, 200);
  auto up = http->Post("/v1/documents?wait=true",
                       Files({{"leave.md", kLeave},
                              {"휴가.txt",
                               "연차 휴가는 입사 1년 후 15일이 주어진다. 병가는 연 "
                               "10일까지 쓸 수 있다.\n"}}));
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
  json uploads = Body(up)["uploads"];
  ASSERT_EQ(uploads.size(), 2u);
  for (const auto& u : uploads) EXPECT_EQ(u["status"], "ready") << u.dump();
  const int64_t id = uploads[0]["id"].get<int64_t>();
  auto job = http->Get("/v1/uploads/" + std::to_string(uploads[0]["job"].get<int64_t>()));
  EXPECT_EQ(Body(job)["status"], "ready");

  json list = Body(http->Get("/v1/documents"));
  ASSERT_EQ(list["documents"].size(), 2u);
  EXPECT_EQ(list["documents"][0]["title"], "Leave policy");
  EXPECT_EQ(list["documents"][0]["status"], "ready");

  json doc = Body(http->Get("/v1/documents/" + std::to_string(id)));
  EXPECT_NE(doc["text"].get<std::string>().find("doctor's note"), std::string::npos);

  auto s =
      http->Post("/v1/search", R"({"query": "sick leave doctor", "k": 3})", "application/json");
  ASSERT_EQ(s->status, 200) << s->body;
  json sj = Body(s);
  ASSERT_FALSE(sj["results"].empty());
  EXPECT_EQ(sj["results"][0]["title"], "Leave policy");

  const std::string ask = R"({"question": "Does sick leave need a doctor's note?"})";
  auto a1 = http->Post("/v1/ask", ask, "application/json");
  auto a2 = http->Post("/v1/ask", ask, "application/json");
  ASSERT_EQ(a1->status, 200) << a1->body;
  json aj = Body(a1), aj2 = Body(a2);
  EXPECT_TRUE(aj["found"].get<bool>());
  EXPECT_EQ(aj["answer"], aj2["answer"]) << "the same question gives the same answer";
  EXPECT_NE(aj["answer"].get<std::string>().find("doctor's note"), std::string::npos);
  ASSERT_FALSE(aj["citations"].empty());
  const int n = aj["citations"][0]["n"].get<int>();
  EXPECT_NE(aj["answer"].get<std::string>().find("[" + std::to_string(n) + "]"), std::string::npos);
  EXPECT_EQ(aj["sources"][n - 1]["chunk_id"], aj["citations"][0]["chunk_id"]);

  auto st = http->Post("/v1/ask",
                       R"({"question": "Does sick leave need a doctor's note?", "stream": true})",
                       "application/json");
  ASSERT_EQ(st->status, 200);
  EXPECT_EQ(st->get_header_value("Content-Type"), "text/event-stream");
  auto events = ParseSse(st->body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().first, "citations");
  EXPECT_EQ(events.back().first, "done");
  std::string streamed;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].first, "delta");
    streamed += events[i].second["text"].get<std::string>();
  }
  EXPECT_EQ(streamed, aj["answer"].get<std::string>());
  EXPECT_EQ(events.back().second["citations"], aj["citations"]);

  auto nf = http->Post("/v1/ask", R"({"question": "What is on the cafeteria menu this Friday?"})",
                       "application/json");
  EXPECT_FALSE(Body(nf)["found"].get<bool>());

  ASSERT_EQ(http->Delete("/v1/documents/" + std::to_string(id))->status, 200);
  EXPECT_EQ(http->Get("/v1/documents/" + std::to_string(id))->status, 404);
  EXPECT_EQ(Body(http->Get("/v1/documents"))["documents"].size(), 1u);

  auto metrics = http->Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("docent_http_requests_total{route=\"/v1/ask\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("docent_documents 1"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("docent_process_resident_bytes"), std::string::npos);
  EXPECT_NE(metrics->body.find("docent_heap_in_use_bytes"), std::string::npos);
  // Each thread that stemmed English (the ingest worker, a connection) holds one cache of
  // 8,192 slots of 68 bytes.
  const size_t stem = metrics->body.find("\ndocent_stem_cache_bytes ");
  ASSERT_NE(stem, std::string::npos);
  const double stem_bytes = std::stod(metrics->body.substr(stem + 25));
  EXPECT_GT(stem_bytes, 0);
  EXPECT_EQ(std::fmod(stem_bytes, 8192.0 * 68.0), 0.0) << stem_bytes;
}

// A client that asks for paths nobody routes must not grow the metrics: the route label names
// the route, never the path as sent (issue 19: label sets bounded by the routes).
TEST_F(ServerTest, UnknownPathsShareOneMetricsLabel) {
  ServerProcess server(Data());
  auto http = server.Client();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(http->Get("/v1/no-such-thing-" + std::to_string(i) + "x")->status, 404);
    EXPECT_EQ(http->Get("/static/" + std::to_string(i) + ".js")->status, 404);
  }
  auto metrics = http->Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body.find("no-such-thing"), std::string::npos);
  EXPECT_EQ(metrics->body.find("/static/"), std::string::npos);
  // (Counts are not compared: a request is counted after its response is sent.)
  EXPECT_NE(metrics->body.find("docent_http_requests_total{route=\"other\",status=\"404\"}"),
            std::string::npos)
      << metrics->body;
}

TEST_F(ServerTest, BadRequestsGetClearErrorsAndWriteNothing) {
  ServerProcess server(Data(), {"--max-upload-mb", "1", "--max-json-kb", "4"});
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  auto bad_json = http->Post("/v1/search", R"({"query": )", "application/json");
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(ErrorMessage(bad_json).find("malformed JSON"), std::string::npos);
  auto wrong_type = http->Post("/v1/search", R"({"query": "x"})", "text/plain");
  EXPECT_EQ(wrong_type->status, 415);
  ErrorMessage(wrong_type);
  auto missing = http->Post("/v1/ask", R"({"stream": true})", "application/json");
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(ErrorMessage(missing).find("question"), std::string::npos);
  auto bad_k = http->Post("/v1/search", R"({"query": "x", "k": -3})", "application/json");
  EXPECT_EQ(bad_k->status, 422);
  auto big_json = http->Post("/v1/search", "{\"query\": \"" + std::string(5000, 'a') + "\"}",
                             "application/json");
  EXPECT_EQ(big_json->status, 413);
  ErrorMessage(big_json);
  EXPECT_EQ(http->Get("/v1/documents/999")->status, 404);
  EXPECT_EQ(http->Get("/v1/documents/abc")->status, 400);
  auto method = http->Put("/v1/search", "{}", "application/json");
  EXPECT_EQ(method->status, 405);
  EXPECT_EQ(method->get_header_value("Allow"), "POST");
  EXPECT_EQ(http->Get("/no/such/thing")->status, 404);

  auto traversal = http->Post("/v1/documents", Files({{"../../etc/passwd.txt", "x"}}));
  EXPECT_EQ(traversal->status, 400);
  EXPECT_NE(ErrorMessage(traversal).find("path separator"), std::string::npos);
  // One bad file rejects the whole request before anything is queued.
  auto mixed = http->Post("/v1/documents", Files({{"ok.md", "# fine\n\ntext"}, {"x.exe", "MZ"}}));
  EXPECT_EQ(mixed->status, 415);
  auto not_multipart = http->Post("/v1/documents", "{}", "application/json");
  EXPECT_EQ(not_multipart->status, 415);
  auto huge = http->Post("/v1/documents", Files({{"big.txt", std::string(2 << 20, 'a')}}));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);

  json list = Body(http->Get("/v1/documents"));
  EXPECT_TRUE(list["documents"].empty()) << list.dump();
  EXPECT_TRUE(list["uploads"].empty()) << list.dump();
}

TEST_F(ServerTest, WithAnApiKeyTheApiNeedsItAndProbesStayOpen) {
  const std::string key_file = dir_.Write("keys.txt", "# team keys\nfile-key\n").string();
  ServerProcess server(Data(), {"--api-key-file", key_file}, {"DOCENT_API_KEY=env-key"});
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  EXPECT_EQ(http->Get("/healthz")->status, 200);
  EXPECT_EQ(http->Get("/readyz")->status, 200);
  EXPECT_EQ(http->Get("/")->status, 200);  // the UI asks for the key itself
  const std::string query = R"({"query": "leave"})";
  auto bare = http->Post("/v1/search", query, "application/json");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 401);
  EXPECT_EQ(bare->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_NE(ErrorMessage(bare).find("Authorization: Bearer"), std::string::npos);
  EXPECT_EQ(http->Get("/metrics")->status, 401);
  auto wrong =
      http->Post("/v1/search", {{"Authorization", "Bearer file-kez"}}, query, "application/json");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(ErrorMessage(wrong).find("not valid"), std::string::npos);
  for (const char* key : {"file-key", "env-key"}) {
    auto ok = http->Post("/v1/search", {{"Authorization", std::string("Bearer ") + key}}, query,
                         "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << key << ": " << ok->body;
  }
  // A rejected request wrote nothing: still no documents.
  auto list = http->Get("/v1/documents", {{"Authorization", "Bearer env-key"}});
  EXPECT_TRUE(Body(list)["documents"].empty());
}

TEST_F(ServerTest, AFullIngestionQueueAnswers429WithRetryAfter) {
  ServerProcess server(Data(), {"--queue", "2"}, {"DOCENT_TEST_PAUSE_INGEST=1"});
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  EXPECT_EQ(http->Post("/v1/documents", Files({{"a.md", "# A\n\nfirst"}}))->status, 202);
  EXPECT_EQ(http->Post("/v1/documents", Files({{"b.md", "# B\n\nsecond"}}))->status, 202);
  auto full = http->Post("/v1/documents", Files({{"c.md", "# C\n\nthird"}}));
  ASSERT_EQ(full->status, 429);
  EXPECT_EQ(full->get_header_value("Retry-After"), "2");
  EXPECT_NE(ErrorMessage(full).find("queue is full"), std::string::npos);
  json list = Body(http->Get("/v1/documents"));
  ASSERT_EQ(list["uploads"].size(), 2u) << "the refused upload left no trace";
  for (const auto& u : list["uploads"]) EXPECT_EQ(u["status"], "queued");
  // Searches are answered while uploads wait.
  EXPECT_EQ(http->Post("/v1/search", R"({"query": "first"})", "application/json")->status, 200);
}

TEST_F(ServerTest, SixtyFourClientsEachSendAHundredSearches) {
  {
    ServerProcess server(Data());
    ASSERT_TRUE(server.started());
    auto up = server.Client()->Post("/v1/documents?wait=true", Files({{"leave.md", kLeave}}));
    ASSERT_EQ(up->status, 200);
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 64; ++c) {
      clients.emplace_back([&, c] {
        auto http = server.Client();
        for (int i = 0; i < 100; ++i) {
          auto r = http->Post("/v1/search",
                              c % 2 ? R"({"query": "annual leave"})" : R"({"query": "병가 연차"})",
                              "application/json");
          (r && r->status == 200 ? ok : failed)++;
        }
      });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(ok.load(), 6400);
    EXPECT_EQ(failed.load(), 0);
    // A request is counted by httplib's logger, which runs once its response is written: the
    // last few may still be on their way into the count when the clients have their answers.
    // Each look is a round trip of its own (no sleep); a count that never arrives fails.
    const std::string counted =
        "docent_http_requests_total{route=\"/v1/search\",status=\"200\"} 6400";
    bool seen = false;
    for (int look = 0; look < 1000 && !seen; ++look) {
      auto metrics = server.Client()->Get("/metrics");
      seen = metrics && metrics->body.find(counted) != std::string::npos;
    }
    EXPECT_TRUE(seen) << counted;
    std::vector<std::string> lines;
    EXPECT_EQ(server.Terminate(&lines), 0) << "SIGTERM stops the server cleanly";
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), "docent: stopped");
  }
  // The store was closed cleanly: a new server sees the document.
  ServerProcess again(Data());
  ASSERT_TRUE(again.started());
  EXPECT_EQ(Body(again.Client()->Get("/v1/documents"))["documents"].size(), 1u);
}

}  // namespace
}  // namespace docent
