// The OpenAI-compatible endpoints through a real `docent serve --model` on a loopback port,
// with stories260K (whose greedy continuations llama.cpp's are checked against elsewhere):
// chat and completions, streamed and not, usage, stop sequences, the prefix cache, errors in
// OpenAI's shape, and a disconnect that frees the slot for the next request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Stories() {
  return (testing::SharedDir() / "models/stories260K.gguf").string();
}

json Post(httplib::Client& c, const std::string& path, const json& body, int* status = nullptr) {
  auto r = c.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(r) << path;
  if (!r) return json();
  if (status) *status = r->status;
  return json::parse(r->body, nullptr, false);
}

// The data: lines of a server-sent event stream.
std::vector<std::string> DataLines(const std::string& body) {
  std::vector<std::string> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) == 0) lines.push_back(line.substr(6));
  }
  return lines;
}

class OpenAiApiTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(OpenAiApiTest, CompletionsChatStreamingUsageAndStops) {
  testing::ServerProcess server(dir_.path().string(), {"--model", Stories(), "--slots", "2"});
  ASSERT_TRUE(server.started());
  auto c = server.Client();

  auto models = c->Get("/v1/models");
  ASSERT_TRUE(models);
  const json list = json::parse(models->body);
  ASSERT_EQ(list["data"].size(), 3u);
  EXPECT_EQ(list["data"][0]["id"], "stories260K");
  EXPECT_EQ(list["data"][1]["id"], "docent-rag");
  EXPECT_EQ(list["data"][2]["id"], "docent-rag:default");  // one per workspace

  // Plain completion, greedy by default: llama.cpp's continuation (forward_test.cc).
  int status = 0;
  json r =
      Post(*c, "/v1/completions",
           {{"model", "stories260K"}, {"prompt", "Once upon a time"}, {"max_tokens", 20}}, &status);
  ASSERT_EQ(status, 200) << r.dump();
  EXPECT_EQ(r["object"], "text_completion");
  EXPECT_THAT(r["choices"][0]["text"].get<std::string>(),
              StartsWith(", there was a little girl named Lily. She loved to play"));
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 5);
  EXPECT_EQ(r["usage"]["completion_tokens"], 20);
  EXPECT_EQ(r["usage"]["total_tokens"], 25);

  // A stop sequence ends the text before it, with finish_reason "stop".
  r = Post(*c, "/v1/completions",
           {{"prompt", "Once upon a time"}, {"max_tokens", 40}, {"stop", {" girl", "zzz"}}},
           &status);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(r["choices"][0]["text"], ", there was a little");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");

  // Chat, twice: the second request reuses the first's prompt from the cache.
  const json chat = {{"messages",
                      {{{"role", "system"}, {"content", "You tell stories."}},
                       {{"role", "user"}, {"content", "Tell me about Lily."}}}},
                     {"max_tokens", 12}};
  const json first = Post(*c, "/v1/chat/completions", chat, &status);
  ASSERT_EQ(status, 200) << first.dump();
  EXPECT_EQ(first["object"], "chat.completion");
  EXPECT_EQ(first["choices"][0]["message"]["role"], "assistant");
  const std::string text = first["choices"][0]["message"]["content"];
  EXPECT_FALSE(text.empty());
  const json again = Post(*c, "/v1/chat/completions", chat, &status);
  EXPECT_EQ(again["choices"][0]["message"]["content"], text);
  EXPECT_EQ(again["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>() + 1,
            again["usage"]["prompt_tokens"].get<int>());

  // Streamed, the deltas add up to the same text; usage comes last when asked for.
  json streamed = chat;
  streamed["stream"] = true;
  streamed["stream_options"] = {{"include_usage", true}};
  auto s = c->Post("/v1/chat/completions", streamed.dump(), "application/json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 200);
  EXPECT_THAT(s->get_header_value("Content-Type"), HasSubstr("text/event-stream"));
  const std::vector<std::string> lines = DataLines(s->body);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines.back(), "[DONE]");
  std::string joined;
  std::string finish;
  json usage;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const json chunk = json::parse(lines[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    if (chunk["choices"].empty()) {
      usage = chunk["usage"];
      continue;
    }
    const json& choice = chunk["choices"][0];
    if (choice["delta"].contains("content"))
      joined += choice["delta"]["content"].get<std::string>();
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(finish, "length");
  EXPECT_EQ(usage["completion_tokens"], 12);
}

TEST_F(OpenAiApiTest, ErrorsUseOpenAisShape) {
  testing::ServerProcess server(dir_.path().string(), {"--model", Stories()});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  int status = 0;
  json r = Post(*c, "/v1/chat/completions", {{"messages", json::array()}}, &status);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(r["error"]["type"], "invalid_request_error");
  r = Post(*c, "/v1/chat/completions",
           {{"model", "gpt-4"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status, 404);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("stories260K"));
  r = Post(*c, "/v1/chat/completions",
           {{"n", 2}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status / 100, 4);
  r = Post(*c, "/v1/chat/completions",
           {{"temperature", -1}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status, 422);
  r = Post(*c, "/v1/chat/completions",
           {{"user", 7}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status, 422);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("\"user\" must be a string"));
  r = Post(
      *c, "/v1/chat/completions",
      {{"user", "alice"}, {"max_tokens", 2}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}},
      &status);
  EXPECT_EQ(status, 200);  // the end-user id is taken (for the fair queue), not refused
  auto bad = c->Post("/v1/completions", "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body).contains("error"));
}

TEST_F(OpenAiApiTest, WithoutAModelTheEndpointsSaySo) {
  testing::ServerProcess server(dir_.path().string());
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  int status = 0;
  const json r = Post(*c, "/v1/chat/completions",
                      {{"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status, 503);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("--model"));
  auto models = c->Get("/v1/models");
  ASSERT_TRUE(models);
  // Only the model that answers from the documents, which needs none, and its name for
  // each workspace.
  const json list = json::parse(models->body);
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["id"], "docent-rag");
  EXPECT_EQ(list["data"][1]["id"], "docent-rag:default");
}

TEST_F(OpenAiApiTest, ADisconnectedStreamFreesItsSlot) {
  // One slot: if the abandoned stream kept generating, the next request would wait for all
  // of its 1,500 tokens; instead it is cancelled when the client goes away.
  testing::ServerProcess server(dir_.path().string(), {"--model", Stories(), "--slots", "1"});
  ASSERT_TRUE(server.started());
  {
    auto c = server.Client();
    size_t received = 0;
    const json body = {{"prompt", "Once upon a time"}, {"max_tokens", 1500}, {"stream", true}};
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/completions";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.dump();
    req.content_receiver = [&](const char*, size_t n, uint64_t, uint64_t) {
      received += n;
      return received < 2000;  // hang up after a few chunks
    };
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    EXPECT_FALSE(c->send(req, res, error));  // the client cancelled it
    EXPECT_GE(received, 2000u);
  }
  auto c = server.Client();
  int status = 0;
  const json r = Post(*c, "/v1/completions", {{"prompt", "Lily"}, {"max_tokens", 4}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(r["usage"]["completion_tokens"], 4);
  auto ready = c->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(json::parse(ready->body)["answers"], "generative");
  // The abandoned stream was cancelled, well before its 1,500 tokens.
  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("docent_generation_cancelled_total 1\n"));
  const std::string sample = "\ndocent_generated_tokens_total ";
  const size_t at = metrics->body.find(sample);
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stod(metrics->body.substr(at + sample.size())), 1500.0);
}

}  // namespace
}  // namespace docent
