// A prompt's KV assembled from passages computed once, on the real stories260K model: exact
// where the design says it is (every position recomputed; a single passage, which lands where
// it was computed), and for several passages, only the chosen positions computed again.
#include "docent/rag/context_assembly.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include "docent/llm/model.h"
#include "docent/llm/model_synth.h"
#include "docent/llm/sampler.h"
#include "docent/llm/tokenizer.h"
#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::rag {
namespace {

constexpr llm::ChatFamily kFamily = llm::ChatFamily::kGeneric;

std::unique_ptr<llm::Model> Stories() {
  llm::ModelOptions options;
  options.n_seq = 3;
  options.max_positions = 512;
  options.threads = 2;
  auto m = llm::Model::Load(testing::SharedDir() / "models/stories260K.gguf", options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) std::abort();
  return std::move(m).value();
}

const llm::Tokenizer& Tokenizer() {
  static const llm::Tokenizer* tok = [] {
    auto t = llm::Tokenizer::FromGguf(testing::StoriesGguf());
    if (!t.ok()) std::abort();
    return t->release();
  }();
  return *tok;
}

std::vector<search::Passage> Passages() {
  const char* texts[] = {
      "Lily had a red ball. She liked to play with it in the park every day.",
      "Tom saw a big dog near the tree. The dog was sad because it was lost.",
      "One day, the sun was hot and the birds sang. Mom made a cake for Lily and Tom.",
  };
  std::vector<search::Passage> out;
  for (int i = 0; i < 3; ++i) {
    search::Passage p;
    p.chunk_id = 10 + i;
    p.doc_id = 1 + i;
    p.doc_title = "Story " + std::to_string(i + 1);
    p.text = texts[i];
    out.push_back(p);
  }
  return out;
}

std::vector<float> ColdPrefill(llm::Model& model, const RagPrompt& prompt) {
  std::vector<float> logits(model.config().vocab_size);
  EXPECT_TRUE(model.Prefill(1, prompt.tokens, 0, logits).ok());
  return logits;
}

struct Kvs {
  std::vector<PassageKv> kv;
  std::vector<const PassageKv*> ptrs;
};

Kvs ComputeAll(llm::Model& model, const std::vector<search::Passage>& passages) {
  Kvs out;
  for (const search::Passage& p : passages) {
    auto kv = ComputePassageKv(model, 2, Tokenizer(), kFamily, p);
    EXPECT_TRUE(kv.ok()) << kv.status().ToString();
    if (!kv.ok()) std::abort();
    out.kv.push_back(std::move(kv).value());
  }
  for (const PassageKv& k : out.kv) out.ptrs.push_back(&k);
  return out;
}

bool BitEqual(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(ContextAssemblyTest, RecomputingEveryPositionIsBitIdenticalToAColdPrefill) {
  auto model = Stories();
  const std::vector<search::Passage> passages = Passages();
  const RagPrompt prompt = BuildRagPrompt(Tokenizer(), kFamily, passages, "Who lost the dog?");
  const Kvs kvs = ComputeAll(*model, passages);
  std::vector<float> logits(model->config().vocab_size);
  RecomputePolicy everything;
  everything.everything = true;
  AssemblyStats stats;
  ASSERT_TRUE(AssemblePrompt(*model, 0, prompt, kvs.ptrs, everything, logits, &stats).ok());
  EXPECT_EQ(stats.placed, 0u);
  EXPECT_EQ(stats.recomputed, prompt.tokens.size());
  EXPECT_TRUE(BitEqual(logits, ColdPrefill(*model, prompt)));
}

TEST(ContextAssemblyTest, ASinglePassageLandsWhereItWasComputedAndIsBitIdentical) {
  auto model = Stories();
  for (const search::Passage& p : Passages()) {
    const RagPrompt prompt = BuildRagPrompt(Tokenizer(), kFamily, std::span(&p, 1), "Who?");
    const Kvs kvs = ComputeAll(*model, {p});
    std::vector<float> logits(model->config().vocab_size);
    RecomputePolicy headers_and_tail;
    headers_and_tail.body_tokens = 0;
    AssemblyStats stats;
    ASSERT_TRUE(AssemblePrompt(*model, 0, prompt, kvs.ptrs, headers_and_tail, logits, &stats).ok());
    // Start and text placed; header and tail computed.
    EXPECT_EQ(stats.placed,
              prompt.segments[0].end + (prompt.segments[2].end - prompt.segments[2].begin));
    EXPECT_TRUE(BitEqual(logits, ColdPrefill(*model, prompt))) << p.text;
  }
}

TEST(ContextAssemblyTest, APassageWhoseStoredTokensDifferIsComputedInFull) {
  auto model = Stories();
  const std::vector<search::Passage> passages = Passages();
  const std::vector<search::Passage> one = {passages[0]};
  const RagPrompt prompt = BuildRagPrompt(Tokenizer(), kFamily, one, "Who?");
  // The KV of another passage, offered as this one's.
  const Kvs wrong = ComputeAll(*model, {passages[1]});
  std::vector<float> logits(model->config().vocab_size);
  RecomputePolicy policy;
  policy.body_tokens = 0;
  AssemblyStats stats;
  ASSERT_TRUE(AssemblePrompt(*model, 0, prompt, wrong.ptrs, policy, logits, &stats).ok());
  EXPECT_EQ(stats.placed, prompt.segments[0].end);  // the start only
  EXPECT_TRUE(BitEqual(logits, ColdPrefill(*model, prompt)));
  // A count that does not match the prompt's sources is refused.
  EXPECT_FALSE(AssemblePrompt(*model, 0, prompt, {}, policy, logits).ok());
}

TEST(ContextAssemblyTest, SeveralPassagesPlaceAllButTheChosenPositions) {
  auto model = Stories();
  const std::vector<search::Passage> passages = Passages();
  const RagPrompt prompt = BuildRagPrompt(Tokenizer(), kFamily, passages, "Who lost the dog?");
  const Kvs kvs = ComputeAll(*model, passages);
  const std::vector<float> cold = ColdPrefill(*model, prompt);
  for (uint32_t first : {0u, 4u, 16u}) {
    RecomputePolicy policy;
    policy.body_tokens = first;
    std::vector<float> logits(model->config().vocab_size);
    AssemblyStats stats;
    ASSERT_TRUE(AssemblePrompt(*model, 0, prompt, kvs.ptrs, policy, logits, &stats).ok());
    uint32_t want_placed = prompt.segments[0].end;
    for (const PromptSegment& s : prompt.segments) {
      if (s.kind == PromptSegment::Kind::kPassage) {
        want_placed += s.end - s.begin - std::min(first, s.end - s.begin);
      }
    }
    EXPECT_EQ(stats.placed, want_placed);
    EXPECT_EQ(stats.placed + stats.recomputed, prompt.tokens.size());
    // How far from the cold prefill (reported; fidelity is measured by docent kv-fidelity).
    double kl = 0, max = cold[0], max_a = logits[0], z = 0, z_a = 0;
    for (size_t i = 0; i < cold.size(); ++i) {
      max = std::max<double>(max, cold[i]);
      max_a = std::max<double>(max_a, logits[i]);
      ASSERT_TRUE(std::isfinite(logits[i]));
    }
    for (size_t i = 0; i < cold.size(); ++i) {
      z += std::exp(cold[i] - max);
      z_a += std::exp(logits[i] - max_a);
    }
    for (size_t i = 0; i < cold.size(); ++i) {
      const double p = std::exp(cold[i] - max) / z, q = std::exp(logits[i] - max_a) / z_a;
      if (p > 0) kl += p * std::log(p / std::max(q, 1e-300));
    }
    std::cout << "[ assembly ] first " << first
              << " tokens of each passage recomputed: " << stats.recomputed << " of "
              << prompt.tokens.size() << " positions, KL " << kl << ", top-1 "
              << (llm::ArgMax(logits) == llm::ArgMax(cold) ? "same" : "differs") << "\n";
  }
}

// The store's other type: with a Q8_0 cache (and so Q8_0 entries), exactness holds the same
// way, on a synthetic model whose heads are a multiple of 32 wide.
TEST(ContextAssemblyTest, AQ8CacheIsExactWhereAnF16OneIs) {
  llm::SynthModelSpec spec;
  spec.arch = llm::ModelArch::kQwen2;
  spec.weight_type = llm::GgmlType::kQ8_0;
  auto writer = llm::BuildSynthModel(spec, testing::StoriesGguf());
  ASSERT_TRUE(writer.ok());
  const std::vector<uint8_t> bytes = writer->Serialize();
  auto file = llm::GgufFile::FromBytes(bytes, "synth.gguf");
  ASSERT_TRUE(file.ok());
  llm::ModelOptions options;
  options.n_seq = 3;
  options.max_positions = 512;
  options.kv_storage = llm::KvStorage::kQ8_0;
  auto model = llm::Model::FromFile(std::move(file).value(), options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<search::Passage> passages = Passages();
  const std::vector<search::Passage> one = {passages[1]};
  for (const auto& set : {one, passages}) {
    const RagPrompt prompt = BuildRagPrompt(Tokenizer(), kFamily, set, "Who lost the dog?");
    const Kvs kvs = ComputeAll(**model, set);
    std::vector<float> logits((*model)->config().vocab_size);
    RecomputePolicy policy;
    policy.body_tokens = 0;
    policy.everything = set.size() > 1;  // one passage: placed; several: all recomputed
    ASSERT_TRUE(AssemblePrompt(**model, 0, prompt, kvs.ptrs, policy, logits).ok());
    EXPECT_TRUE(BitEqual(logits, ColdPrefill(**model, prompt))) << set.size() << " passages";
  }
}

}  // namespace
}  // namespace docent::rag
