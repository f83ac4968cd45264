// The weight tensors of a llama-family decoder, located in a GgufFile and checked against its
// ModelConfig.
//
// Matrices are views (zero-copy) into the file's bytes in their stored type: a WeightMatrix is
// only valid while the GgufFile it came from lives. Norm weights and biases are small, so they
// are decoded to f32 and owned. The names are GGUF's: token_embd.weight, output_norm.weight,
// output.weight (absent when the output projection is tied to the embedding), and per layer
// blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up,
// ffn_down}.weight, with qwen2's blk.N.attn_{q,k,v}.bias and qwen3's
// blk.N.attn_{q,k}_norm.weight. EXAONE checkpoints are converted to these same GGUF names
// (its Hugging Face names, transformer.h.N.attn.attention.q_proj and so on, never reach a GGUF
// file). Immutable once mapped; thread-safe to read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "docent/llm/ggml_types.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/kernels/kernels.h"
#include "docent/llm/model_config.h"
#include "docent/util/status.h"

namespace docent::llm {

// A rows x cols matrix stored row after row in `type` (RowBytes(type, cols) bytes a row):
// y = W x takes x of `cols` elements to y of `rows`.
struct WeightMatrix {
  std::string_view name;
  GgmlType type = GgmlType::kF32;
  uint32_t rows = 0;
  uint32_t cols = 0;
  uint64_t row_bytes = 0;
  std::span<const uint8_t> data;  // GGUF's row layout, in the file
  // The same matrix repacked at load into the layout the kernels want (kernels.h,
  // WeightLayout), or kRows and empty. Products read this; row lookups (embeddings) and the
  // reference pass read `data`.
  kernels::WeightLayout layout = kernels::WeightLayout::kRows;
  std::span<const uint8_t> tiled;

  std::span<const uint8_t> Row(uint32_t r) const { return data.subspan(r * row_bytes, row_bytes); }
};

struct LayerWeights {
  std::vector<float> attn_norm;  // n_embd
  WeightMatrix wq, wk, wv, wo;
  std::vector<float> bq, bk, bv;      // empty when the file has no bias
  std::vector<float> q_norm, k_norm;  // head_dim_k each; qwen3 only, else empty
  std::vector<float> ffn_norm;        // n_embd
  WeightMatrix ffn_gate, ffn_up, ffn_down;
};

struct ModelWeights {
  WeightMatrix token_embd;  // n_vocab rows of n_embd
  std::vector<float> output_norm;
  WeightMatrix output;  // the embedding itself when tied
  bool tied_output = false;
  std::vector<float> rope_freq_factors;  // n_rot / 2 divisors of the rotary frequencies, or empty
  std::vector<LayerWeights> layers;
};

// Finds a file's tensors by name and maps them, checked: what MapModelWeights and the encoder
// (encoder.h) build their weights from. Errors name the file and the tensor: Corrupt for a
// missing tensor or a wrong shape, Unsupported for a type docent cannot compute with.
class TensorMapper {
 public:
  explicit TensorMapper(const GgufFile& file) : file_(file) {}

  const GgufTensorInfo* Find(const std::string& name) const { return file_.FindTensor(name); }
  Result<const GgufTensorInfo*> Require(const std::string& name) const;
  // `cols` x `rows` in GGUF order (dims[0] is the row length); trailing dims of 1 are allowed.
  Status CheckShape(const GgufTensorInfo& t, uint64_t cols, uint64_t rows) const;
  // A matrix view of `rows` rows of `cols` values, in its stored type.
  Result<WeightMatrix> Matrix(const std::string& name, uint64_t cols, uint64_t rows) const;
  Result<WeightMatrix> MatrixOf(const GgufTensorInfo& t, uint64_t cols, uint64_t rows) const;
  // A vector of `n` values decoded to f32; OptionalVector: empty when the tensor is absent.
  Result<std::vector<float>> Vector(const std::string& name, uint64_t n) const;
  Result<std::vector<float>> OptionalVector(const std::string& name, uint64_t n) const;

 private:
  const GgufFile& file_;
};

// Corrupt naming the tensor when one is missing or has the wrong shape; Unsupported when a
// tensor's type is one docent cannot compute with. qwen2 requires the q/k/v biases and qwen3
// the q/k norms; other architectures take biases when present.
Result<ModelWeights> MapModelWeights(const GgufFile& file, const ModelConfig& config);

// The repacked copies of a model's matrices (WeightMatrix::tiled): owns their bytes.
struct TiledWeights {
  std::vector<std::vector<uint8_t>> buffers;
  uint64_t bytes = 0;
};

// Repacks one matrix into the layout `isa`'s kernels want for its type, when that is not the
// file's (kernels::PreferredLayout), into a buffer of `out`, dropping the file's pages of it.
void TileMatrix(WeightMatrix& m, kernels::Isa isa, const GgufFile& file, TiledWeights& out);

// Repacks every product matrix (the layers' and the output) whose type `isa`'s kernels want in
// another layout (kernels::PreferredLayout), one matrix at a time, and drops the file's
// resident pages of each once its copy is made, so the model's memory does not double (the
// embedding's rows stay readable from the file). Done at load, before any request.
TiledWeights TileModelWeights(ModelWeights& weights, kernels::Isa isa, const GgufFile& file);

}  // namespace docent::llm
