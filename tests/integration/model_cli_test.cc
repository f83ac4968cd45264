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

// The last line is one JSON object with the fidelity keys. Recomputing every position is, by
// construction, the cold prefill itself (bit-identical logits): full agreement and zero KL.
TEST(ModelCliTest, KvFidelityReportsTheKeysAndAllRecomputedIsExact) {
  auto last_json = [](const std::string& out) {
    const size_t start = out.rfind('\n', out.size() - 2);
    return nlohmann::json::parse(out.substr(start == std::string::npos ? 0 : start + 1), nullptr,
                                 /*allow_exceptions=*/false);
  };
  const testing::RunResult all = testing::RunDocent(
      {"kv-fidelity", "-m", Stories(), "--contexts", "3", "--recompute", "all", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const nlohmann::json a = last_json(all.out);
  ASSERT_FALSE(a.is_discarded()) << all.out;
  EXPECT_EQ(a["top1_agreement"].get<double>(), 1.0);
  EXPECT_EQ(a["kl_mean"].get<double>(), 0.0);
  EXPECT_EQ(a["first_divergence_mean"].get<double>(), 32.0);
  EXPECT_EQ(a["recompute_fraction"].get<double>(), 1.0);

  const testing::RunResult fast =
      testing::RunDocent({"kv-fidelity", "-m", Stories(), "--contexts", "3"});
  ASSERT_EQ(fast.exit_code, 0) << fast.err;
  const nlohmann::json f = last_json(fast.out);
  ASSERT_FALSE(f.is_discarded()) << fast.out;
  for (const char* key :
       {"top1_agreement", "kl_mean", "kl_p95", "first_divergence_mean", "recompute_fraction"}) {
    ASSERT_TRUE(f.contains(key)) << key;
  }
  EXPECT_LT(f["recompute_fraction"].get<double>(), 1.0);
  EXPECT_GT(f["recompute_fraction"].get<double>(), 0.0);
  EXPECT_EQ(testing::RunDocent({"kv-fidelity"}).exit_code, 2);
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
