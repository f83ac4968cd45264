// A BERT-family encoder (GGUF arch "bert": BERT, XLM-RoBERTa, multilingual-e5, bge-m3,
// bge-reranker-v2-m3) and its pooled outputs: the reference forward pass, computed as
// llama.cpp computes it so that embeddings agree with llama.cpp's (docs/plans/
// hybrid-retrieval.md has the sources):
//
//   x = token_embd[t] + token_types[0] + position_embd[p]     (p from 0; token type always 0)
//   x = LayerNorm(x)                                          (token_embd_norm)
//   per layer:  a = Wo · MHA(Wq x + bq, Wk x + bk, Wv x + bv) + bo    non-causal, 1/sqrt(d)
//               h = LayerNorm(a + x)                          (attn_output_norm)
//               x = LayerNorm(Wdown · GELU(Wup h + bup) + bdown + h)   (layer_output_norm)
//   pooling:    mean of every token's x | the first token's | the last token's |
//               rank: cls_out · tanh(cls · x_first + b) + b   (each head part optional)
//
// GELU is ggml's CPU GELU: the tanh form evaluated on the input rounded to half precision,
// its result rounded to half precision too (ggml's table).
//
// Matrices of any type docent computes with (F32, F16, BF16, Q8_0, Q4_0 ...) through the
// engine's kernels (kernels/kernels.h), activations prepared for each weight type as
// llama.cpp prepares them, all of a sequence's tokens in one product; attention and the norms
// are plain loops, split over the caller's thread pool when given one. Immutable after Load;
// Hidden and Pool are const and reentrant (each call with its own pool, or none).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "docent/llm/ggml_types.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/kernels/kernels.h"
#include "docent/llm/model_weights.h"
#include "docent/llm/tokenizer.h"
#include "docent/util/status.h"
#include "docent/util/thread_pool.h"

namespace docent::llm {

// bert.pooling_type's values.
enum class Pooling : uint32_t { kNone = 0, kMean = 1, kCls = 2, kLast = 3, kRank = 4 };
std::string_view PoolingName(Pooling pooling);

struct EncoderConfig {
  uint32_t n_embd = 0, n_layer = 0, n_head = 0, n_ff = 0;
  uint32_t context_length = 0;  // rows of position_embd
  uint32_t vocab_size = 0;
  float eps = 1e-12f;  // bert.attention.layer_norm_epsilon
  Pooling pooling = Pooling::kNone;
  uint32_t n_cls_out = 1;  // the classification head's outputs (rank)
};

class Encoder {
 public:
  // Unsupported for another architecture or a causal bert; Corrupt naming the key or tensor
  // for missing, mistyped or mis-shaped parts; the tokenizer's errors.
  static Result<std::unique_ptr<Encoder>> Load(const std::filesystem::path& path);
  static Result<std::unique_ptr<Encoder>> FromFile(GgufFile file);

  const EncoderConfig& config() const { return config_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const GgufFile& file() const { return file_; }
  // Whether the file has a classification head (cls / cls.output): a reranker.
  bool has_classifier() const { return cls_out_.w.rows > 0; }

  // The last layer's output, tokens.size() rows of n_embd. InvalidArgument for no tokens,
  // more than context_length, or an id outside the vocabulary. With a pool, the products,
  // attention and norms run on its threads (the result does not depend on their number);
  // the pool is the caller's, used by one call at a time (ThreadPool is not reentrant).
  Result<std::vector<float>> Hidden(std::span<const int32_t> tokens,
                                    ThreadPool* pool = nullptr) const;
  // `pooling` of Hidden(tokens): n_embd values, or n_cls_out logits for kRank (which needs
  // a classification head). kNone gives the last token's row, as llama.cpp's embeddings do.
  Result<std::vector<float>> Pool(std::span<const int32_t> tokens, Pooling pooling,
                                  ThreadPool* pool = nullptr) const;

 private:
  struct Matrix {
    WeightMatrix w;           // y (w.rows) = W x (w.cols); rows 0: absent
    std::vector<float> bias;  // empty: none
  };
  struct Norm {
    std::vector<float> weight, bias;
  };
  struct Layer {
    Matrix q, k, v, o, up, down;
    Norm attn_norm, out_norm;
  };

  explicit Encoder(GgufFile file) : file_(std::move(file)) {}
  Status Init();
  // NAME.weight (rows 0: as many rows as the file has, at least one) and NAME.bias if present.
  Result<Matrix> LoadMatrix(const TensorMapper& mapper, const std::string& name, uint32_t cols,
                            uint32_t rows, bool required = true) const;
  Result<Norm> LoadNorm(const TensorMapper& mapper, const std::string& name, uint32_t n) const;
  // y[r] = W row r · x (+ bias) for each of `n` inputs of `cols`.
  Status Apply(const Matrix& m, std::span<const float> x, size_t n, std::span<float> y,
               ThreadPool* pool = nullptr) const;

  GgufFile file_;
  EncoderConfig config_;
  std::unique_ptr<Tokenizer> tokenizer_;
  Matrix token_embd_, position_embd_;
  std::vector<float> token_type0_;  // row 0 of token_types (zeros when absent)
  Norm embd_norm_;
  std::vector<Layer> layers_;
  Matrix cls_, cls_out_;  // rows == 0: absent
  TiledWeights tiled_;    // the repacked copies the layers' matrices point at
  kernels::Isa isa_ = kernels::Isa::kScalar;
};

// ggml's CPU GELU (the tanh form through half precision, as its lookup table holds it).
float GeluGgml(float x);

}  // namespace docent::llm
