// Shared model files for tests (see model_files.h).
#include "support/model_files.h"

#include <cstdlib>
#include <random>

#include "support/temp_dir.h"

namespace docent::testing {

const llm::GgufFile& StoriesGguf() {
  static const llm::GgufFile* file = [] {
    auto f = llm::GgufFile::Open(SharedDir() / "models/stories260K.gguf");
    if (!f.ok()) std::abort();
    return new llm::GgufFile(std::move(f).value());
  }();
  return *file;
}

std::vector<uint32_t> RandomPrompt(uint32_t seed, uint32_t length) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> p(length);
  for (uint32_t& t : p) t = 3 + rng() % 500;
  return p;
}

}  // namespace docent::testing
