// Workspaces through the real server: two teams on one server with keys scoped to each, a
// read-only key, an admin key and a key for a workspace made later. Every route, the OpenAI
// API and the web UI's request shapes are tried across the boundary; each answers 403, 404
// or "not in the documents", never with the other team's text. Retrieval inside a workspace
// equals that of a server holding that workspace alone. The audit log gets one line per
// action and never a key.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/server_fixture.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using nlohmann::json;
using testing::ParseSse;
using testing::ServerProcess;

// Both teams write about leave and policy (shared vocabulary, so shared statistics would show
// in the scores); only finance's documents hold the marker word.
constexpr const char* kHrLeave =
    "# Leave policy\n\nEvery employee receives 15 days of annual leave per year. Leave requests "
    "go to the team lead. The policy applies from January.\n";
constexpr const char* kHrSick =
    "# Sick leave\n\nSick leave of more than three days requires a doctor's note. The leave "
    "policy lists the details.\n";
constexpr const char* kFinBudget =
    "# Budget policy\n\nThe ZEBRAFIN budget for travel is 40000 EUR. Leave of absence does not "
    "change the policy budget. ZEBRAFIN forecasts are due in March.\n";
constexpr const char* kMarker = "ZEBRAFIN";

constexpr const char* kHrKey = "hr-rw-key-0123456789";
constexpr const char* kFinKey = "fin-rw-key-0123456789";
constexpr const char* kHrReadKey = "hr-read-key-0123456789";
constexpr const char* kAdminKey = "admin-key-0123456789";
constexpr const char* kLegalKey = "legal-key-0123456789";

httplib::Headers Auth(const char* key) {
  return key ? httplib::Headers{{"Authorization", std::string("Bearer ") + key}}
             : httplib::Headers{};
}

struct Reply {
  int status = 0;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

class WorkspacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_file_ = dir_.Write("keys.txt", std::string("# team keys\n") + kHrKey +
                                           " workspaces=hr rights=read,write\n" + kFinKey +
                                           " workspaces=fin rights=write\n" + kHrReadKey +
                                           " workspaces=hr rights=read\n" + kAdminKey +
                                           " rights=admin\n" + kLegalKey + " workspaces=legal\n")
                    .string();
    audit_ = (dir_ / "audit.log").string();
  }

  Reply Post(httplib::Client& c, const std::string& path, const json& body, const char* key) {
    auto r = c.Post(path, Auth(key), body.dump(), "application/json");
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    Record(key, r->body);
    return {r->status, r->body};
  }
  Reply Get(httplib::Client& c, const std::string& path, const char* key) {
    auto r = c.Get(path, Auth(key));
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    Record(key, r->body);
    return {r->status, r->body};
  }
  Reply Delete(httplib::Client& c, const std::string& path, const char* key) {
    auto r = c.Delete(path, Auth(key));
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    Record(key, r->body);
    return {r->status, r->body};
  }
  Reply Upload(httplib::Client& c, const std::string& name, const std::string& content,
               const char* workspace, const char* key) {
    httplib::MultipartFormDataItems items;
    if (workspace) items.push_back({"workspace", workspace, "", ""});
    items.push_back({"file", content, name, "text/markdown"});
    auto r = c.Post("/v1/documents?wait=true", Auth(key), items);
    EXPECT_TRUE(r) << name;
    if (!r) return {};
    Record(key, r->body);
    return {r->status, r->body};
  }
  // Every body answered to a key other than finance's or the admin's must be free of
  // finance's text.
  void Record(const char* key, const std::string& body) {
    if (key == kHrKey || key == kHrReadKey || key == kLegalKey) {
      EXPECT_EQ(body.find(kMarker), std::string::npos) << "leaked to " << key << ": " << body;
    }
  }

  testing::TempDir dir_;
  std::string key_file_, audit_;
};

// (text, source, location, score) of each /v1/search result.
std::vector<std::tuple<std::string, std::string, std::string, double>> Results(const Reply& r) {
  std::vector<std::tuple<std::string, std::string, std::string, double>> out;
  const json j = r.Json();
  for (const json& p : j["results"]) {
    out.emplace_back(p["text"], p["source"], p["location"], p["score"].get<double>());
  }
  return out;
}

TEST_F(WorkspacesTest, TeamsSeeOnlyTheirOwnDocumentsOnEveryRoute) {
  ServerProcess a((dir_ / "a").string(), {"--api-key-file", key_file_, "--audit-log", audit_});
  ASSERT_TRUE(a.started());
  auto c = a.Client();
  int audited = 0;  // actions the audit log must hold a line for

  // The admin makes the teams' workspaces; nobody else may.
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "hr"}}, kHrKey).status, 403);
  ++audited;
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "hr"}}, kAdminKey).status, 201);
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "fin"}}, kAdminKey).status, 201);
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "fin"}}, kAdminKey).status, 409);
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "Bad Name"}}, kAdminKey).status, 400);
  audited += 4;

  // Uploads: each key into its own workspace (the web UI's form field); the key's first
  // workspace when none is named.
  Reply up = Upload(*c, "leave.md", kHrLeave, "hr", kHrKey);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.Json()["uploads"][0]["workspace"], "hr");
  ASSERT_EQ(Upload(*c, "sick.md", kHrSick, nullptr, kHrKey).status, 200);
  Reply fin_up = Upload(*c, "budget.md", kFinBudget, "fin", kFinKey);
  ASSERT_EQ(fin_up.status, 200) << fin_up.body;
  const int64_t fin_doc = fin_up.Json()["uploads"][0]["id"];
  const int64_t fin_job = fin_up.Json()["uploads"][0]["job"];
  audited += 3;
  // Across the boundary: another team's workspace, one outside the key's list that does not
  // exist (the same 403, so keys cannot probe names), a bad name, a missing right, and a
  // workspace that does not exist for a key that may write everywhere.
  EXPECT_EQ(Upload(*c, "x.md", kHrLeave, "fin", kHrKey).status, 403);
  EXPECT_EQ(Upload(*c, "x.md", kHrLeave, "nope", kHrKey).status, 403);
  EXPECT_EQ(Upload(*c, "x.md", kHrLeave, "Bad!", kHrKey).status, 400);
  EXPECT_EQ(Upload(*c, "x.md", kHrLeave, "hr", kHrReadKey).status, 403);
  EXPECT_EQ(Upload(*c, "x.md", kHrLeave, "nope", kAdminKey).status, 404);
  audited += 5;

  // Search: the body's workspace, echoed; the key's default otherwise.
  const json q = {{"query", "leave policy budget"}};
  Reply s = Post(*c, "/v1/search", q, kHrKey);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.Json()["query"], "leave policy budget");
  EXPECT_EQ(s.Json()["workspace"], "hr");
  EXPECT_EQ(s.Json()["results"].size(), 2u);
  EXPECT_EQ(Post(*c, "/v1/search", {{"query", "budget"}, {"workspace", "fin"}}, kHrKey).status,
            403);
  EXPECT_EQ(Post(*c, "/v1/search", {{"query", "budget"}, {"workspace", "nope"}}, kHrKey).status,
            403);
  EXPECT_EQ(Post(*c, "/v1/search", {{"query", "budget"}, {"workspace", "nope"}}, kAdminKey).status,
            404);
  EXPECT_EQ(Post(*c, "/v1/search", {{"query", "budget"}, {"workspace", 7}}, kHrKey).status, 400);
  audited += 4;  // the first search and three refusals; a non-string field is a plain 400
  Reply fin_search = Post(*c, "/v1/search", {{"query", "budget"}, {"workspace", "fin"}}, kFinKey);
  ASSERT_EQ(fin_search.status, 200);
  EXPECT_NE(fin_search.body.find(kMarker), std::string::npos) << "fin finds its own text";
  audited += 1;

  // Ask, plain and streamed: a question only finance's documents answer is not found in hr.
  Reply asked = Post(*c, "/v1/ask", {{"question", "What is the budget for travel?"}}, kHrKey);
  ASSERT_EQ(asked.status, 200);
  EXPECT_FALSE(asked.Json()["found"].get<bool>()) << asked.body;
  EXPECT_EQ(asked.Json()["workspace"], "hr");
  EXPECT_EQ(Post(*c, "/v1/ask", {{"question", "budget?"}, {"workspace", "fin"}}, kHrKey).status,
            403);
  EXPECT_EQ(
      Post(*c, "/v1/ask", {{"question", "budget?"}, {"workspace", "fin"}, {"stream", true}}, kHrKey)
          .status,
      403);
  Reply streamed =
      Post(*c, "/v1/ask",
           {{"question", "How many days of annual leave?"}, {"workspace", "hr"}, {"stream", true}},
           kHrReadKey);
  ASSERT_EQ(streamed.status, 200);
  bool done = false;
  for (const auto& [name, data] : ParseSse(streamed.body)) {
    if (name == "done") done = data["found"].get<bool>();
  }
  EXPECT_TRUE(done) << streamed.body;
  Reply fin_ask = Post(*c, "/v1/ask", {{"question", "What is the travel budget?"}}, kFinKey);
  ASSERT_EQ(fin_ask.status, 200);
  EXPECT_TRUE(fin_ask.Json()["found"].get<bool>()) << fin_ask.body;
  audited += 5;

  // Documents: listing, reading and deleting another team's document.
  Reply list = Get(*c, "/v1/documents", kHrKey);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json()["workspace"], "hr");
  EXPECT_EQ(list.Json()["documents"].size(), 2u);
  EXPECT_EQ(Get(*c, "/v1/documents?workspace=fin", kHrKey).status, 403);
  EXPECT_EQ(Get(*c, "/v1/documents?workspace=fin", kFinKey).Json()["documents"].size(), 1u);
  EXPECT_EQ(Get(*c, "/v1/documents/" + std::to_string(fin_doc), kHrKey).status, 404);
  EXPECT_EQ(Delete(*c, "/v1/documents/" + std::to_string(fin_doc), kHrKey).status, 404);
  EXPECT_EQ(Get(*c, "/v1/uploads/" + std::to_string(fin_job), kHrKey).status, 404);
  EXPECT_EQ(Get(*c, "/v1/uploads/" + std::to_string(fin_job), kFinKey).status, 200);
  const int64_t hr_doc = list.Json()["documents"][0]["id"];
  EXPECT_EQ(Delete(*c, "/v1/documents/" + std::to_string(hr_doc), kHrReadKey).status, 403);
  audited += 2;

  // Workspaces: each key lists only its own; only the admin removes one.
  Reply spaces = Get(*c, "/v1/workspaces", kHrKey);
  ASSERT_EQ(spaces.status, 200);
  ASSERT_EQ(spaces.Json()["workspaces"].size(), 1u);
  EXPECT_EQ(spaces.Json()["workspaces"][0]["name"], "hr");
  EXPECT_EQ(Get(*c, "/v1/workspaces", kAdminKey).Json()["workspaces"].size(), 3u);
  EXPECT_EQ(Delete(*c, "/v1/workspaces/fin", kHrKey).status, 403);
  EXPECT_EQ(Delete(*c, "/v1/workspaces/default", kAdminKey).status, 400);
  audited += 2;

  // The OpenAI API: docent-rag:NAME, and the models each key may pick.
  Reply models = Get(*c, "/v1/models", kHrKey);
  std::vector<std::string> ids;
  const json model_list = models.Json();
  for (const json& m : model_list["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(models.status, 200) << models.body;
  EXPECT_EQ(ids, (std::vector<std::string>{"docent-rag", "docent-rag:hr"}));
  const json chat_fin = {{"model", "docent-rag:fin"},
                         {"messages", {{{"role", "user"}, {"content", "What is the budget?"}}}}};
  Reply denied = Post(*c, "/v1/chat/completions", chat_fin, kHrKey);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Json()["error"]["type"], "permission_error");
  EXPECT_EQ(
      Post(*c, "/v1/completions", {{"model", "docent-rag:fin"}, {"prompt", "budget?"}}, kHrKey)
          .status,
      403);
  EXPECT_EQ(
      Post(*c, "/v1/completions", {{"model", "docent-rag:Bad!"}, {"prompt", "budget?"}}, kHrKey)
          .status,
      400);
  audited += 2;
  const json chat_hr = {
      {"model", "docent-rag"},
      {"messages", {{{"role", "user"}, {"content", "What is the budget for travel?"}}}}};
  Reply rag = Post(*c, "/v1/chat/completions", chat_hr, kHrKey);
  ASSERT_EQ(rag.status, 200) << rag.body;
  EXPECT_EQ(rag.Json()["model"], "docent-rag");
  Reply rag_fin = Post(*c, "/v1/chat/completions", chat_fin, kFinKey);
  ASSERT_EQ(rag_fin.status, 200) << rag_fin.body;
  EXPECT_EQ(rag_fin.Json()["model"], "docent-rag:fin");
  EXPECT_NE(rag_fin.body.find("40000"), std::string::npos) << rag_fin.body;
  audited += 3;

  // A key may name a workspace made later: 404 until the admin makes it, then served.
  EXPECT_EQ(Post(*c, "/v1/search", {{"query", "leave"}}, kLegalKey).status, 404);
  EXPECT_EQ(Post(*c, "/v1/workspaces", {{"name", "legal"}}, kAdminKey).status, 201);
  Reply legal = Post(*c, "/v1/search", {{"query", "leave"}}, kLegalKey);
  EXPECT_EQ(legal.status, 200);
  EXPECT_TRUE(legal.Json()["results"].empty());
  audited += 3;

  // Removing a workspace takes its documents; hr is untouched.
  Reply removed = Delete(*c, "/v1/workspaces/fin", kAdminKey);
  ASSERT_EQ(removed.status, 200);
  EXPECT_EQ(removed.Json()["documents"], 1);
  EXPECT_EQ(Get(*c, "/v1/documents/" + std::to_string(fin_doc), kAdminKey).status, 404);
  EXPECT_EQ(Results(Post(*c, "/v1/search", q, kHrKey)), Results(s));
  audited += 2;

  // The audit trail: one line per audited action, valid JSON, key ids and never a key.
  a.Terminate();
  std::ifstream in(audit_);
  std::stringstream all;
  all << in.rdbuf();
  const std::string log = all.str();
  for (const char* key : {kHrKey, kFinKey, kHrReadKey, kAdminKey, kLegalKey}) {
    EXPECT_EQ(log.find(key), std::string::npos) << "the audit log holds a key";
  }
  int lines = 0;
  std::istringstream rows(log);
  for (std::string line; std::getline(rows, line);) {
    ++lines;
    const json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    for (const char* field :
         {"time", "key", "workspace", "action", "question", "documents", "status"}) {
      EXPECT_TRUE(j.contains(field)) << field << " missing: " << line;
    }
    EXPECT_TRUE(j["key"].is_string() && j["key"].get<std::string>().rfind("k-", 0) == 0) << line;
  }
  EXPECT_EQ(lines, audited) << log;
}

TEST_F(WorkspacesTest, AWorkspaceAnswersAsAServerHoldingItAlone) {
  // Server A holds hr beside fin; server B holds hr alone, uploaded the same way. Both have a
  // model (and no answer cache), so the model's answers are compared too.
  const std::vector<std::string> args = {
      "--model", (testing::SharedDir() / "models/stories260K.gguf").string(), "--answer-cache-mb",
      "0"};
  ServerProcess a((dir_ / "a").string(), args);
  ServerProcess b((dir_ / "b").string(), args);
  ASSERT_TRUE(a.started() && b.started());
  auto ca = a.Client();
  auto cb = b.Client();
  for (auto* c : {ca.get(), cb.get()}) {
    ASSERT_EQ(Post(*c, "/v1/workspaces", {{"name", "hr"}}, nullptr).status, 201);
  }
  ASSERT_EQ(Post(*ca, "/v1/workspaces", {{"name", "fin"}}, nullptr).status, 201);
  // Interleaved on A: fin's documents go in between hr's.
  ASSERT_EQ(Upload(*ca, "budget.md", kFinBudget, "fin", nullptr).status, 200);
  ASSERT_EQ(Upload(*ca, "leave.md", kHrLeave, "hr", nullptr).status, 200);
  ASSERT_EQ(
      Upload(*ca, "budget2.md", kFinBudget + std::string("More leave policy.\n"), "fin", nullptr)
          .status,
      200);
  ASSERT_EQ(Upload(*ca, "sick.md", kHrSick, "hr", nullptr).status, 200);
  ASSERT_EQ(Upload(*cb, "leave.md", kHrLeave, "hr", nullptr).status, 200);
  ASSERT_EQ(Upload(*cb, "sick.md", kHrSick, "hr", nullptr).status, 200);
  for (const char* query :
       {"leave policy", "budget leave", "annual leave days", "doctor note", "policy"}) {
    const json body = {{"query", query}, {"workspace", "hr"}};
    const Reply ra = Post(*ca, "/v1/search", body, nullptr);
    const Reply rb = Post(*cb, "/v1/search", body, nullptr);
    ASSERT_EQ(ra.status, 200);
    EXPECT_EQ(Results(ra), Results(rb)) << query;
    EXPECT_FALSE(Results(ra).empty()) << query << ra.body;
  }
  for (const char* question : {"How many days of annual leave?", "What is the travel budget?",
                               "When is a doctor's note needed?"}) {
    const json body = {
        {"question", question}, {"workspace", "hr"}, {"max_tokens", testing::kAnswerTokens}};
    const json ja = Post(*ca, "/v1/ask", body, nullptr).Json();
    const json jb = Post(*cb, "/v1/ask", body, nullptr).Json();
    EXPECT_EQ(ja["answer"], jb["answer"]) << question;
    EXPECT_EQ(ja["found"], jb["found"]) << question;
    ASSERT_EQ(ja["citations"].size(), jb["citations"].size()) << question;
    for (size_t i = 0; i < ja["citations"].size(); ++i) {
      EXPECT_EQ(ja["citations"][i]["text"], jb["citations"][i]["text"]) << question;
      EXPECT_EQ(ja["citations"][i]["source"], jb["citations"][i]["source"]) << question;
    }
    EXPECT_EQ(ja["mode"], "generative");
    EXPECT_EQ(ja["usage"], jb["usage"]) << question;
  }
}

}  // namespace
}  // namespace docent
