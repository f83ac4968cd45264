// The model files tests share: stories260K from ../shared, opened once per test binary (its
// vocabulary is what the synthetic models are built with).
#pragma once

#include <cstdint>
#include <vector>

#include "docent/llm/gguf_file.h"

namespace docent::testing {

// Aborts when the file cannot be opened: every caller needs it.
const llm::GgufFile& StoriesGguf();

// `length` token ids in 3..502 drawn from a generator seeded with `seed`: a prompt for the
// synthetic models, the same for the same seed.
std::vector<uint32_t> RandomPrompt(uint32_t seed, uint32_t length);

}  // namespace docent::testing
