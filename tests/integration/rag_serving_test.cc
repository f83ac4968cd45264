// Answers over the documents with a model loaded, through a real `docent serve --model` on a
// loopback port: /v1/ask plain and streamed (citations, then the model's text as it is
// written, then done), and the docent-rag model of the OpenAI API, with and without a model.
// stories260K writes nonsense, so these check the pipeline's contract, not the prose: the
// stream concatenates to the plain answer (greedy, so the same both times), every [n] left in
// the text names a listed citation, and a question the documents do not answer is refused
// without the model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::ParseSse;
using testing::PostJson;
using testing::ServerProcess;

constexpr const char* kLeave =
    "# Leave policy\n\nSick leave of more than three days requires a doctor's note.\n";

void Upload(httplib::Client& c) {
  httplib::MultipartFormDataItems items = {
      {"file", kLeave, "leave.md", "application/octet-stream"}};
  auto up = c.Post("/v1/documents?wait=true", items);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
}

// Every [n] marker in `text` has an entry with that n in `citations`, and each entry is cited.
void ExpectMarkersMatch(const std::string& text, const json& citations) {
  std::set<int> cited, listed;
  static const std::regex kMarker("\\[([0-9]+)\\]");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kMarker);
       it != std::sregex_iterator(); ++it) {
    cited.insert(std::stoi((*it)[1].str()));
  }
  for (const json& c : citations) listed.insert(c["n"].get<int>());
  EXPECT_EQ(cited, listed) << text;
}

// The events of /v1/ask with "stream": true for `question` (empty when the request failed).
std::vector<std::pair<std::string, json>> AskStreamed(httplib::Client& c, json question) {
  question["stream"] = true;
  auto st = c.Post("/v1/ask", question.dump(), "application/json");
  EXPECT_TRUE(st);
  if (!st) return {};
  EXPECT_EQ(st->status, 200);
  return ParseSse(st->body);
}

class RagServingTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(RagServingTest, AskWithAModelStreamsTheModelsAnswerWithCitations) {
  ServerProcess server(dir_.path().string(), {"--answer-cache-mb", "0", "--model",
                                              testing::StoriesModel(), "--slots", "2"});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  Upload(*c);
  const json question = {{"question", "Does sick leave need a doctor's note?"},
                         {"max_tokens", testing::kAnswerTokens}};
  int status = 0;
  const json plain = PostJson(*c, "/v1/ask", question, &status);
  ASSERT_EQ(status, 200) << plain.dump();
  EXPECT_EQ(plain["mode"], "generative");
  EXPECT_TRUE(plain["found"].get<bool>());
  ASSERT_FALSE(plain["sources"].empty());
  EXPECT_EQ(plain["sources"][0]["title"], "Leave policy");
  EXPECT_GT(plain["usage"]["completion_tokens"].get<int>(), 0);
  EXPECT_LE(plain["usage"]["completion_tokens"].get<int>(), testing::kAnswerTokens);
  EXPECT_GT(plain["usage"]["prompt_tokens"].get<int>(), 0);
  ExpectMarkersMatch(plain["answer"].get<std::string>(), plain["citations"]);

  const auto events = AskStreamed(*c, question);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front().first, "citations");
  EXPECT_EQ(events.front().second["sources"], plain["sources"]);
  EXPECT_EQ(events.back().first, "done");
  std::string text;
  for (size_t i = 1; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].first, "delta");
    text += events[i].second["text"].get<std::string>();
  }
  EXPECT_EQ(text, plain["answer"].get<std::string>()) << "greedy: the same answer both times";
  EXPECT_EQ(events.back().second["citations"], plain["citations"]);
  EXPECT_EQ(events.back().second["mode"], "generative");
  // The second ask read the same prompt: its KV came from the first.
  EXPECT_GT(events.back().second["usage"]["cached_prompt_tokens"].get<int>(), 0);

  // Nothing relevant: refused without the model.
  const json absent = PostJson(*c, "/v1/ask",
                               {{"question", "What is on the cafeteria menu this Friday?"},
                                {"max_tokens", testing::kAnswerTokens}},
                               &status);
  ASSERT_EQ(status, 200);
  EXPECT_FALSE(absent["found"].get<bool>());
  EXPECT_TRUE(absent["citations"].empty());
  EXPECT_EQ(absent["usage"]["prompt_tokens"], 0);

  // Two generations: two first tokens, and a reused prompt in the hit rate.
  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string& m = metrics->body;
  EXPECT_THAT(m, ::testing::HasSubstr("\ndocent_time_to_first_token_seconds_count 2\n"));
  EXPECT_THAT(m, ::testing::HasSubstr("\ndocent_inter_token_latency_seconds_bucket{le=\"+Inf\"} "));
  EXPECT_THAT(m, ::testing::HasSubstr("\ndocent_generation_batch_size_count "));
  const std::string rate = "\ndocent_prefix_hit_rate ";
  const size_t at = m.find(rate);
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(m.substr(at + rate.size())), 0.3);
  EXPECT_THAT(m, ::testing::HasSubstr("\ndocent_generation_tokens_per_second "));
  EXPECT_THAT(m, ::testing::HasSubstr("\ndocent_kv_cache_positions "));
}

TEST_F(RagServingTest, DocentRagAnswersOverTheOpenAiApi) {
  for (const bool with_model : {false, true}) {
    SCOPED_TRACE(with_model ? "with a model" : "extractive");
    testing::TempDir data;
    std::vector<std::string> args;
    if (with_model) args = {"--model", testing::StoriesModel()};
    ServerProcess server(data.path().string(), args);
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    Upload(*c);
    const json request = {
        {"model", "docent-rag"},
        {"max_tokens", testing::kAnswerTokens},
        {"messages",
         {{{"role", "system"}, {"content", "ignored: docent-rag writes its own prompt"}},
          {{"role", "user"}, {"content", "Does sick leave need a doctor's note?"}}}}};
    int status = 0;
    const json r = PostJson(*c, "/v1/chat/completions", request, &status);
    ASSERT_EQ(status, 200) << r.dump();
    EXPECT_EQ(r["model"], "docent-rag");
    EXPECT_EQ(r["object"], "chat.completion");
    const std::string content = r["choices"][0]["message"]["content"].get<std::string>();
    ASSERT_TRUE(r["citations"].is_array());
    ExpectMarkersMatch(content, r["citations"]);
    if (!with_model) {
      // The extractive answer quotes the document and cites it.
      EXPECT_THAT(content, ::testing::HasSubstr("doctor's note"));
      ASSERT_EQ(r["citations"].size(), 1u);
      EXPECT_EQ(r["citations"][0]["title"], "Leave policy");
    }

    json stream_request = request;
    stream_request["stream"] = true;
    auto st = c->Post("/v1/chat/completions", stream_request.dump(), "application/json");
    ASSERT_TRUE(st);
    std::string streamed;
    json last;
    std::istringstream in(st->body);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("data: ", 0) != 0 || line == "data: [DONE]") continue;
      const json chunk = json::parse(line.substr(6));
      const json& delta = chunk["choices"][0]["delta"];
      if (delta.contains("content")) streamed += delta["content"].get<std::string>();
      last = chunk;
    }
    EXPECT_EQ(streamed, content);
    EXPECT_FALSE(last["choices"][0]["finish_reason"].is_null());
    EXPECT_EQ(last["citations"], r["citations"]);
  }
}

// Grounding: stories260K writes nursery prose and no source marker, so its answer cites
// nothing: reported ungrounded, and under --require-grounding replaced by the extractive answer
// over the same sources, which is what a server without a model answers, in /v1/ask (plain and
// streamed) and in docent-rag.
TEST_F(RagServingTest, AnUngroundedAnswerIsMarkedAndUnderRequireGroundingReplaced) {
  const json question = {{"question", "Does sick leave need a doctor's note?"},
                         {"max_tokens", testing::kAnswerTokens}};
  int status = 0;
  json extractive;
  {
    testing::TempDir data;
    ServerProcess server(data.path().string(), {"--answer-cache-mb", "0"});
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    Upload(*c);
    extractive = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << extractive.dump();
    EXPECT_TRUE(extractive["grounded"].get<bool>()) << "the documents' own sentences";
  }
  {
    testing::TempDir data;
    ServerProcess server(data.path().string(),
                         {"--answer-cache-mb", "0", "--model", testing::StoriesModel()});
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    Upload(*c);
    const json written = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << written.dump();
    EXPECT_EQ(written["mode"], "generative");
    ASSERT_EQ(written["answer"].get<std::string>().find('['), std::string::npos)
        << "precondition: the model cites nothing";
    EXPECT_FALSE(written["grounded"].get<bool>());
    EXPECT_FALSE(written.contains("replaced_ungrounded"));
    EXPECT_FALSE(written["sources"].empty()) << "the sources consulted are listed all the same";
  }
  testing::TempDir data;
  ServerProcess server(data.path().string(), {"--answer-cache-mb", "0", "--model",
                                              testing::StoriesModel(), "--require-grounding"});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  Upload(*c);
  const json replaced = PostJson(*c, "/v1/ask", question, &status);
  ASSERT_EQ(status, 200) << replaced.dump();
  EXPECT_EQ(replaced["mode"], "extractive");
  EXPECT_TRUE(replaced["replaced_ungrounded"].get<bool>());
  EXPECT_TRUE(replaced["grounded"].get<bool>());
  EXPECT_EQ(replaced["answer"], extractive["answer"]);
  EXPECT_EQ(replaced["citations"], extractive["citations"]);
  EXPECT_GT(replaced["usage"]["completion_tokens"].get<int>(), 0) << "the model did write";

  const auto events = AskStreamed(*c, question);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().first, "citations");
  std::string text;
  for (size_t i = 1; i + 1 < events.size(); ++i)
    text += events[i].second["text"].get<std::string>();
  EXPECT_EQ(text, extractive["answer"].get<std::string>()) << "the model's words never went out";
  EXPECT_EQ(events.back().first, "done");
  EXPECT_TRUE(events.back().second["replaced_ungrounded"].get<bool>());

  const json rag = PostJson(*c, "/v1/chat/completions",
                            {{"model", "docent-rag"},
                             {"max_tokens", testing::kAnswerTokens},
                             {"messages", {{{"role", "user"}, {"content", question["question"]}}}}},
                            &status);
  ASSERT_EQ(status, 200) << rag.dump();
  EXPECT_EQ(rag["choices"][0]["message"]["content"], extractive["answer"]);
}

}  // namespace
}  // namespace docent

namespace docent {
namespace {

using nlohmann::json;
using testing::ServerProcess;

// `--context-cache fast`: the first question computes each passage on its own and stores it,
// the next reads it from the store, and both answers are the same bytes; the store survives a
// restart; a changed document's stored passage is not used (its key changes with its text).
TEST_F(RagServingTest, FastContextCacheStoresPassagesAndAnswersTheSameFromTheStore) {
  const std::string data = dir_.path().string();
  const json question = {{"question", "Does sick leave need a doctor's note?"},
                         {"max_tokens", testing::kAnswerTokens}};
  std::string first_answer;
  {
    ServerProcess server(data, {"--answer-cache-mb", "0", "--model", testing::StoriesModel(),
                                "--context-cache", "fast"});
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    Upload(*c);
    int status = 0;
    const json miss = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << miss.dump();
    EXPECT_EQ(miss["context_cache"], "fast");
    EXPECT_EQ(miss["usage"]["stored_prompt_tokens"], 0) << "nothing stored yet";
    const json hit = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << hit.dump();
    EXPECT_GT(hit["usage"]["stored_prompt_tokens"].get<int>(), 0) << hit.dump();
    EXPECT_EQ(hit["usage"]["stored_prompt_tokens"].get<int>() +
                  hit["usage"]["recomputed_prompt_tokens"].get<int>(),
              hit["usage"]["prompt_tokens"].get<int>());
    EXPECT_EQ(hit["answer"], miss["answer"]) << "a stored passage reads as a computed one";
    EXPECT_GT(hit["timings"]["first_token_ms"].get<double>(), 0.0);
    first_answer = hit["answer"].get<std::string>();
    auto ready = c->Get("/readyz");
    ASSERT_TRUE(ready);
    const json r = json::parse(ready->body);
    EXPECT_EQ(r["context_cache"]["mode"], "fast");
    EXPECT_GE(r["context_cache"]["store"]["entries"].get<int>(), 1);
    auto metrics = c->Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_THAT(metrics->body, ::testing::HasSubstr("\ndocent_kv_store_hit_rate "));
  }
  {
    // A restart: the entry is on disk, and the answer is the same.
    ServerProcess server(data, {"--answer-cache-mb", "0", "--model", testing::StoriesModel(),
                                "--context-cache", "fast"});
    ASSERT_TRUE(server.started());
    auto c = server.Client();
    int status = 0;
    const json again = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << again.dump();
    EXPECT_GT(again["usage"]["stored_prompt_tokens"].get<int>(), 0);
    EXPECT_EQ(again["answer"], first_answer);
    // The document changes: its old entry is never used for the new text.
    httplib::MultipartFormDataItems items = {
        {"file", "# Leave policy\n\nSick leave of more than five days requires a doctor's note.\n",
         "leave.md", "application/octet-stream"}};
    auto up = c->Post("/v1/documents?wait=true", items);
    ASSERT_TRUE(up);
    ASSERT_EQ(up->status, 200) << up->body;
    const json changed = PostJson(*c, "/v1/ask", question, &status);
    ASSERT_EQ(status, 200) << changed.dump();
    EXPECT_EQ(changed["usage"]["stored_prompt_tokens"], 0) << changed.dump();
    EXPECT_NE(changed["sources"][0]["text"], again["sources"][0]["text"]);
  }
  // The default is exact, and says so.
  ServerProcess exact(data, {"--answer-cache-mb", "0", "--model", testing::StoriesModel()});
  ASSERT_TRUE(exact.started());
  auto c = exact.Client();
  int status = 0;
  const json e = PostJson(*c, "/v1/ask", question, &status);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(e["context_cache"], "exact");
  EXPECT_EQ(e["usage"]["stored_prompt_tokens"], 0);
}

// Determinism under load in `fast` mode: the same question gives the same bytes alone and
// while another client's generation shares the model's batches. (The servers of these tests
// that ask one question twice run without the answer cache, which would otherwise answer the
// second time without the model.)
TEST_F(RagServingTest, FastAnswersAreTheSameAloneAndUnderLoad) {
  ServerProcess server(dir_.path().string(),
                       {"--answer-cache-mb", "0", "--model", testing::StoriesModel(),
                        "--context-cache", "fast", "--slots", "2"});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  Upload(*c);
  const json question = {{"question", "Does sick leave need a doctor's note?"},
                         {"max_tokens", testing::kAnswerTokens}};
  int status = 0;
  const json alone = PostJson(*c, "/v1/ask", question, &status);
  ASSERT_EQ(status, 200) << alone.dump();
  // Another client's long generation, streaming before the question is asked and cancelled
  // (the client hangs up) only once the answer is back, so the two share the model's batches.
  std::promise<void> streaming;
  std::atomic<bool> hang_up{false};
  bool streamed = false;
  std::thread other([&] {
    auto oc = server.Client();
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/completions";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = json{{"prompt", "Once upon a time"},
                    {"max_tokens", 400},
                    {"stream", true},
                    {"user", "someone-else"}}
                   .dump();
    bool first = true;
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      if (first) {
        first = false;
        streaming.set_value();
      }
      return !hang_up.load();
    };
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    oc->send(req, res, error);
    if (first) streaming.set_value();  // it ended without a chunk: the test fails below
    streamed = !first;
  });
  streaming.get_future().wait();
  const json loaded = PostJson(*c, "/v1/ask", question, &status);
  hang_up = true;
  other.join();
  EXPECT_TRUE(streamed) << "the other generation never streamed";
  ASSERT_EQ(status, 200) << loaded.dump();
  EXPECT_EQ(loaded["answer"], alone["answer"]);
  EXPECT_EQ(loaded["citations"], alone["citations"]);
}

}  // namespace
}  // namespace docent
