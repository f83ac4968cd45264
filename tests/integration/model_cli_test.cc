// The model commands through the real binary: `docent generate` streams llama.cpp's greedy
// continuation of a prompt on stories260K and reports its speed; `docent bench --json` prints
// the keys benchmarks read; bad models and flags fail with exit codes and messages that say
// what was wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Stories() {
  return (testing::SharedDir() / "models/stories260K.gguf").string();
}

TEST(ModelCliTest, GenerateStreamsTheGreedyContinuation) {
  const testing::RunResult r =
      testing::RunDocent({"generate", "-m", Stories(), "-p", "Once upon a time", "-n", "20"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // llama.cpp's greedy continuation of this prompt (tests/llm/forward_test.cc has its ids).
  EXPECT_THAT(r.out, StartsWith(", there was a little girl named Lily. She loved to play"));
  EXPECT_THAT(r.err, HasSubstr("prompt: 5 tokens"));
  EXPECT_THAT(r.err, HasSubstr("generation: 20 tokens"));
  EXPECT_THAT(r.err, HasSubstr("peak memory:"));
}

TEST(ModelCliTest, SeededSamplingRepeatsAndDiffersAcrossSeeds) {
  auto run = [](const std::string& seed) {
    const testing::RunResult r =
        testing::RunDocent({"generate", "-m", Stories(), "-p", "Lily and Tom", "-n", "24", "--temp",
                            "1.0", "--top-k", "40", "--seed", seed});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string a = run("7");
  EXPECT_EQ(a, run("7"));
  EXPECT_NE(a, run("8"));
}

TEST(ModelCliTest, BenchJsonHasTheKeysBenchmarksRead) {
  const testing::RunResult r = testing::RunDocent(
      {"bench", "-m", Stories(), "-p", "32", "-n", "8", "--reps", "1", "--threads", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  for (const char* key : {"pp_tok_s", "tg_tok_s", "peak_rss_mb"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_GT(j[key].get<double>(), 0.0) << key;
  }
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["n_prompt"], 32);
  EXPECT_EQ(j["parallel"], 1);
}

TEST(ModelCliTest, BenchParallelDecodesSequencesTogether) {
  const testing::RunResult r =
      testing::RunDocent({"bench", "-m", Stories(), "-p", "16", "-n", "8", "--reps", "1",
                          "--threads", "1", "--parallel", "4", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["parallel"], 4);
  EXPECT_GT(j["tg_tok_s"].get<double>(), 0.0);
  const testing::RunResult bad = testing::RunDocent({"bench", "-m", Stories(), "--parallel", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--parallel"));
}

TEST(ModelCliTest, BadModelsAndFlagsAreReported) {
  testing::TempDir dir;
  const std::string missing = (dir / "nope.gguf").string();
  testing::RunResult r = testing::RunDocent({"generate", "-m", missing, "-p", "hi"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope.gguf"));

  const std::string junk =
      dir.Write("junk.gguf", std::string("GGUF\x03\x00\x00\x00junk", 12)).string();
  r = testing::RunDocent({"bench", "-m", junk});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("junk.gguf"));

  r = testing::RunDocent({"generate", "-m", Stories(), "-p", "hi", "--temp", "-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("temperature"));
  r = testing::RunDocent({"generate", "-m", Stories()});
  EXPECT_EQ(r.exit_code, 2);
  r = testing::RunDocent({"bench", "-m", Stories(), "--kernels", "neon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--kernels"));
}

}  // namespace
}  // namespace docent
