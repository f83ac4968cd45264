// `docent generate -m MODEL.gguf -p "..." [-n N] [--temp T] [--seed S] [--threads T]
// [--chat]`: streams a model's continuation of a prompt to stdout, then prints the timings
// (prompt and generation tokens per second, peak memory) to stderr, as llama.cpp's CLI does.
//
// With --chat the prompt is one user message rendered through the model's chat template
// (chat_template.h, chosen from tokenizer.chat_template). Text goes out through the
// streaming decoder, so a token that ends inside a UTF-8 character (common in Korean) waits
// for the rest instead of printing a broken character.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "docent/cli/commands.h"
#include "docent/cli/model_args.h"
#include "docent/llm/chat_encode.h"
#include "docent/llm/model.h"
#include "docent/llm/sampling.h"
#include "docent/llm/tokenizer.h"
#include "docent/llm/tokenizer_streaming.h"

namespace docent::cli {
namespace {

Result<llm::SamplingParams> SamplingFromArgs(const ParsedArgs& args) {
  llm::SamplingParams p;
  DOCENT_ASSIGN_OR_RETURN(p.temperature, args.GetFloat("--temp", 0.0f));
  DOCENT_ASSIGN_OR_RETURN(p.top_p, args.GetFloat("--top-p", 1.0f));
  DOCENT_ASSIGN_OR_RETURN(p.min_p, args.GetFloat("--min-p", 0.0f));
  DOCENT_ASSIGN_OR_RETURN(p.repeat_penalty, args.GetFloat("--repeat-penalty", 1.0f));
  DOCENT_ASSIGN_OR_RETURN(long top_k, args.GetInt("--top-k", 0, 0, 1 << 24));
  p.top_k = static_cast<int32_t>(top_k);
  if (args.Has("--seed")) {
    const std::string s = args.Get("--seed");
    char* end = nullptr;
    p.seed = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0')
      return InvalidArgument("--seed needs an integer, not '" + s + "'");
  }
  DOCENT_RETURN_IF_ERROR(llm::ValidateSamplingParams(p));
  return p;
}

}  // namespace

int RunGenerate(const Argv& argv) {
  auto args = ParseArgs(argv, FlagsOf("generate"));
  if (!args.ok()) {
    PrintError(args.status().message());
    return 2;
  }
  const std::string path = args->Has("-m") ? args->Get("-m") : args->Get("--model");
  const bool has_prompt = args->Has("-p") || args->Has("--prompt");
  const std::string prompt_text = args->Has("-p") ? args->Get("-p") : args->Get("--prompt");
  if (path.empty() || !has_prompt || !args->positional.empty()) {
    PrintError(UsageLine("generate") + " (--help lists them)");
    return 2;
  }
  auto n_gen = args->GetInt("-n", 128, 0, 1 << 20);
  if (!n_gen.ok()) {
    PrintError(n_gen.status().message());
    return 2;
  }
  auto sampling = SamplingFromArgs(*args);
  if (!sampling.ok()) {
    PrintError(sampling.status().message());
    return 2;
  }
  auto opened = OpenModelFile(path);
  if (!opened.ok()) {
    PrintError(opened.status().ToString());
    return 1;
  }
  auto& file = opened->file;
  const llm::Tokenizer& tok = *opened->tokenizer;

  std::vector<int32_t> ids;
  if (args->Has("--chat")) {
    const std::vector<llm::ChatMessage> messages = {{"user", prompt_text}};
    const std::vector<uint32_t> chat = llm::EncodeChat(tok, opened->family, messages);
    ids.assign(chat.begin(), chat.end());
  } else {
    ids = tok.Encode(prompt_text, /*add_special=*/true, /*parse_special=*/false);
  }
  if (ids.empty()) {
    PrintError("the prompt encodes to no tokens");
    return 2;
  }
  const std::vector<uint32_t> prompt(ids.begin(), ids.end());

  auto options = ModelOptionsFromArgs(*args, static_cast<uint32_t>(prompt.size() + *n_gen));
  if (!options.ok()) {
    PrintError(options.status().message());
    return 2;
  }
  auto model = llm::Model::FromFile(std::move(file), *options);
  if (!model.ok()) {
    PrintError(path + ": " + model.status().ToString());
    return 1;
  }
  llm::Model& m = **model;
  auto sampler = llm::Sampler::Create(*sampling);
  if (!sampler.ok()) {
    PrintError(sampler.status().message());
    return 2;
  }
  for (uint32_t t : prompt) sampler->Accept(t);

  std::vector<float> logits(m.config().vocab_size);
  const auto t0 = std::chrono::steady_clock::now();
  Status st = m.Prefill(0, prompt, 0, logits);
  const auto t1 = std::chrono::steady_clock::now();
  llm::StreamingDecoder decoder(tok);
  uint32_t pos = static_cast<uint32_t>(prompt.size());
  uint32_t generated = 0;
  while (st.ok() && generated < *n_gen) {
    const uint32_t next = sampler->Sample(logits);
    if (tok.IsEndOfGeneration(static_cast<int32_t>(next))) break;
    sampler->Accept(next);
    ++generated;
    const std::string piece = decoder.Push(static_cast<int32_t>(next));
    if (!piece.empty()) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    }
    if (generated == *n_gen) break;
    st = m.ForwardInto(0, next, pos++, logits);
  }
  const auto t2 = std::chrono::steady_clock::now();
  const std::string rest = decoder.Finish();
  std::fwrite(rest.data(), 1, rest.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (!st.ok()) {
    PrintError(st.ToString());
    return 1;
  }
  const double prompt_s = std::chrono::duration<double>(t1 - t0).count();
  const double gen_s = std::chrono::duration<double>(t2 - t1).count();
  std::fprintf(stderr,
               "\nprompt: %zu tokens in %.3f s (%.1f tok/s)\n"
               "generation: %u tokens in %.3f s (%.1f tok/s)\n"
               "peak memory: %.0f MB (threads %d, kernels %s)\n",
               prompt.size(), prompt_s, prompt.size() / prompt_s, generated, gen_s,
               generated > 0 ? generated / gen_s : 0.0, PeakRssMb(), m.threads(),
               std::string(llm::kernels::IsaName(m.isa())).c_str());
  return 0;
}

}  // namespace docent::cli
