// A synthetic BERT model for the encoder's tests: random weights (seeded, the same values with
// every standard library), two layers of 64 wide, four heads, a WordPiece vocabulary, written
// as llama.cpp's converter writes bert GGUFs.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "docent/llm/encoder.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/quantize.h"
#include "docent/llm/sentencepiece_model.h"

namespace docent::llm::synth {

namespace fs = std::filesystem;

constexpr uint32_t kEmbd = 64, kHeads = 4, kFf = 128, kLayers = 2, kContext = 64;

// In llama.cpp's converted spelling (what it tokenizes with): word-initial pieces carry ▁,
// continuations are bare.
inline std::vector<std::string> Vocabulary() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 'a'; c <= 'z'; ++c) v.push_back("\xE2\x96\x81" + std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) v.push_back(std::string(1, c));
  for (const char* w : {"leave", "annual", "days", "employee", "the", "of", "receive", "policy",
                        "security", "laptop", "password", "travel", "budget", "approve"}) {
    v.push_back("\xE2\x96\x81" + std::string(w));
  }
  return v;
}

// Uniform in [-scale, scale] from a fixed sequence (no library distribution: the same values
// with every standard library).
class Values {
 public:
  explicit Values(uint64_t seed) : rng_(seed) {}
  std::vector<float> Next(size_t n, float scale) {
    std::vector<float> out(n);
    for (float& v : out)
      v = scale * (static_cast<float>(rng_() >> 11) / 9007199254740992.0f * 2 - 1);
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

// Writes a BERT GGUF whose matrices are `type` (norms, biases and embeddings of positions and
// token types stay F32, as converters write them).
// With `xlmr`, the vocabulary is that SentencePiece model's, laid out as llama.cpp writes
// XLM-RoBERTa (t5 tokenizer, one token type), instead of the WordPiece one.
inline fs::path WriteBert(const fs::path& dir, GgmlType type, Pooling pooling, uint64_t seed,
                          bool classifier = false, const SentencePieceModel* xlmr = nullptr) {
  GgufWriter w;
  const std::vector<std::string> wordpiece = Vocabulary();
  const uint32_t n_vocab = xlmr != nullptr ? static_cast<uint32_t>(xlmr->pieces.size() + 2)
                                           : static_cast<uint32_t>(wordpiece.size());
  const uint32_t n_types = xlmr != nullptr ? 1 : 2;
  w.SetString("general.architecture", "bert");
  w.SetU32("bert.context_length", kContext);
  w.SetU32("bert.embedding_length", kEmbd);
  w.SetU32("bert.feed_forward_length", kFf);
  w.SetU32("bert.block_count", kLayers);
  w.SetU32("bert.attention.head_count", kHeads);
  w.SetF32("bert.attention.layer_norm_epsilon", 1e-12f);
  w.SetBool("bert.attention.causal", false);
  w.SetU32("bert.pooling_type", static_cast<uint32_t>(pooling));
  if (xlmr != nullptr) {
    EXPECT_TRUE(SetXlmRobertaVocab(*xlmr, n_vocab, w).ok());
    w.SetU32("tokenizer.ggml.token_type_count", n_types);
  } else {
    w.SetString("tokenizer.ggml.model", "bert");
    w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(wordpiece));
    w.SetU32("tokenizer.ggml.token_type_count", n_types);
    w.SetU32("tokenizer.ggml.unknown_token_id", 1);
    // BOS and EOS named too: llama.cpp's WordPiece defaults (101, 102) are BERT's own ids.
    w.SetU32("tokenizer.ggml.bos_token_id", 2);
    w.SetU32("tokenizer.ggml.eos_token_id", 3);
    w.SetU32("tokenizer.ggml.mask_token_id", 4);
    w.SetU32("tokenizer.ggml.cls_token_id", 2);
    w.SetU32("tokenizer.ggml.seperator_token_id", 3);
    w.SetU32("tokenizer.ggml.padding_token_id", 0);
  }
  Values values(seed);
  auto add = [&](const std::string& name, GgmlType t, uint32_t cols, uint32_t rows, float scale,
                 float offset = 0) {
    std::vector<float> f = values.Next(static_cast<size_t>(cols) * rows, scale);
    for (float& v : f) v += offset;
    std::vector<uint8_t> data;
    if (t == GgmlType::kF32) {
      data.resize(f.size() * 4);
      std::memcpy(data.data(), f.data(), data.size());
    } else {
      const uint64_t row_bytes = RowBytes(t, cols).value();
      data.resize(row_bytes * rows);
      for (uint32_t r = 0; r < rows; ++r) {
        ASSERT_TRUE(QuantizeRow(t, std::span<const float>(&f[r * cols], cols),
                                std::span<uint8_t>(&data[r * row_bytes], row_bytes))
                        .ok());
      }
    }
    std::vector<uint64_t> dims = {cols};
    // Matrices are two-dimensional even with one row (cls.output of one label); norm weights
    // and biases are vectors.
    const bool matrix = name.ends_with(".weight") && name.find("norm") == std::string::npos;
    if (rows > 1 || matrix) {
      dims.push_back(rows);
    }
    ASSERT_TRUE(w.AddTensor(name, t, dims, std::move(data)).ok()) << name;
  };
  add("token_embd.weight", type, kEmbd, n_vocab, 0.5f);
  add("token_types.weight", GgmlType::kF32, kEmbd, n_types, 0.5f);
  add("position_embd.weight", GgmlType::kF32, kEmbd, kContext, 0.5f);
  add("token_embd_norm.weight", GgmlType::kF32, kEmbd, 1, 0.2f, 1.0f);
  add("token_embd_norm.bias", GgmlType::kF32, kEmbd, 1, 0.1f);
  for (uint32_t l = 0; l < kLayers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      add(p + m + ".weight", type, kEmbd, kEmbd, 0.15f);
      add(p + m + ".bias", GgmlType::kF32, kEmbd, 1, 0.05f);
    }
    add(p + "attn_output_norm.weight", GgmlType::kF32, kEmbd, 1, 0.2f, 1.0f);
    add(p + "attn_output_norm.bias", GgmlType::kF32, kEmbd, 1, 0.1f);
    add(p + "ffn_up.weight", type, kEmbd, kFf, 0.15f);
    add(p + "ffn_up.bias", GgmlType::kF32, kFf, 1, 0.05f);
    add(p + "ffn_down.weight", type, kFf, kEmbd, 0.1f);
    add(p + "ffn_down.bias", GgmlType::kF32, kEmbd, 1, 0.05f);
    add(p + "layer_output_norm.weight", GgmlType::kF32, kEmbd, 1, 0.2f, 1.0f);
    add(p + "layer_output_norm.bias", GgmlType::kF32, kEmbd, 1, 0.1f);
  }
  if (classifier) {
    // The head stays F32 whatever `type`: with a Q8_0 head too, docent's and llama.cpp's
    // rerank scores drift apart by up to 1.1e-3 (0.3359 / 0.3348 on this model), int8
    // roundings of the head's input flipping where the two engines' sums differ in their last
    // bits; with an F32 head they agree within 5e-4 (encoder_oracle_test.cc).
    add("cls.weight", GgmlType::kF32, kEmbd, kEmbd, 0.15f);
    add("cls.bias", GgmlType::kF32, kEmbd, 1, 0.05f);
    add("cls.output.weight", GgmlType::kF32, kEmbd, 1, 0.3f);
    add("cls.output.bias", GgmlType::kF32, 1, 1, 0.05f);
  }
  const fs::path path =
      dir / ((xlmr != nullptr ? "xlmr-" : "bert-") + std::string(GgmlTypeName(type)) + "-" +
             std::string(PoolingName(pooling)) + ".gguf");
  EXPECT_TRUE(w.WriteFile(path).ok());
  return path;
}

}  // namespace docent::llm::synth
