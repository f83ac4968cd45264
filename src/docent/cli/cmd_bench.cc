// `docent bench -m MODEL.gguf [--threads T] [--json]`: the engine's prompt and generation
// speed, measured as llama-bench measures them so the two can be set side by side:
//   pp512  a 512-token prompt processed from an empty cache, tokens per second;
//   tg128  128 tokens generated one by one right after that prompt (greedy), tokens/second.
// With --parallel N (N > 1) the generation figure is N sequences decoding together, one
// batch per step, after each read its own prompt: the total tokens per second of all N
// (what continuous batching gives N concurrent requests, without the server around it).
// Prompt tokens are drawn at random from the vocabulary with a fixed seed (as llama-bench
// does): speed does not depend on which tokens they are. Each figure is the median of --reps
// runs after one short warm-up; peak memory is the process's peak resident set (the mapped
// model file counts once it is read, as it does for llama.cpp).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/llm/model.h"
#include "docent/llm/sampler.h"

namespace docent::cli {
namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<uint32_t> RandomTokens(uint32_t n, uint32_t vocab, uint64_t seed) {
  std::vector<uint32_t> tokens(n);
  uint64_t state = seed;
  for (uint32_t& t : tokens) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    t = static_cast<uint32_t>((state >> 33) % vocab);
  }
  return tokens;
}

struct RunTimes {
  double prompt_s = 0;
  double generate_s = 0;
};

// One pp + tg run from empty caches on n_seq sequences (1: llama-bench's measure): each
// reads the prompt (its first token shifted by the sequence's index, so no two are alike),
// then all decode together, one batch per step, for n_gen steps. prompt_s is the prompts'
// total time, generate_s the steps'.
Result<RunTimes> RunOnce(llm::Model& model, std::vector<uint32_t> prompt, uint32_t n_gen,
                         uint32_t n_seq) {
  const size_t vocab = model.config().vocab_size;
  std::vector<float> logits(vocab * n_seq);
  std::vector<llm::BatchEntry> batch(n_seq);
  const uint32_t first = prompt[0];
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t s = 0; s < n_seq; ++s) {
    model.ResetSequence(s);
    prompt[0] = (first + s) % static_cast<uint32_t>(vocab);
    DOCENT_RETURN_IF_ERROR(
        model.Prefill(s, prompt, 0, std::span<float>(logits).subspan(s * vocab, vocab)));
    batch[s] = {s, 0, static_cast<uint32_t>(prompt.size()), true};
  }
  const auto t1 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < n_gen; ++i) {
    for (uint32_t s = 0; s < n_seq; ++s) {
      batch[s].token = llm::ArgMax(std::span<const float>(logits).subspan(s * vocab, vocab));
    }
    DOCENT_RETURN_IF_ERROR(model.Decode(batch, logits));
    for (llm::BatchEntry& e : batch) ++e.pos;
  }
  const auto t2 = std::chrono::steady_clock::now();
  return RunTimes{Seconds(t1 - t0), Seconds(t2 - t1)};
}

}  // namespace

int RunBench(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("bench"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  const std::string path = args->Has("-m") ? args->Get("-m") : args->Get("--model");
  if (path.empty() || !args->positional.empty()) {
    PrintError(UsageLine("bench") + " (--help lists them)");
    return 2;
  }
  auto n_prompt = args->GetInt("-p", 512, 1, 1 << 20);
  auto n_gen = args->GetInt("-n", 128, 0, 1 << 20);
  auto reps = args->GetInt("--reps", 3, 1, 100);
  auto parallel = args->GetInt("--parallel", 1, 1, 64);
  for (const auto* r : {&n_prompt, &n_gen, &reps, &parallel}) {
    if (!r->ok()) {
      PrintError(r->status().message());
      return 2;
    }
  }
  auto options = ModelOptionsFromArgs(*args, static_cast<uint32_t>(*n_prompt + *n_gen));
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  const uint32_t n_seq = static_cast<uint32_t>(*parallel);
  options->n_seq = n_seq;
  options->max_batch = std::max(options->max_batch, n_seq);
  const auto load_start = std::chrono::steady_clock::now();
  auto model = llm::Model::Load(path, *options);
  if (!model.ok()) {
    PrintError(model.status().ToString());
    return 1;
  }
  const double load_s = Seconds(std::chrono::steady_clock::now() - load_start);
  llm::Model& m = **model;
  const auto prompt = RandomTokens(static_cast<uint32_t>(*n_prompt), m.config().vocab_size, 42);

  // Warm-up: touches every weight page and the caches once, as llama-bench's warm-up run.
  {
    const std::vector<uint32_t> warm(prompt.begin(),
                                     prompt.begin() + std::min<size_t>(16, prompt.size()));
    auto w = RunOnce(m, warm, 2, 1);
    if (!w.ok()) {
      PrintError(w.status().ToString());
      return 1;
    }
  }
  std::vector<double> pp, tg;
  for (long r = 0; r < *reps; ++r) {
    auto t = RunOnce(m, prompt, static_cast<uint32_t>(*n_gen), n_seq);
    if (!t.ok()) {
      PrintError(t.status().ToString());
      return 1;
    }
    pp.push_back(static_cast<double>(*n_prompt) * n_seq / t->prompt_s);
    if (*n_gen > 0) tg.push_back(static_cast<double>(*n_gen) * n_seq / t->generate_s);
  }
  const double pp_tok_s = Median(pp);
  const double tg_tok_s = tg.empty() ? 0.0 : Median(tg);
  const double rss = PeakRssMb();
  const std::string type(llm::GgmlTypeName(m.weights().layers[0].ffn_down.type));
  const std::string isa(llm::kernels::IsaName(m.isa()));
  if (args->Has("--json")) {
    nlohmann::json j = {
        {"pp_tok_s", pp_tok_s},   {"tg_tok_s", tg_tok_s},
        {"peak_rss_mb", rss},     {"n_prompt", *n_prompt},
        {"n_gen", *n_gen},        {"parallel", n_seq},
        {"threads", m.threads()}, {"kernels", isa},
        {"type", type},           {"arch", std::string(llm::ModelArchName(m.config().arch))},
        {"load_s", load_s},       {"reps", *reps}};
    std::puts(j.dump().c_str());
    return 0;
  }
  std::printf("model: %s (%s, %s, %u layers, %u wide)\n", path.c_str(),
              std::string(llm::ModelArchName(m.config().arch)).c_str(), type.c_str(),
              m.config().n_layer, m.config().n_embd);
  std::printf("threads: %d, kernels: %s, loaded in %.2f s\n", m.threads(), isa.c_str(), load_s);
  std::printf("| test | t/s (median of %ld) |\n|---|---|\n", *reps);
  const std::string times = n_seq > 1 ? " x " + std::to_string(n_seq) : "";
  std::printf("| pp%ld%s | %.1f |\n", *n_prompt, times.c_str(), pp_tok_s);
  if (*n_gen > 0) std::printf("| tg%ld%s | %.1f |\n", *n_gen, times.c_str(), tg_tok_s);
  std::printf("peak memory: %.0f MB\n", rss);
  return 0;
}

}  // namespace docent::cli
