// Shared model files for tests (see model_files.h).
#include "support/model_files.h"

#include <cstdlib>

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

}  // namespace docent::testing
