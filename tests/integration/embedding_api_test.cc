// /v1/embeddings and /v1/rerank through a real `docent serve --embed-model --rerank-model` on a
// loopback port, and `docent embed` / `docent rerank` through the binary, on synthetic
// tiny-bert models: OpenAI's and llama-server's response shapes, base64 vectors that decode to
// the float ones, the same vector from the CLI and the server, best-first rerank results, and
// errors (bad input, too long, over the per-request token limit, no model) as JSON with 4xx /
// 503.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/model_files.h"
#include "support/server_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Post(httplib::Client& c, const std::string& path, const json& body, int* status) {
  auto r = c.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(r) << path;
  if (!r) return json();
  *status = r->status;
  return json::parse(r->body, nullptr, false);
}

std::vector<float> DecodeBase64Floats(const std::string& text) {
  std::vector<unsigned char> bytes(text.size());
  const int n = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  EXPECT_GT(n, 0);
  // EVP_DecodeBlock counts the padding's zero bytes too.
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  std::vector<float> out((static_cast<size_t>(n) - padding) / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

class EmbeddingApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    models_ = new testing::TempDir();
    embedder_ = new std::string(testing::WriteSynthShape(models_->path(), "tiny-bert").string());
    reranker_ =
        new std::string(testing::WriteSynthShape(models_->path(), "tiny-bert-reranker").string());
  }
  static void TearDownTestSuite() {
    delete embedder_;
    delete reranker_;
    delete models_;
  }
  static testing::TempDir* models_;
  static std::string* embedder_;
  static std::string* reranker_;
  testing::TempDir dir_;
};
testing::TempDir* EmbeddingApiTest::models_ = nullptr;
std::string* EmbeddingApiTest::embedder_ = nullptr;
std::string* EmbeddingApiTest::reranker_ = nullptr;

TEST_F(EmbeddingApiTest, ServesEmbeddingsAndRerankInTheirClientsShapes) {
  testing::ServerProcess server(dir_.path().string(),
                                {"--embed-model", *embedder_, "--rerank-model", *reranker_});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  int status = 0;
  const json one = Post(*c, "/v1/embeddings", {{"input", "annual leave days"}}, &status);
  ASSERT_EQ(status, 200) << one.dump();
  EXPECT_EQ(one["object"], "list");
  EXPECT_EQ(one["model"], "docent synthetic tiny-bert");
  ASSERT_EQ(one["data"].size(), 1u);
  EXPECT_EQ(one["data"][0]["object"], "embedding");
  EXPECT_EQ(one["data"][0]["index"], 0);
  const auto vector = one["data"][0]["embedding"].get<std::vector<float>>();
  ASSERT_EQ(vector.size(), 128u);
  double length = 0;
  for (float v : vector) length += static_cast<double>(v) * v;
  EXPECT_NEAR(length, 1.0, 1e-5);
  EXPECT_EQ(one["usage"]["prompt_tokens"], 5);  // [CLS] annual leave days [SEP]
  EXPECT_EQ(one["usage"]["total_tokens"], 5);

  // An array, in base64: the same vector for the same text, in order.
  const json many =
      Post(*c, "/v1/embeddings",
           {{"input", {"the laptop password", "annual leave days"}}, {"encoding_format", "base64"}},
           &status);
  ASSERT_EQ(status, 200) << many.dump();
  ASSERT_EQ(many["data"].size(), 2u);
  EXPECT_EQ(many["data"][1]["index"], 1);
  EXPECT_EQ(DecodeBase64Floats(many["data"][1]["embedding"]), vector);
  EXPECT_NE(DecodeBase64Floats(many["data"][0]["embedding"]), vector);

  // The CLI prints the same vector the server sends.
  const testing::RunResult cli =
      testing::RunDocent({"embed", "-m", *embedder_, "--json", "annual leave days"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out)["data"][0]["embedding"].get<std::vector<float>>(), vector);

  const json ranked =
      Post(*c, "/v1/rerank",
           {{"query", "annual leave"},
            {"documents", {"the laptop password", "annual leave days", "travel budget"}},
            {"top_n", 2},
            {"return_documents", true}},
           &status);
  ASSERT_EQ(status, 200) << ranked.dump();
  EXPECT_EQ(ranked["object"], "list");
  EXPECT_EQ(ranked["model"], "docent synthetic tiny-bert-reranker");
  ASSERT_EQ(ranked["results"].size(), 2u);
  EXPECT_GE(ranked["results"][0]["relevance_score"].get<double>(),
            ranked["results"][1]["relevance_score"].get<double>());
  const int best = ranked["results"][0]["index"];
  const char* documents[] = {"the laptop password", "annual leave days", "travel budget"};
  EXPECT_EQ(ranked["results"][0]["document"]["text"], documents[best]);
  EXPECT_GT(ranked["usage"]["prompt_tokens"].get<int>(), 0);
  // The CLI's scores, in input order, hold the same logits; the best is the server's best.
  const testing::RunResult cli_rank = testing::RunDocent(
      {"rerank", "-m", *reranker_, "annual leave", documents[0], documents[1], documents[2]});
  ASSERT_EQ(cli_rank.exit_code, 0) << cli_rank.err;
  std::vector<double> logits;
  std::istringstream lines(cli_rank.out);
  std::string line;
  while (std::getline(lines, line)) {
    int index = 0;
    double relevance = 0, logit = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d\t%lf\t%lf", &index, &relevance, &logit), 3) << line;
    EXPECT_EQ(index, static_cast<int>(logits.size()));
    EXPECT_NEAR(relevance, 1.0 / (1.0 + std::exp(-logit)), 2e-6);
    logits.push_back(logit);
  }
  ASSERT_EQ(logits.size(), 3u);
  EXPECT_NEAR(logits[best], ranked["results"][0]["relevance_score"].get<double>(), 2e-6);
  for (double l : logits) EXPECT_LE(l, logits[best] + 1e-9);
}

TEST_F(EmbeddingApiTest, BadRequestsAreJsonErrorsNamingTheField) {
  testing::ServerProcess server(dir_.path().string(), {"--embed-model", *embedder_});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  std::string long_text;
  for (int i = 0; i < 600; ++i) long_text += "leave ";
  struct Case {
    const char* path;
    json body;
    int status;
    const char* says;
  };
  for (const Case& k : {
           Case{"/v1/embeddings", json::object(), 400, "input"},
           Case{"/v1/embeddings", {{"input", json::array()}}, 422, "empty"},
           Case{"/v1/embeddings", {{"input", {"ok", 7}}}, 400, "input[1]"},
           Case{"/v1/embeddings", {{"input", "x"}, {"encoding_format", "hex"}}, 422, "base64"},
           Case{"/v1/embeddings", {{"input", {"ok", long_text}}}, 400, "input[1]"},
           Case{"/v1/rerank", {{"query", "q"}, {"documents", {"d"}}}, 503, "--rerank-model"},
           Case{"/v1/rerank", {{"query", "q"}}, 400, "documents"},
       }) {
    int status = 0;
    const json r = Post(*c, k.path, k.body, &status);
    EXPECT_EQ(status, k.status) << k.body.dump();
    ASSERT_TRUE(r.contains("error")) << r.dump();
    EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr(k.says)) << k.body.dump();
  }
}

// One request may make the model read at most --max-embed-tokens tokens (each text framed as
// the model reads it); under the limit it is served.
TEST_F(EmbeddingApiTest, ARequestOverTheTokenLimitIsRefused) {
  testing::ServerProcess server(
      dir_.path().string(),
      {"--embed-model", *embedder_, "--rerank-model", *reranker_, "--max-embed-tokens", "40"});
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  // "annual leave days" is [CLS] + 3 words + [SEP] = 5 tokens in BGE's vocabulary.
  const json eight(std::vector<std::string>(8, "annual leave days"));
  const json nine(std::vector<std::string>(9, "annual leave days"));
  int status = 0;
  Post(*c, "/v1/embeddings", {{"input", eight}}, &status);
  EXPECT_EQ(status, 200);
  json r = Post(*c, "/v1/embeddings", {{"input", nine}}, &status);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("45 tokens; at most 40"));
  // A pair is framed as llama.cpp frames it, [CLS] query [SEP] document: 1 + 3 + 1 + 3 = 8
  // tokens; 5 pairs are 40, 6 are 48.
  Post(*c, "/v1/rerank",
       {{"query", "annual leave days"},
        {"documents", json(std::vector<std::string>(5, "annual leave days"))}},
       &status);
  EXPECT_EQ(status, 200);
  r = Post(*c, "/v1/rerank",
           {{"query", "annual leave days"},
            {"documents", json(std::vector<std::string>(6, "annual leave days"))}},
           &status);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("48 tokens; at most 40"));
}

TEST_F(EmbeddingApiTest, WithoutAnEmbeddingModelTheServerSaysWhichFlag) {
  testing::ServerProcess server(dir_.path().string());
  ASSERT_TRUE(server.started());
  auto c = server.Client();
  int status = 0;
  const json r = Post(*c, "/v1/embeddings", {{"input", "x"}}, &status);
  EXPECT_EQ(status, 503);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("--embed-model"));
}

TEST_F(EmbeddingApiTest, ServeRefusesAModelOfTheWrongKind) {
  const testing::RunResult r = testing::RunDocent(
      {"serve", "--data", dir_.path().string(), "--port", "0", "--embed-model", *reranker_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is a reranker, not an embedding model"));
  const testing::RunResult e = testing::RunDocent({"embed", "-m", *reranker_, "hello"});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_THAT(e.err, HasSubstr("is a reranker"));
}

}  // namespace
}  // namespace docent
