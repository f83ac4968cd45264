// `docent kv-fidelity -m MODEL.gguf [--json]`: how closely prompts assembled from passages
// computed once follow a cold prefill, on the model's own stories (eval/kv_fidelity.h).
// Prints a line per recompute setting; the last line is one JSON object for the setting
// `serve` uses (or the one --recompute names) with top1_agreement, kl_mean, kl_p95,
// first_divergence_mean and recompute_fraction, and, with --sweep, every setting under
// "sweep": from naive reuse (no passage token recomputed) to every position.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "docent/answer/answer_views.h"
#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/eval/kv_fidelity.h"
#include "docent/llm/gguf_file.h"

namespace docent::cli {
namespace {

std::string SettingName(const rag::RecomputePolicy& p) {
  return p.everything ? "all" : std::to_string(p.body_tokens);
}

nlohmann::json View(const eval::KvFidelity& f) {
  return {{"recompute", SettingName(f.policy)},
          {"contexts", f.contexts},
          {"top1_agreement", f.top1_agreement},
          {"kl_mean", f.kl_mean},
          {"kl_p95", f.kl_p95},
          {"first_divergence_mean", f.first_divergence_mean},
          {"recompute_fraction", f.recompute_fraction}};
}

}  // namespace

int RunKvFidelity(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("kv-fidelity"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  if (!args->Has("-m")) {
    PrintError("kv-fidelity needs a model: docent kv-fidelity -m MODEL.gguf");
    return 2;
  }
  auto contexts = args->GetInt("--contexts", 60, 1, 100000);
  auto seed = args->GetInt("--seed", 1, 0, 1L << 40);
  for (const Status& s : {contexts.status(), seed.status()}) {
    if (!s.ok()) {
      PrintError(s.message());
      return 2;
    }
  }
  rag::RecomputePolicy chosen;  // serve's default
  if (args->Has("--recompute")) {
    if (args->Get("--recompute") == "all") {
      chosen.everything = true;
    } else {
      auto n = args->GetInt("--recompute", 0, 0, 4096);
      if (!n.ok()) {
        PrintError(n.status().message() + " (or \"all\")");
        return 2;
      }
      chosen.body_tokens = static_cast<uint32_t>(*n);
    }
  }
  eval::KvFidelityOptions options;
  options.contexts = static_cast<int>(*contexts);
  options.seed = static_cast<uint64_t>(*seed);
  options.settings = {chosen};
  if (args->Has("--sweep")) {
    options.settings.clear();
    for (uint32_t n : {0u, 2u, 4u, 8u, 16u, 32u}) {
      rag::RecomputePolicy p;
      p.body_tokens = n;
      options.settings.push_back(p);
    }
    rag::RecomputePolicy all;
    all.everything = true;
    options.settings.push_back(all);
  }

  const std::string path = args->Get("-m");
  auto opened = OpenModelFile(path);
  if (!opened.ok()) {
    PrintError(opened.status().ToString());
    return 1;
  }
  auto& file = opened->file;
  const llm::Tokenizer& tokenizer = *opened->tokenizer;
  const llm::ChatFamily family = opened->family;
  auto model_options = ModelOptionsFromArgs(*args, 512);
  if (!model_options.ok()) {
    PrintError(model_options.status().message());
    return 2;
  }
  model_options->n_seq = 3;
  auto model = llm::Model::FromFile(std::move(file), *model_options);
  if (!model.ok()) {
    PrintError(path + ": " + model.status().ToString());
    return 1;
  }
  // Progress on a terminal only: a log gets the result alone.
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto results =
      eval::MeasureKvFidelity(**model, tokenizer, family, options, [tty](int done, int total) {
        if (!tty) return;
        std::fprintf(stderr, "\rkv-fidelity: %d/%d contexts", done, total);
        if (done == total) std::fputc('\n', stderr);
      });
  if (!results.ok()) {
    PrintError(path + ": " + results.status().ToString());
    return 1;
  }
  nlohmann::json last;
  nlohmann::json sweep = nlohmann::json::array();
  for (const eval::KvFidelity& f : *results) {
    if (!args->Has("--json")) {
      std::printf(
          "recompute %-4s top-1 agreement %.4f  KL mean %.5f  p95 %.5f  first divergence "
          "%.1f  recomputed %.1f%% of the prompt\n",
          SettingName(f.policy).c_str(), f.top1_agreement, f.kl_mean, f.kl_p95,
          f.first_divergence_mean, 100 * f.recompute_fraction);
    }
    sweep.push_back(View(f));
    if (f.policy.everything == chosen.everything && f.policy.body_tokens == chosen.body_tokens) {
      last = View(f);
    }
  }
  if (last.is_null()) last = View(results->front());
  if (args->Has("--sweep")) last["sweep"] = sweep;
  std::puts(answer::Dump(last).c_str());
  return 0;
}

}  // namespace docent::cli
