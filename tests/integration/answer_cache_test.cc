// The answer cache through the real server: a repeated question is a hit with the same
// fields and the same stream; whitespace and NFC variants hit; a change to the workspace's
// documents makes the next ask a miss, a change to another workspace's does not; entries
// survive a restart; --answer-cache-mb 0 caches nothing; sampled answers without a chosen
// seed are never cached, with one they are.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::ParseSse;
using testing::ServerProcess;

constexpr const char* kLeave =
    "# Leave policy\n\nEvery employee receives 15 days of annual leave per year. Sick leave of "
    "more than three days requires a doctor's note.\n";
constexpr const char* kLeaveV2 =
    "# Leave policy\n\nEvery employee receives 20 days of annual leave per year. Sick leave of "
    "more than three days requires a doctor's note.\n";
constexpr const char* kBudget = "# Budget\n\nThe travel budget is 40000 EUR a year.\n";

std::string Stories() {
  return (testing::SharedDir() / "models/stories260K.gguf").string();
}

int Upload(httplib::Client& c, const std::string& name, const std::string& text,
           const std::string& workspace) {
  httplib::MultipartFormDataItems items = {{"workspace", workspace, "", ""},
                                           {"file", text, name, "text/markdown"}};
  auto r = c.Post("/v1/documents?wait=true", items);
  EXPECT_TRUE(r);
  return r ? r->status : 0;
}

json Post(httplib::Client& c, const std::string& path, const json& body) {
  auto r = c.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(r) << path;
  if (!r) return json();
  EXPECT_EQ(r->status, 200) << r->body;
  return json::parse(r->body, nullptr, false);
}

json Ask(httplib::Client& c, const std::string& question, const std::string& ws = "hr") {
  return Post(c, "/v1/ask", {{"question", question}, {"workspace", ws}});
}

// The fields a hit must reproduce.
void ExpectSameAnswer(const json& a, const json& b) {
  for (const char* field : {"answer", "citations", "sources", "found", "finish_reason", "mode"}) {
    EXPECT_EQ(a[field], b[field]) << field;
  }
}

double Metric(httplib::Client& c, const std::string& name) {
  auto r = c.Get("/metrics");
  EXPECT_TRUE(r);
  const std::string line = "\n" + name + " ";
  const size_t at = r->body.find(line);
  EXPECT_NE(at, std::string::npos) << name;
  return at == std::string::npos ? -1 : std::stod(r->body.substr(at + line.size()));
}

class AnswerCacheTest : public ::testing::Test {
 protected:
  std::string Data() { return (dir_ / "data").string(); }
  testing::TempDir dir_;
};

TEST_F(AnswerCacheTest, ARepeatedQuestionIsAHitUntilItsWorkspaceChanges) {
  const std::string q = "How many days of annual leave?";
  json first;
  {
    ServerProcess server(Data());
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    for (const char* ws : {"hr", "fin"}) {
      ASSERT_EQ(c->Post("/v1/workspaces", json{{"name", ws}}.dump(), "application/json")->status,
                201);
    }
    ASSERT_EQ(Upload(*c, "leave.md", kLeave, "hr"), 200);
    first = Ask(*c, q);
    EXPECT_FALSE(first["cached"].get<bool>());
    EXPECT_TRUE(first["found"].get<bool>());
    const json second = Ask(*c, q);
    EXPECT_TRUE(second["cached"].get<bool>());
    ExpectSameAnswer(first, second);
    EXPECT_EQ(second["question"], q);

    // Spacing and Unicode normalisation do not make a new question. "연차" written as
    // conjoining jamo (NFD) is the same question as the precomposed syllables.
    const json spaced = Ask(*c, "  How many   days\u00a0of annual\tleave? ");
    EXPECT_TRUE(spaced["cached"].get<bool>());
    ExpectSameAnswer(first, spaced);
    const json nfc = Ask(*c, "\uC5F0\uCC28 annual leave");
    EXPECT_FALSE(nfc["cached"].get<bool>());
    const json nfd = Ask(*c, "\u110B\u1167\u11AB\u110E\u1161 annual leave");
    EXPECT_TRUE(nfd["cached"].get<bool>());
    ExpectSameAnswer(nfc, nfd);

    // A stream replays the same events.
    const json streamed = {{"question", q}, {"workspace", "hr"}, {"stream", true}};
    auto s1 = c->Post("/v1/ask", streamed.dump(), "application/json");
    auto s2 = c->Post("/v1/ask", streamed.dump(), "application/json");
    ASSERT_TRUE(s1 && s2);
    auto e1 = ParseSse(s1->body), e2 = ParseSse(s2->body);
    ASSERT_EQ(e1.size(), e2.size());
    for (size_t i = 0; i + 1 < e1.size(); ++i) EXPECT_EQ(e1[i], e2[i]) << i;
    ASSERT_EQ(e2.back().first, "done");
    EXPECT_TRUE(e2.back().second["cached"].get<bool>());
    EXPECT_EQ(e1.back().second["citations"], e2.back().second["citations"]);

    // docent-rag over the OpenAI API answers from the same cache.
    const json chat = {{"model", "docent-rag:hr"},
                       {"messages", {{{"role", "user"}, {"content", q}}}}};
    const double hits = Metric(*c, "docent_answer_cache_hits_total");
    const json rag = Post(*c, "/v1/chat/completions", chat);
    EXPECT_EQ(rag["choices"][0]["message"]["content"], first["answer"]);
    EXPECT_EQ(Metric(*c, "docent_answer_cache_hits_total"), hits + 1);

    // Another workspace's change, and an unchanged upload, leave the entry alone.
    ASSERT_EQ(Upload(*c, "budget.md", kBudget, "fin"), 200);
    ASSERT_EQ(Upload(*c, "leave.md", kLeave, "hr"), 200);
    EXPECT_TRUE(Ask(*c, q)["cached"].get<bool>());
    EXPECT_GT(Metric(*c, "docent_answer_cache_bytes"), 0);
    EXPECT_GT(Metric(*c, "docent_answer_cache_entries"), 0);
    EXPECT_NE(c->Get("/metrics")->body.find("# TYPE docent_answer_cache_hits_total counter\n"),
              std::string::npos);
  }
  {
    // The cache outlives the process.
    ServerProcess again(Data());
    ASSERT_TRUE(again.started());
    auto c = again.Client();
    const json after = Ask(*c, q);
    EXPECT_TRUE(after["cached"].get<bool>());
    ExpectSameAnswer(first, after);
    // A change to hr's documents retires its answers: the next ask is computed again, from
    // the new text.
    ASSERT_EQ(Upload(*c, "leave.md", kLeaveV2, "hr"), 200);
    const json changed = Ask(*c, q);
    EXPECT_FALSE(changed["cached"].get<bool>());
    EXPECT_NE(changed["answer"].get<std::string>().find("20 days"), std::string::npos)
        << changed["answer"];
    EXPECT_TRUE(Ask(*c, q)["cached"].get<bool>());
  }
  {
    // Off: every answer is computed.
    ServerProcess off(Data(), {"--answer-cache-mb", "0"});
    ASSERT_TRUE(off.started());
    auto c = off.Client();
    EXPECT_FALSE(Ask(*c, q)["cached"].get<bool>());
    EXPECT_FALSE(Ask(*c, q)["cached"].get<bool>());
    EXPECT_EQ(c->Get("/metrics")->body.find("docent_answer_cache_hits_total"), std::string::npos);
  }
}

TEST_F(AnswerCacheTest, OnlyRepeatableGenerativeAnswersAreKept) {
  ServerProcess server(Data(), {"--model", Stories()});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  ASSERT_EQ(Upload(*c, "leave.md", kLeave, "default"), 200);
  auto chat = [&](json extra) {
    json body = {{"model", "docent-rag"},
                 {"max_tokens", testing::kAnswerTokens},
                 {"messages", {{{"role", "user"}, {"content", "Does sick leave need a note?"}}}}};
    body.update(extra);
    return Post(*c, "/v1/chat/completions", body);
  };
  // Sampled without a seed: a different answer each time is allowed, so none is kept.
  const double uncacheable = Metric(*c, "docent_answer_cache_uncacheable_total");
  chat({{"temperature", 0.9}});
  chat({{"temperature", 0.9}});
  EXPECT_EQ(Metric(*c, "docent_answer_cache_uncacheable_total"), uncacheable + 2);
  EXPECT_EQ(Metric(*c, "docent_answer_cache_entries"), 0);
  // With a seed the caller chose, and greedy: kept, and the repeat is the same answer.
  const double hits = Metric(*c, "docent_answer_cache_hits_total");
  const json seeded = chat({{"temperature", 0.9}, {"seed", 7}});
  EXPECT_EQ(chat({{"temperature", 0.9}, {"seed", 7}})["choices"], seeded["choices"]);
  const json greedy = chat(json::object());
  EXPECT_EQ(chat(json::object())["choices"], greedy["choices"]);
  EXPECT_EQ(Metric(*c, "docent_answer_cache_hits_total"), hits + 2);
  // /v1/ask (greedy) with the model: a hit streams the same pieces. (The same question as
  // above would already be a hit: docent-rag and /v1/ask share entries.)
  const json streamed = {{"question", "When is a doctor's note needed?"},
                         {"max_tokens", testing::kAnswerTokens},
                         {"stream", true}};
  auto s1 = c->Post("/v1/ask", streamed.dump(), "application/json");
  auto s2 = c->Post("/v1/ask", streamed.dump(), "application/json");
  ASSERT_TRUE(s1 && s2);
  auto e1 = ParseSse(s1->body), e2 = ParseSse(s2->body);
  ASSERT_EQ(e1.size(), e2.size()) << s1->body << "\n" << s2->body;
  for (size_t i = 0; i + 1 < e1.size(); ++i) EXPECT_EQ(e1[i], e2[i]) << i;
  EXPECT_FALSE(e1.back().second["cached"].get<bool>());
  EXPECT_TRUE(e2.back().second["cached"].get<bool>());
  EXPECT_EQ(e1.back().second["usage"], e2.back().second["usage"]);
  EXPECT_EQ(e1.back().second["finish_reason"], e2.back().second["finish_reason"]);
}

}  // namespace
}  // namespace docent
