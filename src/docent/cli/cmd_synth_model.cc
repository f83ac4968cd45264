// `docent synth-model --shape NAME --type TYPE -o FILE [--seed S] [--vocab FILE] [--threads N]
// [--logit-scale X]` (and `--list`, the shapes):
// writes a GGUF model with random weights in the exact shape of a real model (model_synth.h),
// so that speed and memory can be measured against llama.cpp on the same file without
// downloading weights, and tests get small models of every architecture.
//
// The vocabulary is --vocab (a Hugging Face tokenizer.json, a SentencePiece .model or a GGUF);
// without it, the shape's own vocabulary from the shared data directory (the XLM-RoBERTa
// encoders have none there and need --vocab): $DOCENT_SHARED when set, else
// ../shared relative to the current directory (the layout of a checkout beside shared/).
// --logit-scale overrides the shape's final-norm gain (model_synth.h), for experiments with
// how peaked the next-token distributions are.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "docent/cli/commands.h"
#include "docent/llm/model_synth.h"

namespace docent::cli {
namespace {

namespace fs = std::filesystem;

std::string ShapeList() {
  std::string names;
  for (const llm::SynthShape& shape : llm::SynthShapes()) {
    names += (names.empty() ? "" : ", ") + shape.name;
  }
  return names;
}

fs::path DefaultVocab(const llm::SynthShape& shape) {
  const char* shared = std::getenv("DOCENT_SHARED");
  const fs::path root = shared != nullptr && *shared != '\0' ? fs::path(shared) : "../shared";
  return root / shape.default_vocab;
}

}  // namespace

int RunSynthModel(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("synth-model"));
  if (!args.ok()) {
    PrintError(args.status().message() + "\n" + UsageLine("synth-model"));
    return 2;
  }
  if (args->Has("--list")) {
    for (const llm::SynthShape& shape : llm::SynthShapes()) {
      const llm::SynthModelSpec& s = shape.spec;
      const std::string arch = s.encoder ? "bert" : std::string(llm::ModelArchName(s.arch));
      const std::string pooling =
          s.encoder ? ", " + std::string(llm::PoolingName(s.encoder->pooling)) + " pooling" : "";
      std::printf("%-21s %-6s n_embd %u, %u layers, n_ff %u, %u/%u heads%s, vocabulary %s\n",
                  shape.name.c_str(), arch.c_str(), s.n_embd, s.n_layer, s.n_ff, s.n_head,
                  s.n_head_kv, pooling.c_str(),
                  shape.default_vocab.empty() ? "--vocab FILE.model (SentencePiece Unigram)"
                                              : shape.default_vocab.c_str());
    }
    return 0;
  }
  if (!args->positional.empty() || !args->Has("--shape") || !args->Has("--type") ||
      !args->Has("-o")) {
    PrintError(UsageLine("synth-model") + "\nshapes: " + ShapeList() +
               "\ntypes: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k");
    return 2;
  }
  auto shape = llm::FindSynthShape(args->Get("--shape"));
  if (!shape.ok()) {
    PrintError(shape.status().message());
    return 2;
  }
  auto type = llm::ParseSynthWeightType(args->Get("--type"));
  if (!type.ok()) {
    PrintError(type.status().message());
    return 2;
  }
  auto seed = args->GetInt("--seed", 1, 0, 0x7fffffff);
  const long cores = std::max(1u, std::thread::hardware_concurrency());
  auto threads = args->GetInt("--threads", cores, 1, 256);
  for (const auto* r : {&seed, &threads}) {
    if (!r->ok()) {
      PrintError(r->status().message());
      return 2;
    }
  }
  llm::SynthModelSpec spec = shape->spec;
  spec.weight_type = *type;
  spec.seed = static_cast<uint64_t>(*seed);
  spec.threads = static_cast<int>(*threads);
  if (args->Has("--logit-scale")) {
    char* end = nullptr;
    const std::string text = args->Get("--logit-scale");
    spec.logit_scale = std::strtof(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(spec.logit_scale > 0.0f)) {
      PrintError("--logit-scale wants a positive number, not '" + text + "'");
      return 2;
    }
  }
  if (Status st = llm::ValidateSynthSpec(spec); !st.ok()) {
    PrintError(shape->name + ": " + st.message());
    return 2;
  }

  if (!args->Has("--vocab") && shape->default_vocab.empty()) {
    PrintError(shape->name +
               " has an XLM-RoBERTa vocabulary, which is not at hand: pass --vocab FILE.model, "
               "a SentencePiece Unigram model (spm_train --model_type=unigram writes one)");
    return 2;
  }
  const fs::path vocab_path =
      args->Has("--vocab") ? fs::path(args->Get("--vocab")) : DefaultVocab(*shape);
  const auto t0 = std::chrono::steady_clock::now();
  auto vocab = llm::LoadSynthVocabulary(vocab_path);
  if (!vocab.ok()) {
    PrintError("vocabulary: " + vocab.status().ToString() +
               (args->Has("--vocab") ? "" : " (pass --vocab FILE or set DOCENT_SHARED)"));
    return 1;
  }
  const fs::path out = args->Get("-o");
  if (Status st = llm::WriteSynthModel(spec, *vocab, out); !st.ok()) {
    PrintError(st.ToString());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(out, ec);
  std::printf("wrote %s: %s, %s weights, %.1f MB, in %.1f s\n", out.string().c_str(),
              shape->name.c_str(), args->Get("--type").c_str(),
              ec ? 0.0 : static_cast<double>(bytes) / 1e6, seconds);
  return 0;
}

}  // namespace docent::cli
