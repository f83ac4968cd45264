// The generators file: every field read, keys only from files and the environment, and each
// mistake named by entry and field.
#include "docent/remote/generators_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "support/temp_dir.h"

namespace docent::remote {
namespace {

const char* NoEnv(const char*) {
  return nullptr;
}

TEST(GeneratorsFileTest, ReadsEveryFieldWithKeysFromAFileAndTheEnvironment) {
  testing::TempDir dir;
  const std::string key_file = (dir.path() / "key").string();
  std::ofstream(key_file) << "sk-from-file\n";
  const std::string text = R"([
    {"url": "http://gen1:8080/v1", "model": "qwen", "api_key_file": ")" +
                           key_file + R"(",
     "max_concurrent": 8, "timeout_s": 60, "context_length": 8192},
    {"url": "https://res.openai.azure.com/openai/deployments/gpt4o-mini",
     "api_key_env": "AZURE_KEY", "azure_api_version": "2024-10-21"}
  ])";
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "AZURE_KEY" ? "az-from-env" : nullptr;
  };
  auto parsed = ParseGeneratorsFile(text, env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 2u);
  const EndpointConfig& a = (*parsed)[0];
  EXPECT_EQ(a.url, "http://gen1:8080/v1");
  EXPECT_EQ(a.model, "qwen");
  EXPECT_EQ(a.api_key, "sk-from-file");
  EXPECT_EQ(a.max_concurrent, 8u);
  EXPECT_EQ(a.timeout_s, 60);
  EXPECT_EQ(a.context_length, 8192u);
  const EndpointConfig& b = (*parsed)[1];
  EXPECT_EQ(b.api_key, "az-from-env");
  EXPECT_EQ(b.azure_api_version, "2024-10-21");
  EXPECT_EQ(b.model, "gpt4o-mini") << "the deployment is the model";
  EXPECT_EQ(b.max_concurrent, 4u) << "the default";
}

TEST(GeneratorsFileTest, EachMistakeIsNamed) {
  const std::map<std::string, std::string> cases = {
      {"{}", "non-empty JSON list"},
      {"[", "not valid JSON"},
      {R"([{"model": "m"}])", "generators[0] needs \"url\""},
      {R"([{"url": "http://a/v1", "api_key": "sk-x"}])", "unknown field \"api_key\""},
      {R"([{"url": "ftp://a/v1"}])", "http:// or https://"},
      {R"([{"url": "http://a/v1", "max_concurrent": 0}])", "\"max_concurrent\" must be"},
      {R"([{"url": "http://a/v1", "api_key_env": "NOPE"}])", "NOPE (api_key_env) is not set"},
      {R"([{"url": "http://a/v1", "api_key_file": "/nonexistent/key"}])",
       "cannot read the API key file"},
      {R"([{"url": "http://a/v1", "api_key_env": "A", "api_key_file": "B"}])", "not both"},
      {R"([{"url": "https://x.openai.azure.com/openai", "azure_api_version": "v"}])",
       "names its deployment"},
  };
  for (const auto& [text, message] : cases) {
    auto parsed = ParseGeneratorsFile(text, NoEnv);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_THAT(parsed.status().message(), ::testing::HasSubstr(message)) << text;
  }
}

}  // namespace
}  // namespace docent::remote
