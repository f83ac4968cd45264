// Parsing the model flags (see model_args.h).
#include "docent/cli/model_args.h"

#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <thread>

namespace docent::cli {

Result<llm::kernels::Isa> ParseIsa(const std::string& name) {
  using llm::kernels::Isa;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
    if (name == llm::kernels::IsaName(isa)) {
      if (!llm::kernels::IsaSupported(isa)) {
        return Unsupported("this CPU cannot run the " + name + " kernels");
      }
      return isa;
    }
  }
  return InvalidArgument("--kernels must be scalar, avx2, avxvnni or avx512, not '" + name + "'");
}

Result<llm::ModelOptions> ModelOptionsFromArgs(const ParsedArgs& args, uint32_t max_positions) {
  llm::ModelOptions options;
  DOCENT_ASSIGN_OR_RETURN(long threads, args.GetInt("--threads", 0, 0, 256));
  options.threads = static_cast<int>(threads);
  options.max_positions = max_positions;
  if (args.Has("--kernels")) {
    DOCENT_ASSIGN_OR_RETURN(options.isa, ParseIsa(args.Get("--kernels")));
  }
  DOCENT_ASSIGN_OR_RETURN(options.kv_storage, ParseKvType(args.Get("--kv-type", "f16")));
  return options;
}

Result<llm::KvStorage> ParseKvType(const std::string& name) {
  if (name == "f16") return llm::KvStorage::kF16;
  if (name == "q8_0") return llm::KvStorage::kQ8_0;
  return InvalidArgument("--kv-type is f16 or q8_0, not '" + name + "'");
}

Result<ModelFile> OpenModelFile(const std::string& path) {
  DOCENT_ASSIGN_OR_RETURN(llm::GgufFile file, llm::GgufFile::Open(path));
  auto tokenizer = llm::Tokenizer::FromGguf(file);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(path);
  ModelFile out{std::move(file), std::move(tokenizer).value(), llm::ChatFamily::kChatMl};
  out.family = llm::ChatFamilyOf(out.file);
  return out;
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The texts: the positional arguments, else standard input's non-empty lines.
std::vector<std::string> TextsFromArgsOrStdin(const std::vector<std::string>& positional) {
  if (!positional.empty()) return positional;
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty()) texts.push_back(line);
  }
  return texts;
}

// --threads (0 or absent: one per core) as a thread count.
Result<int> EncoderThreads(const ParsedArgs& args) {
  DOCENT_ASSIGN_OR_RETURN(long threads, args.GetInt("--threads", 0, 0, 256));
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(threads);
}

}  // namespace docent::cli
