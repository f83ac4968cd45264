// The model files tests share: stories260K from ../shared, opened once per test binary (its
// vocabulary is what the synthetic models are built with).
#pragma once

#include "docent/llm/gguf_file.h"

namespace docent::testing {

// Aborts when the file cannot be opened: every caller needs it.
const llm::GgufFile& StoriesGguf();

}  // namespace docent::testing
