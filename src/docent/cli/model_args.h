// What the commands that run a model (generate, bench, embed, rerank) share: the --threads and
// --kernels flags, and the peak memory they report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docent/cli/args.h"
#include "docent/llm/chat_template.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"

namespace docent::cli {

// "scalar", "avx2" or "avx512"; Unsupported when this CPU lacks it.
Result<llm::kernels::Isa> ParseIsa(const std::string& name);

// "f16" or "q8_0" (--kv-type): how the KV cache, and the passage KV store, keep keys and values.
Result<llm::KvStorage> ParseKvType(const std::string& name);

// ModelOptions for one sequence of up to max_positions tokens, from --threads (0 = one per
// core), --kernels and --kv-type.
Result<llm::ModelOptions> ModelOptionsFromArgs(const ParsedArgs& args, uint32_t max_positions);

// A model file opened for a command: the file, its tokenizer and its chat family.
struct ModelFile {
  llm::GgufFile file;
  std::unique_ptr<llm::Tokenizer> tokenizer;
  llm::ChatFamily family = llm::ChatFamily::kChatMl;
};
// The file's and the tokenizer's errors, each naming the file.
Result<ModelFile> OpenModelFile(const std::string& path);

// --threads for an encoder (embed, rerank): 0 or absent is one per core.
Result<int> EncoderThreads(const ParsedArgs& args);
// The texts a command works on: its positional arguments, else standard input's non-empty
// lines.
std::vector<std::string> TextsFromArgsOrStdin(const std::vector<std::string>& positional);

// The process's peak resident set in MB (the mapped model counts once it is read, as it does
// for llama.cpp).
double PeakRssMb();

}  // namespace docent::cli
