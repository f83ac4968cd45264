// The model flags shared by the commands that run one (generate, bench, serve --model,
// ask --model): --threads and --kernels.
#pragma once

#include <cstdint>
#include <string>

#include "docent/cli/args.h"
#include "docent/llm/model.h"

namespace docent::cli {

// "scalar", "avx2" or "avx512"; Unsupported when this CPU lacks it.
Result<llm::kernels::Isa> ParseIsa(const std::string& name);

// ModelOptions for one sequence of up to max_positions tokens, from --threads (0 = one per
// core) and --kernels.
Result<llm::ModelOptions> ModelOptionsFromArgs(const ParsedArgs& args, uint32_t max_positions);

}  // namespace docent::cli
