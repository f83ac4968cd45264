// Differential tests of docent's forward pass (the batched engine) against llama.cpp, run live:
// each test starts tests/oracle/oracle.mjs (node-llama-cpp's prebuilt llama.cpp) on the same GGUF
// file and compares
//   * the greedy continuation, token for token (exact), and
//   * for the first steps, the oracle's top-10 next-token probabilities with the softmax of
//     docent's logits for the same tokens (absolute tolerance, below).
// The oracle runs llama.cpp's classic attention (F16 cache, f32 sums, flash attention off).
// Models: the real stories260K (llama, F32, SentencePiece) from ../shared/models, and
// synthetic qwen2 / qwen3 / exaone / llama models written by model_synth.h with
// stories260K's vocabulary, in every tensor type (F32 ... Q6_K). The oracle needs `npm install
// --omit=optional` in tests/oracle; without it these tests fail, naming the install step.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/kernels/kernels.h"
#include "docent/llm/model.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_synth.h"
#include "docent/llm/model_weights.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/sampler.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

namespace fs = std::filesystem;

// Synthetic models agree to ~1e-5 (measured max 7.4e-6). stories260K is far more sensitive
// to rounding: llama.cpp's own flash-attention and classic paths differ by 1.0e-3 on it, and
// docent stays within 3.5e-4 of the classic path over 80-token continuations (2.9e-6 on
// "Once upon a time"); the remainder grows with the context and is float-rounding order in
// the F16 attention products, not a modelling difference (greedy tokens all agree).
constexpr double kSynthProbTolerance = 1e-4;
constexpr double kStoriesProbTolerance = 5e-4;
// The other tensor types (both engines quantise or round the activations the same way:
// llama.cpp's formats, kernels/internal.h). F16/BF16 keep the 2e-3 (measured at most
// 1.8e-4 flat, 7.3e-4 peaked). The quantised types were held to the 0.02, but the flat
// models measure at most 2.5e-3 against the pinned llama.cpp, on every CPU (docent's SIMD paths
// are bit-identical and llama.cpp is pinned to one build), and at 0.02 a Q4_K engine that
// swapped two sub-block scales went unnoticed (max |dp| 0.0157); 0.01 keeps 4x headroom over
// the measured spread and catches it (OracleFaultTest below).
constexpr double kHalfProbTolerance = 2e-3;
constexpr double kQuantProbTolerance = 0.01;

double ToleranceFor(GgmlType type) {
  switch (type) {
    case GgmlType::kF32:
      return kSynthProbTolerance;
    case GgmlType::kF16:
    case GgmlType::kBF16:
      return kHalfProbTolerance;
    default:
      return kQuantProbTolerance;
  }
}

struct OracleStep {
  uint32_t position = 0;
  std::vector<std::pair<uint32_t, double>> top;  // (token, probability), most likely first
};

struct OracleResult {
  std::string cpu_build;  // the ggml CPU library llama.cpp loaded
  std::vector<uint32_t> prompt_ids;
  std::vector<uint32_t> greedy_ids;
  std::vector<OracleStep> steps;
};

constexpr const char* kPinnedCpuBuild = "haswell";

// What the run compared, printed once at the end (the binary runs as one ctest test so the
// summary covers every case): the CPU, docent's kernel path, llama.cpp's CPU build, and the
// largest |dp| per tensor type in each suite.
struct Summary {
  std::set<std::string> cpu_builds;
  // (suite, type) -> (largest |dp|, cases)
  std::map<std::pair<std::string, std::string>, std::pair<double, int>> max_dp;

  void Add(const std::string& suite, const std::string& type, double dp) {
    auto& [worst, cases] = max_dp[{suite, type}];
    worst = std::max(worst, dp);
    ++cases;
  }
};

Summary& TheSummary() {
  static Summary* summary = new Summary();
  return *summary;
}

// "model name (family F, model M)": a hypervisor may show only "AMD EPYC" as the name.
std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, name = "unknown", family = "?", model = "?";
  while (std::getline(in, line) && !line.empty()) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon + 2 > line.size()) continue;
    const std::string value = line.substr(colon + 2);
    if (line.starts_with("model name")) name = value;
    if (line.starts_with("cpu family")) family = value;
    if (line.starts_with("model\t")) model = value;
  }
  return name + " (family " + family + ", model " + model + ")";
}

// The CPU features that choose a kernel path, as the kernel lists them.
std::string CpuFlags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("flags")) continue;
    std::string out;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::string w;
    while (words >> w) {
      if (w == "avx2" || w == "fma" || w == "f16c" || w.starts_with("avx512") || w == "avx_vnni" ||
          w == "amx_int8") {
        out += (out.empty() ? "" : " ") + w;
      }
    }
    return out;
  }
  return "unknown";
}

class SummaryPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    const Summary& s = TheSummary();
    std::string builds;
    for (const std::string& b : s.cpu_builds) builds += (builds.empty() ? "" : ", ") + b;
    std::cout << "[ oracle summary ] CPU: " << CpuModel() << "\n"
              << "[ oracle summary ] CPU flags: " << CpuFlags() << "\n"
              << "[ oracle summary ] docent kernels: " << kernels::IsaName(kernels::BestIsa())
              << "; llama.cpp CPU build: " << (builds.empty() ? "none ran" : builds) << "\n";
    for (const auto& [key, value] : s.max_dp) {
      std::cout << "[ oracle summary ] " << key.first << " " << key.second << ": max |dp| "
                << value.first << " over " << value.second << " case(s)\n";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kSummaryPrinter =
    ::testing::AddGlobalTestEnvironment(new SummaryPrinter());

fs::path OracleDir() {
  return testing::SourceDir() / "tests/oracle";
}

std::string FindNode() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir) / "node";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// Empty when the oracle can run; otherwise why not.
std::string OracleUnavailableReason() {
  if (FindNode().empty()) return "node is not on PATH";
  if (!fs::exists(OracleDir() / "node_modules/node-llama-cpp/package.json")) {
    return "node-llama-cpp is not installed (cd tests/oracle && npm install --omit=optional)";
  }
  return "";
}

// A differential test never passes by skipping: without the oracle it fails and says how
// to install it.
#define REQUIRE_ORACLE()                                  \
  do {                                                    \
    const std::string why = OracleUnavailableReason();    \
    if (!why.empty())                                     \
      FAIL() << "llama.cpp oracle unavailable: " << why   \
             << " (scripts/install-deps.sh installs it)"; \
  } while (0)

// `prompt` is either "ids:1,2,3" or text for llama.cpp to tokenise.
OracleResult RunOracle(const fs::path& model, const std::string& prompt, int n_generate,
                       int prob_steps, bool ignore_eos = false) {
  std::vector<std::string> argv = {FindNode(), (OracleDir() / "oracle.mjs").string(),
                                   model.string()};
  if (prompt.starts_with("ids:")) {
    argv.insert(argv.end(), {"--ids", prompt.substr(4)});
  } else {
    argv.insert(argv.end(), {"--text", prompt});
  }
  argv.insert(argv.end(), {"--n", std::to_string(n_generate), "--prob-steps",
                           std::to_string(prob_steps), "--top-k", "10", "--threads", "1"});
  if (ignore_eos) argv.push_back("--ignore-eos");
  const testing::RunResult run = testing::Run(argv);
  OracleResult r;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  if (run.exit_code != 0) return r;
  const nlohmann::json j = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << run.out;
  if (j.is_discarded()) return r;
  r.cpu_build = j.value("cpu_build", "");
  TheSummary().cpu_builds.insert(r.cpu_build);
  // One reference on every CPU (issue 12): scripts/install-deps.sh leaves llama.cpp only its
  // haswell build (AVX2), so an AVX-512 machine is not compared with other sums.
  EXPECT_EQ(r.cpu_build, kPinnedCpuBuild)
      << "llama.cpp loaded its " << r.cpu_build << " CPU build; run scripts/install-deps.sh, "
      << "which pins the oracle to " << kPinnedCpuBuild;
  r.prompt_ids = j["prompt_ids"].get<std::vector<uint32_t>>();
  r.greedy_ids = j["greedy_ids"].get<std::vector<uint32_t>>();
  for (const auto& step : j["steps"]) {
    OracleStep s;
    s.position = step["position"].get<uint32_t>();
    for (const auto& pair : step["top"])
      s.top.emplace_back(pair[0].get<uint32_t>(), pair[1].get<double>());
    r.steps.push_back(std::move(s));
  }
  return r;
}

std::vector<double> Softmax(const std::vector<float>& logits) {
  double max = logits[0];
  for (float v : logits) max = std::max(max, static_cast<double>(v));
  std::vector<double> p(logits.size());
  double sum = 0.0;
  for (size_t i = 0; i < logits.size(); ++i) sum += (p[i] = std::exp(logits[i] - max));
  for (double& v : p) v /= sum;
  return p;
}

struct Differences {
  double max_abs_prob = 0.0;
  size_t compared_probs = 0;
  size_t compared_tokens = 0;
  size_t equal_tokens = 0;
  size_t ties = 0;  // steps where llama.cpp's top two are closer than the tolerance
  double max_abs_prob_first4 = 0.0;  // over the first 4 probability steps
  size_t prob_steps = 0;
  size_t peaked_steps = 0;  // steps where llama.cpp's top-1 probability is >= 0.3
};

// Teacher-forces the oracle's prompt and continuation through docent, checking each argmax
// against the oracle's greedy token and each of the oracle's probability steps; then checks
// GreedyGenerate end to end.
//
// A tie is not a disagreement: where docent's choice differs from llama.cpp's and llama.cpp
// itself gives the two tokens probabilities closer than the engines' measured difference at
// that step (and within `tie_margin`, the tolerance allowed between them), either is a
// correct greedy choice, and which one wins is rounding.
// Such steps need the oracle's probabilities for every step (prob_steps > n_generate); they
// are counted and reported, and the end-to-end comparison stops at the first one, where the
// two continuations may part. With tie_margin 0 every step must agree.
Differences Compare(Model& model, const OracleResult& oracle, double tolerance,
                    double tie_margin = 0.0, bool ignore_eos = false,
                    size_t checked_steps = SIZE_MAX) {
  Differences d;
  EXPECT_FALSE(oracle.prompt_ids.empty());
  if (oracle.prompt_ids.empty()) return d;
  std::vector<uint32_t> input = oracle.prompt_ids;
  input.insert(input.end(), oracle.greedy_ids.begin(), oracle.greedy_ids.end());
  model.ResetSequence(0);
  size_t step = 0;
  size_t first_tie = oracle.greedy_ids.size();
  for (uint32_t pos = 0; pos < input.size(); ++pos) {
    auto logits = model.Forward(0, input[pos], pos);
    EXPECT_TRUE(logits.ok()) << logits.status().ToString();
    if (!logits.ok()) return d;
    const size_t generated = pos + 1 - oracle.prompt_ids.size();  // tokens known so far
    if (pos + 1 < oracle.prompt_ids.size()) continue;
    const OracleStep* s = step < oracle.steps.size() ? &oracle.steps[step++] : nullptr;
    double step_max_dp = 0.0;
    if (s != nullptr) {
      EXPECT_EQ(s->position, pos + 1);
      ++d.prob_steps;
      if (!s->top.empty() && s->top[0].second >= 0.3) ++d.peaked_steps;
      const std::vector<double> p = Softmax(*logits);
      for (const auto& [token, prob] : s->top) {
        const double diff = std::abs(p.at(token) - prob);
        d.max_abs_prob = std::max(d.max_abs_prob, diff);
        step_max_dp = std::max(step_max_dp, diff);
        if (step <= 4) d.max_abs_prob_first4 = std::max(d.max_abs_prob_first4, diff);
        if (step > checked_steps) continue;
        ++d.compared_probs;
        EXPECT_LE(diff, tolerance) << "position " << pos + 1 << " token " << token << ": docent "
                                   << p[token] << ", llama.cpp " << prob;
      }
    }
    if (generated >= oracle.greedy_ids.size()) continue;
    ++d.compared_tokens;
    const uint32_t mine = ArgMax(*logits);
    const uint32_t theirs = oracle.greedy_ids[generated];
    if (mine == theirs) {
      ++d.equal_tokens;
      continue;
    }
    double p_mine = -1.0, p_theirs = -1.0;
    if (s != nullptr) {
      for (const auto& [token, prob] : s->top) {
        if (token == mine) p_mine = prob;
        if (token == theirs) p_theirs = prob;
      }
    }
    // A flip is a tie when the two engines' measured disagreement at this very step (twice
    // the largest |dp| over its top tokens) covers llama.cpp's gap between the two tokens.
    if (tie_margin > 0 && p_mine >= 0 && p_theirs >= 0 &&
        p_theirs - p_mine <= std::min(tie_margin, 2 * step_max_dp)) {
      ++d.ties;
      first_tie = std::min(first_tie, generated);
      continue;
    }
    ADD_FAILURE() << "at generated token " << generated << ": docent " << mine << " (llama.cpp p "
                  << p_mine << "), llama.cpp " << theirs << " (p " << p_theirs << ")";
  }
  GreedyOptions options;
  options.max_new_tokens = static_cast<uint32_t>(oracle.greedy_ids.size());
  options.stop_at_eos = !ignore_eos;
  auto greedy = GreedyGenerate(model, oracle.prompt_ids, options);
  EXPECT_TRUE(greedy.ok()) << greedy.status().ToString();
  if (greedy.ok()) {
    // Up to the first tie (the whole continuation when there is none).
    const std::vector<uint32_t> want(oracle.greedy_ids.begin(),
                                     oracle.greedy_ids.begin() + first_tie);
    const std::vector<uint32_t> got(greedy->begin(),
                                    greedy->begin() + std::min(first_tie, greedy->size()));
    EXPECT_EQ(got, want);
  }
  return d;
}

fs::path Stories() {
  return testing::SharedDir() / "models/stories260K.gguf";
}

class StoriesOracleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(StoriesOracleTest, ModelMatchesLlamaCppGreedyAndProbabilities) {
  REQUIRE_ORACLE();
  const OracleResult oracle = RunOracle(Stories(), GetParam(), /*n_generate=*/80, /*prob_steps=*/8);
  ASSERT_FALSE(oracle.greedy_ids.empty());
  auto model = Model::Load(Stories());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Differences d = Compare(**model, oracle, kStoriesProbTolerance);
  EXPECT_GE(d.compared_tokens, 64u) << "the oracle stopped early at an end-of-text token";
  TheSummary().Add("stories260K (all steps)", "F32", d.max_abs_prob);
  std::cout << "[ stories260K ] \"" << GetParam() << "\": " << d.compared_tokens
            << " greedy tokens equal, max |dp| " << d.max_abs_prob << " over " << d.compared_probs
            << " probabilities\n";
}

INSTANTIATE_TEST_SUITE_P(Prompts, StoriesOracleTest,
                         ::testing::Values("Once upon a time", "Lily and Tom went to the park",
                                           "The little dog was sad because", "One day, a big bear",
                                           "ids:1,300,301,302,303,304"));

struct SynthCase {
  std::string label;
  SynthModelSpec spec;
  bool peaked = false;  // logit_scale 6: llama.cpp's top-1 probability >= 0.3 at most steps
};

// The peaked models' probability bounds, over the first 4 steps (the measure). F32,
// F16 and BF16 meet the bars. For the quantised types the engines feed the same
// integers to the same products (llama.cpp's activation formats, kernels/internal.h), and
// most cases agree to ~1e-6; but a float computed in another order (a sum, an exp) that
// lands on the other side of an 8-bit rounding boundary moves that activation by one unit,
// ~1e-3 of the next product, which re-rounds a quarter of the next layer's activations:
// from there the two passes differ by the 8-bit noise itself. Measured at logit_scale 6:
// 21 of 32 cases within the 0.02 (18 of them at 2e-6 or less), 11 at 0.021-0.060. No
// engine that sums in another order than llama.cpp can avoid that, so the bound here is
// that noise level; the flat suite holds the quantised types to the 0.02 at every
// step (measured at most 2.5e-3).
constexpr double kPeakedQuantProbTolerance = 0.1;

double PeakedToleranceFor(GgmlType type) {
  switch (type) {
    case GgmlType::kF32:
    case GgmlType::kF16:
    case GgmlType::kBF16:
      return ToleranceFor(type);
    default:
      return kPeakedQuantProbTolerance;
  }
}

// gtest prints a parameter with this (instead of its bytes) when a case is listed or fails.
void PrintTo(const SynthCase& c, std::ostream* os) {
  *os << c.label << (c.peaked ? " (peaked)" : " (flat)");
}

// Writes the model `spec` describes, runs llama.cpp on it (32 greedy tokens after a fixed
// prompt, probabilities at every step) and hands back the file's bytes for docent.
OracleResult OracleOnSynthModel(const SynthModelSpec& spec, std::vector<uint8_t>* bytes) {
  auto vocab = GgufFile::Open(Stories());
  EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
  if (!vocab.ok()) return {};
  auto writer = BuildSynthModel(spec, *vocab);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  *bytes = writer->Serialize();
  testing::TempDir dir;
  const fs::path path = dir / "model.gguf";
  EXPECT_TRUE(writer->WriteFile(path).ok());
  return RunOracle(path, "ids:1,17,300,45,211,99,480,5,260,77,140", /*n_generate=*/32,
                   /*prob_steps=*/33, /*ignore_eos=*/true);
}

class SynthOracleTest : public ::testing::TestWithParam<SynthCase> {};

TEST_P(SynthOracleTest, ForwardMatchesLlamaCpp) {
  REQUIRE_ORACLE();
  const SynthCase& c = GetParam();
  std::vector<uint8_t> bytes;
  const OracleResult oracle = OracleOnSynthModel(c.spec, &bytes);
  ASSERT_FALSE(oracle.steps.empty());
  auto file = GgufFile::FromBytes(bytes, c.label + ".gguf");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto model = Model::FromFile(std::move(file).value());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const double tolerance =
      c.peaked ? PeakedToleranceFor(c.spec.weight_type) : ToleranceFor(c.spec.weight_type);
  const Differences d = Compare(**model, oracle, tolerance, /*tie_margin=*/tolerance,
                                /*ignore_eos=*/true, c.peaked ? 4 : SIZE_MAX);
  EXPECT_GE(d.compared_tokens, 32u) << "the oracle stopped early";
  EXPECT_LE(d.ties, 4u) << "too many near-ties for a meaningful test";
  if (c.peaked) {
    EXPECT_GE(3 * d.peaked_steps, 2 * d.prob_steps) << "the model is not peaked";
  }
  const std::string type(GgmlTypeName(c.spec.weight_type));
  if (c.peaked) {
    TheSummary().Add("peaked (first 4 steps)", type, d.max_abs_prob_first4);
  } else {
    TheSummary().Add("flat (all 33 steps)", type, d.max_abs_prob);
  }
  std::cout << "[ " << c.label << " ] " << d.equal_tokens << "/" << d.compared_tokens
            << " greedy tokens equal (" << d.ties << " near-ties), max |dp| " << d.max_abs_prob
            << " over 33 steps, " << d.max_abs_prob_first4 << " over the first 4; top-1 >= 0.3 at "
            << d.peaked_steps << "/" << d.prob_steps << " steps\n";
}

// Every architecture in every tensor type docent computes with, flat (logit_scale 1: every
// step is held to the bars) or peaked (logit_scale 6: top-1 >= 0.3 at 26-33 of 33
// steps, measured).
std::vector<SynthCase> AllSynthCases(bool peaked) {
  struct Arch {
    const char* name;
    ModelArch arch;
    uint32_t head_dim;
    bool tied;
  };
  const Arch archs[] = {{"qwen2", ModelArch::kQwen2, 0, false},
                        {"qwen3", ModelArch::kQwen3, 128, false},
                        {"exaone", ModelArch::kExaone, 0, false},
                        {"llama_tied", ModelArch::kLlama, 0, true}};
  const GgmlType types[] = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ8_0,
                            GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,
                            GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K};
  std::vector<SynthCase> cases;
  uint64_t seed = 11;
  for (const Arch& a : archs) {
    for (GgmlType type : types) {
      SynthModelSpec s;
      s.arch = a.arch;
      s.seed = seed++;
      s.head_dim = a.head_dim;
      s.tied_output = a.tied;
      s.weight_type = type;
      s.logit_scale = peaked ? 6.0f : 1.0f;
      s.silent_tokens = {2};  // stories260K's end of text: ignored by the oracle anyway
      cases.push_back({std::string(a.name) + "_" + std::string(GgmlTypeName(type)), s, peaked});
    }
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<SynthCase>& info) {
  return info.param.label;
}

INSTANTIATE_TEST_SUITE_P(Flat, SynthOracleTest, ::testing::ValuesIn(AllSynthCases(false)),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Peaked, SynthOracleTest, ::testing::ValuesIn(AllSynthCases(true)),
                         CaseName);

// The suite still catches real faults (issue 12): docent run with a deliberate fault of the
// kind that breaks engines must fail the same comparison with llama.cpp that the sound engine
// passes. Each fault is made at load, as the bug would make it, on a model of the suite above.
struct FaultCase {
  std::string label;
  ModelArch arch;
  GgmlType type;
  // Changes the model's bytes before docent parses them (llama.cpp gets the true file) ...
  std::function<void(const GgufFile& file, std::vector<uint8_t>& bytes)> break_bytes;
  // ... or the config and weights it runs with.
  std::function<void(ModelConfig& config, ModelWeights& weights)> break_model;
};

void PrintTo(const FaultCase& c, std::ostream* os) {
  *os << c.label;
}

// What Compare reports, without failing the test: its failure messages, intercepted.
struct Verdict {
  Differences d;
  std::vector<std::string> failures;
};

Verdict CompareQuietly(Model& model, const OracleResult& oracle, double tolerance) {
  ::testing::TestPartResultArray results;
  Verdict v;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    v.d = Compare(model, oracle, tolerance, /*tie_margin=*/tolerance, /*ignore_eos=*/true);
  }
  for (int i = 0; i < results.size(); ++i)
    v.failures.push_back(results.GetTestPartResult(i).message());
  return v;
}

class OracleFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(OracleFaultTest, ABrokenEngineFailsTheComparison) {
  REQUIRE_ORACLE();
  const FaultCase& c = GetParam();
  // The flat suite's model of this arch and type (the same spec as AllSynthCases(false)).
  SynthModelSpec spec;
  for (const SynthCase& sc : AllSynthCases(false)) {
    if (sc.spec.arch == c.arch && sc.spec.weight_type == c.type) spec = sc.spec;
  }
  ASSERT_EQ(spec.arch, c.arch);
  std::vector<uint8_t> bytes;
  const OracleResult oracle = OracleOnSynthModel(spec, &bytes);
  ASSERT_FALSE(oracle.steps.empty());
  const double tolerance = ToleranceFor(c.type);

  auto sound_file = GgufFile::FromBytes(bytes, "sound.gguf");
  ASSERT_TRUE(sound_file.ok());
  auto sound = Model::FromFile(std::move(sound_file).value());
  ASSERT_TRUE(sound.ok()) << sound.status().ToString();
  const Verdict ok = CompareQuietly(**sound, oracle, tolerance);
  EXPECT_TRUE(ok.failures.empty()) << "the sound engine fails: " << ok.failures.front();

  std::vector<uint8_t> broken_bytes = bytes;
  if (c.break_bytes) {
    auto original = GgufFile::FromBytes(bytes, "original.gguf");
    ASSERT_TRUE(original.ok());
    c.break_bytes(*original, broken_bytes);
  }
  auto file = GgufFile::FromBytes(broken_bytes, "broken.gguf");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto config = ReadModelConfig(*file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto weights = MapModelWeights(*file, *config);
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  if (c.break_model) c.break_model(*config, *weights);
  auto broken = Model::FromParts(std::move(file).value(), std::move(config).value(),
                                 std::move(weights).value());
  ASSERT_TRUE(broken.ok()) << broken.status().ToString();
  const Verdict bad = CompareQuietly(**broken, oracle, tolerance);
  EXPECT_FALSE(bad.failures.empty())
      << c.label << " went unnoticed: max |dp| " << bad.d.max_abs_prob << " within " << tolerance;
  std::cout << "[ " << c.label << " ] sound engine: max |dp| " << ok.d.max_abs_prob << ", "
            << ok.failures.size() << " failures; with the fault: max |dp| " << bad.d.max_abs_prob
            << ", " << bad.d.equal_tokens << "/" << bad.d.compared_tokens
            << " greedy tokens equal, " << bad.failures.size()
            << " failures, the first: " << (bad.failures.empty() ? "none" : bad.failures.front())
            << "\n";
}

// Q4_K's packed 6-bit scales read without their high bits for sub-blocks 4..7, as an engine
// that unpacks them like sub-blocks 0..3 would (llama.cpp's get_scale_min_k4 takes those two
// bits from the top of scales[0..3]): here they are cleared in every block of every Q4_K
// tensor, so the scales of sub-blocks 4..7 lose up to 48 of their 63.
void DropQ4KHighScaleBits(const GgufFile& file, std::vector<uint8_t>& bytes) {
  int blocks = 0;
  for (const GgufTensorInfo& t : file.tensors()) {
    if (t.type != GgmlType::kQ4_K) continue;
    for (uint64_t at = t.file_offset; at < t.file_offset + t.n_bytes; at += sizeof(BlockQ4_K)) {
      uint8_t* scales = bytes.data() + at + offsetof(BlockQ4_K, scales);
      for (int j = 0; j < 4; ++j) scales[j] &= 0x3F;
      ++blocks;
    }
  }
  ASSERT_GT(blocks, 0) << "no Q4_K tensor";
}

// A subtler one: Q4_K's first two sub-block scales trade places in every block of every Q4_K
// tensor, as an engine that mis-indexes the packed scales would read them (the low 6 bits of
// scales[0] and scales[1] are sub-blocks 0 and 1's scales; the top 2 bits belong to 4 and 5).
// Random weights give neighbouring sub-blocks similar scales, so this moves probabilities by
// only ~0.016.
void SwapQ4KSubBlockScales(const GgufFile& file, std::vector<uint8_t>& bytes) {
  int blocks = 0;
  for (const GgufTensorInfo& t : file.tensors()) {
    if (t.type != GgmlType::kQ4_K) continue;
    for (uint64_t at = t.file_offset; at < t.file_offset + t.n_bytes; at += sizeof(BlockQ4_K)) {
      uint8_t* scales = bytes.data() + at + offsetof(BlockQ4_K, scales);
      const uint8_t s0 = scales[0] & 63, s1 = scales[1] & 63;
      scales[0] = static_cast<uint8_t>((scales[0] & 0xC0) | s1);
      scales[1] = static_cast<uint8_t>((scales[1] & 0xC0) | s0);
      ++blocks;
    }
  }
  ASSERT_GT(blocks, 0) << "no Q4_K tensor";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, OracleFaultTest,
    ::testing::Values(
        // qwen2 rotates halves of each head (NeoX); the fault rotates adjacent pairs.
        FaultCase{"qwen2_rotary_pairs_instead_of_halves", ModelArch::kQwen2, GgmlType::kF32,
                  nullptr,
                  [](ModelConfig& config, ModelWeights&) { config.rope_type = RopeType::kNormal; }},
        // llama rotates adjacent pairs; the fault rotates halves.
        FaultCase{"llama_rotary_halves_instead_of_pairs", ModelArch::kLlama, GgmlType::kF32,
                  nullptr,
                  [](ModelConfig& config, ModelWeights&) { config.rope_type = RopeType::kNeox; }},
        FaultCase{"qwen2_qkv_bias_skipped", ModelArch::kQwen2, GgmlType::kF32, nullptr,
                  [](ModelConfig&, ModelWeights& weights) {
                    for (LayerWeights& layer : weights.layers) {
                      layer.bq.clear();
                      layer.bk.clear();
                      layer.bv.clear();
                    }
                  }},
        FaultCase{"qwen2_q4k_scale_high_bits_dropped", ModelArch::kQwen2, GgmlType::kQ4_K,
                  DropQ4KHighScaleBits, nullptr},
        FaultCase{"qwen2_q4k_sub_block_scales_swapped", ModelArch::kQwen2, GgmlType::kQ4_K,
                  SwapQ4KSubBlockScales, nullptr}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return info.param.label; });

}  // namespace
}  // namespace docent::llm
