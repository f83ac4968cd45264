// Hybrid retrieval through the real binary and server: `docent add --embed-model` embeds the
// examples and records the model, `docent search` then defaults to hybrid and keeps BM25's own
// list under --retrieval bm25; a changed model re-embeds every chunk; `docent serve` serves
// /v1/search and /v1/ask with a "retrieval" field and embeds an upload before it is ready.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
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

std::string Examples() {
  return (testing::SourceDir() / "examples").string();
}

std::vector<int64_t> ChunkIds(const json& results) {
  std::vector<int64_t> ids;
  for (const json& r : results) ids.push_back(r["chunk_id"].get<int64_t>());
  return ids;
}

json SearchJson(const std::string& data, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"search", "--data", data,    "annual leave carry-over",
                                   "-k",     "5",      "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const testing::RunResult r = testing::RunDocent(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out, nullptr, false);
}

TEST(HybridRetrievalTest, AddEmbedsAndSearchDefaultsToHybrid) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string model = testing::WriteSynthShape(dir.path(), "tiny-bert").string();
  ASSERT_EQ(testing::RunDocent({"add", "--data", data, "--quiet", Examples()}).exit_code, 0);
  const json before = SearchJson(data, {});
  EXPECT_EQ(before["retrieval"], "bm25");

  const testing::RunResult add =
      testing::RunDocent({"add", "--data", data, "--embed-model", model, "--threads", "2"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out, HasSubstr("with docent synthetic tiny-bert"));
  EXPECT_THAT(add.out, HasSubstr("dense and hybrid retrieval ready"));
  const json hybrid = SearchJson(data, {});
  EXPECT_EQ(hybrid["retrieval"], "hybrid");
  ASSERT_EQ(hybrid["results"].size(), 5u);
  const json bm25 = SearchJson(data, {"--retrieval", "bm25"});
  EXPECT_EQ(bm25["retrieval"], "bm25");
  EXPECT_EQ(ChunkIds(bm25["results"]), ChunkIds(before["results"]))
      << "BM25's list does not change with an embedding model";
  const json dense = SearchJson(data, {"--retrieval", "dense"});
  EXPECT_EQ(dense["retrieval"], "dense");
  EXPECT_EQ(dense["results"].size(), 5u);
  // The same query twice gives the same list.
  EXPECT_EQ(ChunkIds(SearchJson(data, {})["results"]), ChunkIds(hybrid["results"]));

  // Adding again embeds nothing new; another model re-embeds every chunk.
  const testing::RunResult same =
      testing::RunDocent({"add", "--data", data, "--embed-model", model});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_THAT(same.out, HasSubstr("embedded 0 chunks"));
  const std::string other = testing::WriteSynthShape(dir.path(), "tiny-bert", "q8_0", 9).string();
  const testing::RunResult change =
      testing::RunDocent({"add", "--data", data, "--embed-model", other});
  ASSERT_EQ(change.exit_code, 0) << change.err;
  // Both passes embedded every chunk of the store.
  auto embedded = [](const std::string& out) {
    return std::stoll(out.substr(out.find("embedded ") + 9));
  };
  EXPECT_EQ(embedded(change.out), embedded(add.out));
  EXPECT_GT(embedded(change.out), 20);
}

TEST(HybridRetrievalTest, ServerSearchesHybridAndEmbedsUploads) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string model = testing::WriteSynthShape(dir.path(), "tiny-bert").string();
  ASSERT_EQ(
      testing::RunDocent({"add", "--data", data, "--quiet", "--embed-model", model,
                          (testing::SourceDir() / "examples/employee-handbook-en.md").string()})
          .exit_code,
      0);
  testing::ServerProcess server(data);  // the recorded model, no flag needed
  ASSERT_TRUE(server.started());
  auto http = server.Client();
  auto search = [&](const std::string& body) {
    auto r = http->Post("/v1/search", body, "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  };
  EXPECT_EQ(search(R"({"query": "annual leave", "k": 3})")["retrieval"], "hybrid");
  EXPECT_EQ(search(R"({"query": "annual leave", "k": 3, "retrieval": "bm25"})")["retrieval"],
            "bm25");
  auto bad =
      http->Post("/v1/search", R"({"query": "x", "retrieval": "vector"})", "application/json");
  EXPECT_EQ(bad->status, 422);
  EXPECT_THAT(bad->body, HasSubstr("bm25, dense or hybrid"));

  // An upload is ready once its chunks have vectors too: dense retrieval returns them.
  httplib::MultipartFormDataItems files = {
      {"file", "Parking permits are issued by the facilities desk on the ground floor.\n",
       "parking.txt", "text/plain"}};
  auto up = http->Post("/v1/documents?wait=true", files);
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
  const int64_t doc = json::parse(up->body)["uploads"][0]["id"].get<int64_t>();
  const json dense = search(R"({"query": "parking permit", "k": 100, "retrieval": "dense"})");
  EXPECT_EQ(dense["retrieval"], "dense");
  bool has_upload = false;
  for (const json& r : dense["results"]) has_upload |= r["doc_id"].get<int64_t>() == doc;
  EXPECT_TRUE(has_upload) << "the upload's chunk has no vector";

  auto ask =
      http->Post("/v1/ask", R"({"question": "Who issues parking permits?"})", "application/json");
  ASSERT_EQ(ask->status, 200) << ask->body;
  EXPECT_EQ(json::parse(ask->body)["retrieval"], "hybrid");
}

TEST(HybridRetrievalTest, WithoutAModelDenseIsRefusedNamingTheFlag) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(testing::RunDocent({"add", "--data", data, "--quiet", Examples()}).exit_code, 0);
  const testing::RunResult r =
      testing::RunDocent({"search", "--data", data, "annual leave", "--retrieval", "dense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--embed-model"));
}

}  // namespace
}  // namespace docent
