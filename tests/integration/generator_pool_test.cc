// Answers written by remote generators (remote/generator_pool.h): two docent generator nodes
// (`serve --generate-only`) behind a front node (`serve --generator URL --generator URL`), all
// real processes on loopback ports, against an in-process model over the same documents.
// stories260K writes nonsense, so the checks are the contract: the front's answers are the
// in-process model's, byte for byte (greedy on batch-invariant kernels, and the front sends the
// prompt's passages as content parts that a docent generator reads exactly as in-process);
// a generator that dies is taken out and its requests go to the other one; with none left the
// front says not ready and asks get 503, never a quiet extractive answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/model_files.h"
#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::MetricValue;
using testing::ParseSse;
using testing::PostJson;
using testing::ServerProcess;

constexpr const char* kLeave =
    "# Leave policy\n\nSick leave of more than three days requires a doctor's note. Annual leave "
    "is 15 days a year, and unused days expire at the end of March.\n\n# Travel\n\nA travel "
    "reimbursement above 300 euros is approved by the department head.\n";

const std::vector<std::string> kQuestions = {
    "Does sick leave need a doctor's note?",
    "How many days of annual leave are there?",
    "Who approves a travel reimbursement above 300 euros?",
    "When do unused leave days expire?",
};

void Upload(httplib::Client& c) {
  httplib::MultipartFormDataItems items = {
      {"file", kLeave, "policy.md", "application/octet-stream"}};
  auto up = c.Post("/v1/documents?wait=true", items);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
}

json Ask(httplib::Client& c, const std::string& question, int* status) {
  return PostJson(c, "/v1/ask", {{"question", question}, {"max_tokens", testing::kAnswerTokens}},
                  status);
}

std::string Url(const ServerProcess& p) {
  return "http://127.0.0.1:" + std::to_string(p.port()) + "/v1";
}

class GeneratorPoolTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string Data(const std::string& name) { return (dir_.path() / name).string(); }
};

TEST_F(GeneratorPoolTest, AGeneratorNodeServesOnlyTheModel) {
  ServerProcess node(Data("node"), {"--model", testing::StoriesModel(), "--generate-only"});
  ASSERT_TRUE(node.started());
  ServerProcess local(Data("local"), {"--model", testing::StoriesModel()});
  ASSERT_TRUE(local.started());
  auto c = node.Client();
  auto models = c->Get("/v1/models");
  ASSERT_TRUE(models);
  const json list = json::parse(models->body);
  ASSERT_EQ(list["data"].size(), 1u) << "no docent-rag on a generator node";
  EXPECT_EQ(list["data"][0]["id"], "stories260K");
  EXPECT_EQ(list["data"][0]["context_length"], 2048) << "stories260K's training context";
  for (const char* path : {"/v1/documents", "/"}) {
    auto r = c->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
  }
  int status = 0;
  const json rag = PostJson(
      *c, "/v1/chat/completions",
      {{"model", "docent-rag"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}}, &status);
  EXPECT_EQ(status, 404) << rag.dump();
  auto ready = c->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json::parse(ready->body)["role"], "generator");

  // /tokenize in llama-server's shape, and docent's {"messages"}: a content sent in parts is
  // read part by part, so it can differ from the same text sent whole.
  const json text = PostJson(*c, "/tokenize", {{"content", "Sick leave."}}, &status);
  ASSERT_EQ(status, 200) << text.dump();
  EXPECT_FALSE(text["tokens"].empty());
  const json back = PostJson(*c, "/detokenize", {{"tokens", text["tokens"]}}, &status);
  ASSERT_EQ(status, 200) << back.dump();
  EXPECT_EQ(back["content"], "Sick leave.");
  const json whole = PostJson(
      *c, "/tokenize", {{"messages", {{{"role", "user"}, {"content", "a.\n\nb"}}}}}, &status);
  ASSERT_EQ(status, 200);
  const json parts = PostJson(
      *c, "/tokenize",
      {{"messages",
        {{{"role", "user"},
          {"content",
           {{{"type", "text"}, {"text", "a."}}, {{"type", "text"}, {"text", "\n\nb"}}}}}}}},
      &status);
  ASSERT_EQ(status, 200);
  EXPECT_FALSE(whole["tokens"].empty());
  EXPECT_FALSE(parts["tokens"].empty());
  // The same request to the in-process server's /tokenize gives the same ids.
  const json local_parts = PostJson(
      *local.Client(), "/tokenize",
      {{"messages",
        {{{"role", "user"},
          {"content",
           {{{"type", "text"}, {"text", "a."}}, {{"type", "text"}, {"text", "\n\nb"}}}}}}}},
      &status);
  EXPECT_EQ(local_parts["tokens"], parts["tokens"]);
  const json bad = PostJson(*c, "/detokenize", {{"tokens", {1, -5}}}, &status);
  EXPECT_EQ(status, 422) << bad.dump();
}

// The two generators compute on different kernel paths where the CPU has more than AVX2 (g1
// capped at AVX2, g2 and the in-process server on the best this CPU runs): the answers must
// not depend on which generator writes them.
TEST_F(GeneratorPoolTest, AFrontNodeAnswersAsTheInProcessModelDoesAndSurvivesAGeneratorsDeath) {
  ServerProcess g1(Data("g1"), {"--model", testing::StoriesModel(), "--generate-only"},
                   {"DOCENT_KERNELS=avx2"});
  ServerProcess g2(Data("g2"), {"--model", testing::StoriesModel(), "--generate-only"});
  ASSERT_TRUE(g1.started());
  ASSERT_TRUE(g2.started());
  ServerProcess front(Data("front"),
                      {"--answer-cache-mb", "0", "--generator", Url(g1), "--generator", Url(g2)});
  ServerProcess local(Data("local"),
                      {"--answer-cache-mb", "0", "--model", testing::StoriesModel()});
  ASSERT_TRUE(front.started());
  ASSERT_TRUE(local.started());
  auto fc = front.Client();
  auto lc = local.Client();
  Upload(*fc);
  Upload(*lc);

  auto ready = fc->Get("/readyz");
  ASSERT_TRUE(ready);
  ASSERT_EQ(ready->status, 200) << ready->body;
  const json r = json::parse(ready->body);
  EXPECT_EQ(r["answers"], "generative");
  ASSERT_EQ(r["generators"].size(), 2u);
  for (const json& g : r["generators"]) {
    EXPECT_EQ(g["state"], "healthy");
    EXPECT_EQ(g["counting"], "docent");
    EXPECT_EQ(g["context_length"], 2048);
  }

  // The same answers, sources and prompt sizes as the in-process model's.
  std::vector<json> expected;
  for (const std::string& q : kQuestions) {
    SCOPED_TRACE(q);
    int fs = 0, ls = 0;
    const json remote = Ask(*fc, q, &fs);
    const json inproc = Ask(*lc, q, &ls);
    ASSERT_EQ(fs, 200) << remote.dump();
    ASSERT_EQ(ls, 200) << inproc.dump();
    EXPECT_EQ(remote["mode"], "generative");
    EXPECT_TRUE(inproc["found"].get<bool>()) << "every question is in the documents";
    EXPECT_GT(inproc["usage"]["completion_tokens"].get<int>(), 0);
    EXPECT_EQ(remote["found"], inproc["found"]);
    EXPECT_EQ(remote["answer"], inproc["answer"]);
    EXPECT_EQ(remote["sources"], inproc["sources"]);
    EXPECT_EQ(remote["citations"], inproc["citations"]);
    EXPECT_EQ(remote["usage"]["prompt_tokens"], inproc["usage"]["prompt_tokens"]);
    EXPECT_EQ(remote["usage"]["completion_tokens"], inproc["usage"]["completion_tokens"]);
    expected.push_back(inproc);
  }
  // Streamed through the front: the same text, in deltas after the sources.
  auto st = fc->Post(
      "/v1/ask",
      json{{"question", kQuestions[0]}, {"max_tokens", testing::kAnswerTokens}, {"stream", true}}
          .dump(),
      "application/json");
  ASSERT_TRUE(st);
  ASSERT_EQ(st->status, 200);
  const auto events = ParseSse(st->body);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().first, "citations");
  EXPECT_EQ(events.back().first, "done");
  std::string streamed;
  for (const auto& [name, data] : events) {
    if (name == "delta") streamed += data["text"].get<std::string>();
  }
  EXPECT_EQ(streamed, expected[0]["answer"].get<std::string>());

  auto metrics = fc->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string g1_label = "{generator=\"" + Url(g1) + "\"}";
  const std::string g2_label = "{generator=\"" + Url(g2) + "\"}";
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_up" + g1_label), 1);
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_up" + g2_label), 1);
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_requests_total" + g1_label) +
                MetricValue(metrics->body, "docent_generator_requests_total" + g2_label),
            kQuestions.size() + 1);

  // The generator the answers went to dies (all the questions retrieve the same passages, so
  // rendezvous hashing sent them all to one): every question still gets its answer, the same
  // as before, now written by the other generator on the other kernel path (the front finds
  // the first dead on the next request and retries it on the other), and the dead one shows
  // down.
  const double on_g1 = MetricValue(metrics->body, "docent_generator_requests_total" + g1_label);
  const double on_g2 = MetricValue(metrics->body, "docent_generator_requests_total" + g2_label);
  ASSERT_TRUE(on_g1 == 0 || on_g2 == 0) << on_g1 << " and " << on_g2;
  ServerProcess& dead = on_g1 > 0 ? g1 : g2;
  ServerProcess& alive = on_g1 > 0 ? g2 : g1;
  const std::string dead_label = "{generator=\"" + Url(dead) + "\"}";
  const std::string alive_label = "{generator=\"" + Url(alive) + "\"}";
  ASSERT_EQ(dead.Terminate(), 0);
  for (size_t i = 0; i < kQuestions.size(); ++i) {
    int status = 0;
    const json again = Ask(*fc, kQuestions[i], &status);
    ASSERT_EQ(status, 200) << again.dump();
    EXPECT_EQ(again["answer"], expected[i]["answer"]);
  }
  metrics = fc->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_up" + dead_label), 0);
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_up" + alive_label), 1);
  EXPECT_GE(MetricValue(metrics->body, "docent_generator_errors_total" + dead_label), 1);
  EXPECT_EQ(MetricValue(metrics->body, "docent_generator_requests_total" + alive_label),
            kQuestions.size());

  // None left: not ready, and asks are refused with 503 rather than answered extractively.
  ASSERT_EQ(alive.Terminate(), 0);
  int status = 0;
  const json refused = Ask(*fc, kQuestions[1], &status);
  EXPECT_EQ(status, 503) << refused.dump();
  ready = fc->Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(json::parse(ready->body)["ready"], false);
}

// Deterministic answers whichever generator writes them, on a quantised model (Q4_0: every
// matrix product goes through the dispatched integer kernels): one generator capped at the
// AVX2 kernels, the other on the best this CPU runs (AVX-512 VNNI or AVX-VNNI where there is
// one; the SIMD paths compute the same bits, kernels/kernels.h), each behind its own front,
// and an in-process server on the best kernels too. The same questions get the same answers,
// byte for byte, from all three. (The scalar reference kernels sum in another order and are
// not expected to match.)
TEST_F(GeneratorPoolTest, GeneratorsOnDifferentKernelPathsWriteTheSameAnswers) {
  const std::string model = testing::WriteSynthShape(dir_.path(), "tiny-qwen2", "q4_0").string();
  ServerProcess avx2(Data("avx2"), {"--model", model, "--generate-only"}, {"DOCENT_KERNELS=avx2"});
  ServerProcess best(Data("best"), {"--model", model, "--generate-only"});
  ASSERT_TRUE(avx2.started());
  ASSERT_TRUE(best.started());
  ServerProcess front_avx2(Data("front-avx2"),
                           {"--answer-cache-mb", "0", "--generator", Url(avx2)});
  ServerProcess front_best(Data("front-best"),
                           {"--answer-cache-mb", "0", "--generator", Url(best)});
  ServerProcess local(Data("local"), {"--answer-cache-mb", "0", "--model", model});
  ASSERT_TRUE(front_avx2.started());
  ASSERT_TRUE(front_best.started());
  ASSERT_TRUE(local.started());
  auto fs = front_avx2.Client();
  auto fb = front_best.Client();
  auto lc = local.Client();
  Upload(*fs);
  Upload(*fb);
  Upload(*lc);
  for (const std::string& q : kQuestions) {
    SCOPED_TRACE(q);
    int ss = 0, bs = 0, ls = 0;
    const json on_avx2 = Ask(*fs, q, &ss);
    const json on_best = Ask(*fb, q, &bs);
    const json inproc = Ask(*lc, q, &ls);
    ASSERT_EQ(ss, 200) << on_avx2.dump();
    ASSERT_EQ(bs, 200) << on_best.dump();
    ASSERT_EQ(ls, 200) << inproc.dump();
    EXPECT_EQ(on_avx2["mode"], "generative");
    EXPECT_GT(inproc["usage"]["completion_tokens"].get<int>(), 0);
    EXPECT_EQ(on_avx2["answer"], on_best["answer"]);
    EXPECT_EQ(on_best["answer"], inproc["answer"]);
    EXPECT_EQ(on_avx2["usage"]["completion_tokens"], inproc["usage"]["completion_tokens"]);
    EXPECT_EQ(on_avx2["citations"], inproc["citations"]);
  }
}

// The file form: a generator that wants an API key gets the one named by api_key_env, and its
// max_concurrent shows; a wrong key keeps the generator out, with the reason in /readyz.
TEST_F(GeneratorPoolTest, TheGeneratorsFileGivesKeysFromTheEnvironment) {
  ServerProcess node(Data("node"), {"--model", testing::StoriesModel(), "--generate-only"},
                     {"DOCENT_API_KEY=sk-generator"});
  ASSERT_TRUE(node.started());
  const std::string file = (dir_.path() / "generators.json").string();
  std::ofstream(file) << json::array({{{"url", Url(node)},
                                       {"api_key_env", "GENERATOR_KEY"},
                                       {"max_concurrent", 2}}})
                             .dump();
  ServerProcess front(Data("front"), {"--generators-file", file}, {"GENERATOR_KEY=sk-generator"});
  ServerProcess wrong(Data("wrong"), {"--generators-file", file}, {"GENERATOR_KEY=sk-wrong"});
  ASSERT_TRUE(front.started());
  ASSERT_TRUE(wrong.started());
  auto fc = front.Client();
  Upload(*fc);
  int status = 0;
  const json answer = Ask(*fc, kQuestions[0], &status);
  ASSERT_EQ(status, 200) << answer.dump();
  EXPECT_EQ(answer["mode"], "generative");
  auto ready = fc->Get("/readyz");
  ASSERT_TRUE(ready);
  ASSERT_EQ(ready->status, 200);
  EXPECT_EQ(json::parse(ready->body)["generators"][0]["max_concurrent"], 2);

  auto refused = wrong.Client()->Get("/readyz");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  const json down = json::parse(refused->body)["generators"][0];
  EXPECT_EQ(down["state"], "down");
  EXPECT_THAT(down["last_error"].get<std::string>(), ::testing::HasSubstr("401"));
}

}  // namespace
}  // namespace docent
