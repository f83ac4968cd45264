// The batched engine against the scalar reference pass, and its determinism contract: a
// sequence's logits are bit-identical alone or in a batch with 1..15 others at any place in
// it, whether its prompt runs in one step, in chunks or token by token, and at any thread
// count. Synthetic models in several tensor types stand in for real ones (model_synth.h).
#include "docent/llm/forward_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/forward_ops.h"
#include "docent/llm/half.h"
#include "docent/llm/model.h"
#include "docent/llm/model_synth.h"
#include "docent/llm/sampler.h"
#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::llm {
namespace {

using ::testing::HasSubstr;

const GgufFile& Vocab() {
  return testing::StoriesGguf();
}

// The bytes of a synthetic model, built once per (arch, type).
const std::vector<uint8_t>& SynthBytes(ModelArch arch, GgmlType type) {
  static std::map<std::pair<int, int>, std::vector<uint8_t>>* cache =
      new std::map<std::pair<int, int>, std::vector<uint8_t>>();
  auto key = std::make_pair(static_cast<int>(arch), static_cast<int>(type));
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  SynthModelSpec spec;
  spec.arch = arch;
  spec.weight_type = type;
  spec.seed = 7 + static_cast<uint64_t>(type);
  auto w = BuildSynthModel(spec, Vocab());
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) std::abort();
  return (*cache)[key] = w->Serialize();
}

std::unique_ptr<Model> Load(const std::vector<uint8_t>& bytes, ModelOptions options) {
  auto file = GgufFile::FromBytes(bytes, "synth.gguf");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) std::abort();
  auto m = Model::FromFile(std::move(file).value(), options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) std::abort();
  return std::move(m).value();
}

ModelOptions Options(uint32_t n_seq, int threads) {
  ModelOptions o;
  o.n_seq = n_seq;
  o.max_positions = 128;
  o.threads = threads;
  return o;
}

using testing::RandomPrompt;

bool BitEqual(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct TypeCase {
  GgmlType type;
  // Max |fast - reference| over the logits, relative to the reference's largest |logit|: the
  // fast path quantises activations to 8 bits for quantised weights and rounds them to F16 /
  // BF16 for those weights (as llama.cpp does), the reference multiplies in f32. Even in f32 the
  // two differ by more than the sums' reordering: a query or attention weight that lands on the
  // other side of an F16 rounding boundary (both round them, as llama.cpp's F16 cache does) moves
  // the result by an F16 ulp.
  float tolerance;
};

class ForwardBatchTypeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(ForwardBatchTypeTest, FastPathTracksTheReference) {
  const auto& bytes = SynthBytes(ModelArch::kQwen2, GetParam().type);
  ModelOptions ref_options = Options(1, 1);
  ref_options.reference = true;
  auto ref = Load(bytes, ref_options);
  auto fast = Load(bytes, Options(1, 2));
  const std::vector<uint32_t> prompt = RandomPrompt(1, 12);
  std::vector<float> want(ref->config().vocab_size);
  std::vector<float> got(want.size());
  float worst = 0.0f;
  for (uint32_t pos = 0; pos < prompt.size(); ++pos) {
    ASSERT_TRUE(ref->ForwardInto(0, prompt[pos], pos, want).ok());
    ASSERT_TRUE(fast->ForwardInto(0, prompt[pos], pos, got).ok());
    float scale = 0.0f;
    float diff = 0.0f;
    for (size_t i = 0; i < want.size(); ++i) {
      scale = std::max(scale, std::abs(want[i]));
      diff = std::max(diff, std::abs(want[i] - got[i]));
    }
    worst = std::max(worst, diff / scale);
  }
  EXPECT_LE(worst, GetParam().tolerance) << GgmlTypeName(GetParam().type);
  std::cout << "[ " << GgmlTypeName(GetParam().type) << " ] fast vs reference: max relative "
            << worst << " (kernels " << kernels::IsaName(fast->isa()) << ")\n";
}

INSTANTIATE_TEST_SUITE_P(
    Types, ForwardBatchTypeTest,
    ::testing::Values(TypeCase{GgmlType::kF32, 5e-4f}, TypeCase{GgmlType::kF16, 3e-3f},
                      TypeCase{GgmlType::kBF16, 1e-2f}, TypeCase{GgmlType::kQ8_0, 0.03f},
                      TypeCase{GgmlType::kQ4_0, 0.05f}, TypeCase{GgmlType::kQ4_K, 0.05f},
                      TypeCase{GgmlType::kQ6_K, 0.03f}),
    [](const ::testing::TestParamInfo<TypeCase>& info) {
      return std::string(GgmlTypeName(info.param.type));
    });

TEST(ForwardBatchTest, PromptInOneStepInChunksOrTokenByTokenIsBitIdentical) {
  for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kF16}) {
    const auto& bytes = SynthBytes(ModelArch::kLlama, type);
    auto model = Load(bytes, Options(1, 2));
    const uint32_t vocab = model->config().vocab_size;
    const std::vector<uint32_t> prompt = RandomPrompt(2, 70);
    std::vector<float> whole(vocab), chunked(vocab), single(vocab);
    ASSERT_TRUE(model->Prefill(0, prompt, 0, whole).ok());
    model->ResetSequence(0);
    for (uint32_t at = 0; at < prompt.size(); at += 13) {
      const size_t n = std::min<size_t>(13, prompt.size() - at);
      ASSERT_TRUE(model->Prefill(0, std::span(prompt).subspan(at, n), at, chunked).ok());
    }
    model->ResetSequence(0);
    for (uint32_t pos = 0; pos < prompt.size(); ++pos) {
      ASSERT_TRUE(model->ForwardInto(0, prompt[pos], pos, single).ok());
    }
    EXPECT_TRUE(BitEqual(whole, chunked)) << GgmlTypeName(type);
    EXPECT_TRUE(BitEqual(whole, single)) << GgmlTypeName(type);
  }
}

TEST(ForwardBatchTest, ASequenceGetsTheSameLogitsAloneOrBatchedWithUpTo15Others) {
  const auto& bytes = SynthBytes(ModelArch::kQwen2, GgmlType::kQ4_0);
  auto alone = Load(bytes, Options(1, 2));
  auto batched = Load(bytes, Options(16, 2));
  const uint32_t vocab = alone->config().vocab_size;
  const std::vector<uint32_t> target = RandomPrompt(3, 9);

  // The target alone: its prompt in one step, then 6 greedy steps.
  std::vector<std::vector<float>> want;
  std::vector<float> logits(vocab);
  ASSERT_TRUE(alone->Prefill(0, target, 0, logits).ok());
  want.push_back(logits);
  std::vector<uint32_t> generated;
  for (uint32_t step = 0; step < 6; ++step) {
    generated.push_back(ArgMax(logits));
    ASSERT_TRUE(
        alone->ForwardInto(0, generated.back(), static_cast<uint32_t>(target.size()) + step, logits)
            .ok());
    want.push_back(logits);
  }

  std::mt19937 rng(5);
  for (uint32_t others = 1; others <= 15; ++others) {
    for (uint32_t s = 0; s < 16; ++s) batched->ResetSequence(s);
    const uint32_t target_seq = rng() % (others + 1);
    // Other sequences: prompts of different lengths, all in the same step as the target's
    // prompt, the target's entries placed among them; then decode steps together.
    std::vector<BatchEntry> batch;
    std::vector<uint32_t> lengths(others + 1, 0);
    size_t target_logit = 0;
    size_t n_logits = 0;
    for (uint32_t s = 0; s <= others; ++s) {
      const std::vector<uint32_t> p =
          s == target_seq ? target : RandomPrompt(100 + s, 1 + rng() % 20);
      for (uint32_t i = 0; i < p.size(); ++i) {
        const bool last = i + 1 == p.size();
        if (last && s == target_seq) target_logit = n_logits;
        batch.push_back({s, p[i], i, last});
        n_logits += last;
      }
      lengths[s] = static_cast<uint32_t>(p.size());
    }
    std::vector<float> out(n_logits * vocab);
    ASSERT_TRUE(batched->Decode(batch, out).ok());
    EXPECT_TRUE(BitEqual(std::span(out).subspan(target_logit * vocab, vocab), want[0]))
        << others << " others, prompt step";
    for (uint32_t step = 0; step < 6; ++step) {
      batch.clear();
      // A different order each step: the target's place in the batch moves.
      std::vector<uint32_t> order(others + 1);
      for (uint32_t s = 0; s <= others; ++s) order[s] = s;
      std::shuffle(order.begin(), order.end(), rng);
      for (uint32_t k = 0; k <= others; ++k) {
        const uint32_t s = order[k];
        if (s == target_seq) target_logit = k;
        const uint32_t token = s == target_seq ? generated[step] : 3 + (s * 31 + step) % 400;
        batch.push_back({s, token, lengths[s]++, true});
      }
      out.resize(batch.size() * vocab);
      ASSERT_TRUE(batched->Decode(batch, out).ok());
      EXPECT_TRUE(BitEqual(std::span(out).subspan(target_logit * vocab, vocab), want[step + 1]))
          << others << " others, decode step " << step;
    }
  }
}

// Determinism across a fleet of mixed CPUs: a model's logits are the same bits whichever SIMD
// path computes them (issue 12). Every architecture and tensor type, a prompt long enough for
// the attention kernels' four-key blocks and their tails, then greedy decode steps; each
// supported SIMD path against AVX2. (The scalar reference sums in another order and is held to
// a tolerance instead, FastPathTracksTheReference.)
struct PathCase {
  ModelArch arch;
  GgmlType type;
  KvStorage kv;
};

class SimdPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(SimdPathTest, EverySimdPathGivesBitIdenticalLogits) {
  if (!kernels::IsaSupported(kernels::Isa::kAvx2)) {
    GTEST_SKIP() << "this CPU lacks AVX2 (no SIMD path to compare)";
  }
  std::vector<kernels::Isa> paths;
  for (kernels::Isa isa :
       {kernels::Isa::kAvx2, kernels::Isa::kAvxVnni, kernels::Isa::kAvx512Vnni}) {
    if (kernels::IsaSupported(isa)) paths.push_back(isa);
  }
  if (paths.size() < 2) {
    GTEST_SKIP() << "this CPU lacks AVX-VNNI and AVX-512 VNNI: AVX2 is its only SIMD path";
  }
  const PathCase& c = GetParam();
  const auto& bytes = SynthBytes(c.arch, c.type);
  const std::vector<uint32_t> prompt = RandomPrompt(21, 37);
  std::vector<std::vector<float>> want;
  for (kernels::Isa isa : paths) {
    ModelOptions o = Options(1, 2);
    o.isa = isa;
    o.kv_storage = c.kv;
    auto model = Load(bytes, o);
    ASSERT_EQ(model->isa(), isa);
    std::vector<std::vector<float>> got;
    std::vector<float> logits(model->config().vocab_size);
    ASSERT_TRUE(model->Prefill(0, prompt, 0, logits).ok());
    got.push_back(logits);
    for (uint32_t step = 0; step < 6; ++step) {
      const uint32_t pos = static_cast<uint32_t>(prompt.size()) + step;
      ASSERT_TRUE(model->ForwardInto(0, ArgMax(logits), pos, logits).ok());
      got.push_back(logits);
    }
    if (want.empty()) {
      want = std::move(got);
      continue;
    }
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_TRUE(BitEqual(want[i], got[i]))
          << kernels::IsaName(isa) << " differs from avx2 at step " << i;
    }
  }
}

// Matrices repacked into tiles at load (ModelOptions::tile_weights, the default) give the bits
// of the GGUF row layout: prefill (the prompt kernels) and single-token steps (decode).
TEST(TiledWeightsTest, RepackedMatricesGiveBitIdenticalLogits) {
  std::vector<kernels::Isa> paths;
  for (kernels::Isa isa :
       {kernels::Isa::kAvx2, kernels::Isa::kAvxVnni, kernels::Isa::kAvx512Vnni}) {
    if (kernels::IsaSupported(isa)) paths.push_back(isa);
  }
  if (paths.empty()) GTEST_SKIP() << "this CPU lacks AVX2: no level tiles its weights";
  const std::vector<uint32_t> prompt = RandomPrompt(21, 41);
  for (GgmlType type : {GgmlType::kQ4_0, GgmlType::kQ8_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    const auto& bytes = SynthBytes(ModelArch::kQwen2, type);
    for (kernels::Isa isa : paths) {
      std::vector<std::vector<float>> runs[2];
      for (bool tile : {false, true}) {
        ModelOptions o = Options(1, 2);
        o.isa = isa;
        o.tile_weights = tile;
        auto model = Load(bytes, o);
        ASSERT_EQ(model->weights().layers[0].ffn_down.layout,
                  tile ? kernels::WeightLayout::kTiles16 : kernels::WeightLayout::kRows);
        std::vector<float> logits(model->config().vocab_size);
        ASSERT_TRUE(model->Prefill(0, prompt, 0, logits).ok());
        runs[tile].push_back(logits);
        for (uint32_t step = 0; step < 4; ++step) {
          const uint32_t pos = static_cast<uint32_t>(prompt.size()) + step;
          ASSERT_TRUE(model->ForwardInto(0, ArgMax(logits), pos, logits).ok());
          runs[tile].push_back(logits);
        }
      }
      for (size_t i = 0; i < runs[0].size(); ++i) {
        EXPECT_TRUE(BitEqual(runs[0][i], runs[1][i]))
            << GgmlTypeName(type) << " " << kernels::IsaName(isa) << " step " << i;
      }
    }
  }
}

std::vector<PathCase> AllPathCases() {
  std::vector<PathCase> cases;
  for (ModelArch arch :
       {ModelArch::kQwen2, ModelArch::kQwen3, ModelArch::kExaone, ModelArch::kLlama}) {
    for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0,
                          GgmlType::kQ4_0, GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,
                          GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K}) {
      cases.push_back({arch, type, KvStorage::kF16});
    }
  }
  // The other KV storages run their own attention code.
  cases.push_back({ModelArch::kQwen2, GgmlType::kQ4_0, KvStorage::kQ8_0});
  cases.push_back({ModelArch::kQwen2, GgmlType::kQ4_0, KvStorage::kF32});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllModels, SimdPathTest, ::testing::ValuesIn(AllPathCases()),
                         [](const ::testing::TestParamInfo<PathCase>& info) {
                           const char* arch = info.param.arch == ModelArch::kQwen2    ? "qwen2"
                                              : info.param.arch == ModelArch::kQwen3  ? "qwen3"
                                              : info.param.arch == ModelArch::kExaone ? "exaone"
                                                                                      : "llama";
                           const char* kv = info.param.kv == KvStorage::kF16    ? ""
                                            : info.param.kv == KvStorage::kQ8_0 ? "_kvQ8_0"
                                                                                : "_kvF32";
                           return std::string(arch) + "_" +
                                  std::string(GgmlTypeName(info.param.type)) + kv;
                         });

// Keys computed for one place, moved to another (chunk KV reuse): at layer 0 a key depends
// only on its token and position, so a chunk's layer-0 keys computed after a prefix of one
// length and turned by the difference match those computed after a prefix of another length,
// up to the F16 cache's rounding (each stored key is rounded once fresh, twice moved: within
// 2^-10 of the head's largest value). Both rotary layouts, forwards and backwards; values do
// not move. Deeper layers see the different prefixes and are not compared.
TEST(ForwardBatchTest, MovedKeysMatchKeysComputedAtTheNewPlace) {
  for (ModelArch arch : {ModelArch::kLlama, ModelArch::kQwen2}) {
    const auto& bytes = SynthBytes(arch, GgmlType::kF32);
    auto model = Load(bytes, Options(2, 2));
    const ModelConfig& c = model->config();
    const std::vector<uint32_t> chunk = RandomPrompt(8, 20);
    for (const auto& [a, b] : {std::pair<uint32_t, uint32_t>{3, 40}, {40, 3}}) {
      // Sequence 0: a prefix of a tokens, then the chunk; sequence 1: b tokens, the chunk.
      for (uint32_t s : {0u, 1u}) {
        std::vector<uint32_t> tokens = RandomPrompt(30 + s, s == 0 ? a : b);
        tokens.insert(tokens.end(), chunk.begin(), chunk.end());
        std::vector<float> logits(c.vocab_size);
        ASSERT_TRUE(model->Prefill(s, tokens, 0, logits).ok());
      }
      const RopeParams rope{c.rope_type, c.n_rot, c.rope_freq_base, c.rope_freq_scale,
                            model->weights().rope_freq_factors};
      const size_t row = model->cache().KeyRowStride();
      const std::vector<uint16_t> values_before(
          model->cache().ValuesF16(0, 0) + a * model->cache().ValueRowStride(),
          model->cache().ValuesF16(0, 0) + (a + chunk.size()) * model->cache().ValueRowStride());
      model->mutable_cache().RotateKeys(0, a, static_cast<uint32_t>(chunk.size()), rope,
                                        int64_t{b} - int64_t{a});
      const uint16_t* moved = model->cache().KeysF16(0, 0) + a * row;
      const uint16_t* fresh = model->cache().KeysF16(1, 0) + b * row;
      for (size_t p = 0; p < chunk.size(); ++p) {
        for (size_t h = 0; h < c.n_head_kv; ++h) {
          float largest = 0;
          for (size_t i = 0; i < c.head_dim_k; ++i) {
            largest =
                std::max(largest, std::abs(HalfToFloat(fresh[p * row + h * c.head_dim_k + i])));
          }
          for (size_t i = 0; i < c.head_dim_k; ++i) {
            const size_t at = p * row + h * c.head_dim_k + i;
            EXPECT_NEAR(HalfToFloat(moved[at]), HalfToFloat(fresh[at]), largest / 1024)
                << RopeTypeName(c.rope_type) << " " << a << " -> " << b << ", position " << p;
          }
        }
      }
      const std::vector<uint16_t> values_after(
          model->cache().ValuesF16(0, 0) + a * model->cache().ValueRowStride(),
          model->cache().ValuesF16(0, 0) + (a + chunk.size()) * model->cache().ValueRowStride());
      EXPECT_EQ(values_before, values_after);
    }
  }
}

TEST(ForwardBatchTest, ThreadCountDoesNotChangeABit) {
  const auto& bytes = SynthBytes(ModelArch::kQwen3, GgmlType::kQ8_0);
  const std::vector<uint32_t> prompt = RandomPrompt(4, 40);
  std::vector<float> first;
  for (int threads : {1, 2, 3}) {
    auto model = Load(bytes, Options(1, threads));
    std::vector<float> logits(model->config().vocab_size);
    ASSERT_TRUE(model->Prefill(0, prompt, 0, logits).ok());
    if (first.empty()) {
      first = logits;
    } else {
      EXPECT_TRUE(BitEqual(first, logits)) << threads << " threads";
    }
  }
}

TEST(ForwardBatchTest, Q8CacheStaysCloseToF16) {
  const auto& bytes = SynthBytes(ModelArch::kQwen2, GgmlType::kQ8_0);
  ModelOptions q8_options = Options(1, 2);
  q8_options.kv_storage = KvStorage::kQ8_0;
  auto f16 = Load(bytes, Options(1, 2));
  auto q8 = Load(bytes, q8_options);
  const std::vector<uint32_t> prompt = RandomPrompt(6, 30);
  std::vector<float> a(f16->config().vocab_size), b(a.size());
  ASSERT_TRUE(f16->Prefill(0, prompt, 0, a).ok());
  ASSERT_TRUE(q8->Prefill(0, prompt, 0, b).ok());
  float scale = 0.0f, diff = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, std::abs(a[i]));
    diff = std::max(diff, std::abs(a[i] - b[i]));
  }
  EXPECT_GT(diff, 0.0f);  // it really is another cache
  EXPECT_LE(diff / scale, 0.05f);
  // stories260K's 8-wide heads cannot be stored in 32-value blocks.
  ModelOptions bad;
  bad.kv_storage = KvStorage::kQ8_0;
  auto stories = Model::Load(testing::SharedDir() / "models/stories260K.gguf", bad);
  ASSERT_FALSE(stories.ok());
  EXPECT_THAT(stories.status().message(), HasSubstr("multiples of 32"));
}

TEST(ForwardBatchTest, BadBatchesAreErrorsAndComputeNothing) {
  const auto& bytes = SynthBytes(ModelArch::kLlama, GgmlType::kQ8_0);
  auto model = Load(bytes, Options(2, 1));
  const uint32_t vocab = model->config().vocab_size;
  std::vector<float> one(vocab);
  auto expect = [&](std::vector<BatchEntry> batch, size_t n_logits, const std::string& part) {
    std::vector<float> out(n_logits * vocab);
    const Status st = model->Decode(batch, out);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr(part));
  };
  expect({{0, 1, 0, true}, {0, 2, 2, true}}, 2, "needs position 1 next");
  expect({{0, 1, 3, true}}, 1, "skips ahead");
  expect({{0, vocab, 0, true}}, 1, "outside the vocabulary");
  expect({{2, 1, 0, true}}, 1, "outside the KV cache");
  expect({{0, 1, 0, true}}, 2, "logits must hold");
  expect({{0, 1, 4096, true}}, 1, "past the context");
  EXPECT_EQ(model->SequenceLength(0), 0u);
  // Interleaved sequences, each in order, are fine.
  std::vector<float> two(2 * vocab);
  const std::vector<BatchEntry> interleaved = {
      {0, 1, 0, false}, {1, 5, 0, false}, {0, 2, 1, true}, {1, 6, 1, true}};
  EXPECT_TRUE(model->Decode(interleaved, two).ok());
  EXPECT_EQ(model->SequenceLength(0), 2u);
  EXPECT_EQ(model->SequenceLength(1), 2u);
}

}  // namespace
}  // namespace docent::llm
