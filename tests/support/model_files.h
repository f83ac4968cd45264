// The model files tests share: stories260K from ../shared, opened once per test binary (its
// vocabulary is what the synthetic models are built with).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "docent/llm/gguf_file.h"

namespace docent::testing {

// Aborts when the file cannot be opened: every caller needs it.
const llm::GgufFile& StoriesGguf();

// `length` token ids in 3..502 drawn from a generator seeded with `seed`: a prompt for the
// synthetic models, the same for the same seed.
std::vector<uint32_t> RandomPrompt(uint32_t seed, uint32_t length);

// Writes `docent synth-model --shape SHAPE` in `type` (by name: "f16", "q8_0" ...) with the
// shape's own vocabulary from ../shared into `dir`, and returns its path (aborts on failure):
// tiny-bert and tiny-bert-reranker for the embedding tests.
std::filesystem::path WriteSynthShape(const std::filesystem::path& dir, const std::string& shape,
                                      const std::string& type = "f16", uint64_t seed = 1);

}  // namespace docent::testing
