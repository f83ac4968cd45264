// Shared model files for tests (see model_files.h).
#include "support/model_files.h"

#include <cstdio>
#include <cstdlib>
#include <random>

#include "docent/llm/model_synth.h"
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

std::filesystem::path WriteSynthShape(const std::filesystem::path& dir, const std::string& shape,
                                      const std::string& type, uint64_t seed) {
  auto fail = [&](const Status& st) {
    std::fprintf(stderr, "synthetic %s: %s\n", shape.c_str(), st.ToString().c_str());
    std::abort();
  };
  auto found = llm::FindSynthShape(shape);
  if (!found.ok()) fail(found.status());
  auto weight_type = llm::ParseSynthWeightType(type);
  if (!weight_type.ok()) fail(weight_type.status());
  llm::SynthModelSpec spec = found->spec;
  spec.weight_type = *weight_type;
  spec.seed = seed;
  spec.name = "docent synthetic " + shape;
  auto vocab = llm::LoadSynthVocabulary(SharedDir() / found->default_vocab);
  if (!vocab.ok()) fail(vocab.status());
  const std::filesystem::path path = dir / (shape + "-" + type + ".gguf");
  if (Status st = llm::WriteSynthModel(spec, *vocab, path); !st.ok()) fail(st);
  return path;
}

}  // namespace docent::testing
