// The fast forward pass: many tokens, from one or many sequences, in one pass over the
// weights, on the SIMD kernels (kernels/kernels.h) and a persistent thread pool.
//
// A prompt chunk and a step of many concurrent decodes are the same thing here: a batch of
// (sequence, token, position) entries. Each weight matrix is read once per batch and applied
// to every entry's activations (matrix-matrix), which is what makes prompts fast and lets
// concurrent requests share a decode step.
//
// Batch invariance: an entry's keys, values and logits are bit-identical whatever else is in
// the batch and wherever it sits in it. Every step is computed per entry (norms, rotary,
// attention over the entry's own sequence, in a fixed order), and the matrix kernels compute
// each output from its row and column alone. So a prompt run in chunks of any size, or token
// by token, gives the same cache and the same logits, and a request batched with others gives
// the same text as alone.
// Not thread-safe: one ForwardBatch owns scratch buffers and drives its pool.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docent/llm/kernels/kernels.h"
#include "docent/llm/kv_cache.h"
#include "docent/llm/model_config.h"
#include "docent/llm/model_weights.h"
#include "docent/util/status.h"
#include "docent/util/thread_pool.h"

namespace docent::llm {

struct BatchEntry {
  uint32_t seq = 0;
  uint32_t token = 0;
  uint32_t pos = 0;
  bool logits = false;  // whether this entry's logits are wanted
};

class ForwardBatch {
 public:
  // `config`, `weights` and `pool` must outlive this object. max_tokens bounds the scratch
  // memory: longer batches are computed in slices of max_tokens entries.
  ForwardBatch(const ModelConfig& config, const ModelWeights& weights, ThreadPool& pool,
               kernels::Isa isa, uint32_t max_tokens);

  // Runs the batch, writing vocab_size logits for each entry that asks for them, in batch
  // order, into `logits`. The entries of one sequence must come in order at consecutive
  // positions, the first at most the sequence's current length (less rewinds it); entries of
  // different sequences may interleave. InvalidArgument for a bad token, sequence or order,
  // ResourceExhausted past the context; nothing is computed then.
  Status Forward(KvCache& cache, std::span<const BatchEntry> batch, std::span<float> logits);
  // Fill mode, for prompts assembled from pieces computed elsewhere: each entry computes a
  // position inside its sequence's length (KvCache::Extend), overwriting it and leaving the
  // length alone; a sequence's entries ascend but may skip positions, whose keys and values
  // are read as they stand. Each entry attends to every position up to its own. Otherwise as
  // Forward, with the same errors.
  Status Fill(KvCache& cache, std::span<const BatchEntry> batch, std::span<float> logits);

  // As Forward, but each entry that asks for logits gets its final hidden state instead: the
  // residual stream after output_norm, n_embd values (what an embedding model's last-token
  // pooling and a reranker's classification head read; llama.cpp's "result_norm").
  Status Hidden(KvCache& cache, std::span<const BatchEntry> batch, std::span<float> hidden);

  kernels::Isa isa() const { return isa_; }

 private:
  enum class Output { kLogits, kHidden };
  Status Check(const KvCache& cache, std::span<const BatchEntry> batch, size_t out_size, bool fill,
               size_t width) const;
  Status Run(KvCache& cache, std::span<const BatchEntry> batch, std::span<float> out, bool fill,
             Output output);
  void RunSlice(KvCache& cache, std::span<const BatchEntry> batch, float* out, bool fill,
                Output output);
  // y (n_tokens rows of w.rows floats) = w applied to each token's `in` (n_tokens rows of
  // w.cols floats, `in_stride` apart).
  void MatMul(const WeightMatrix& w, const float* in, size_t in_stride, uint32_t n_tokens,
              float* out, size_t out_stride);
  // Several matrices over the same input, in one parallel step.
  struct Product {
    const WeightMatrix* w;
    float* out;
    size_t out_stride;
  };
  void MatMuls(std::span<const Product> products, const float* in, size_t in_stride,
               uint32_t n_tokens);
  // One parallel task of MatMuls: a row chunk of one product over a tile of columns.
  struct MatMulTask {
    size_t product;
    int64_t row_begin, row_end;
    uint32_t col_begin, col_end;
  };
  void Attention(KvCache& cache, std::span<const BatchEntry> batch, uint32_t layer);

  const ModelConfig& config_;
  const ModelWeights& weights_;
  ThreadPool& pool_;
  kernels::Isa isa_;
  uint32_t max_tokens_;

  // Scratch for max_tokens entries, row-major (entry after entry).
  std::vector<float> x_;           // residual stream, n_embd
  std::vector<float> h_;           // a sub-layer's normalised input, n_embd
  std::vector<float> q_;           // q_width
  std::vector<float> k_;           // k_width
  std::vector<float> v_;           // v_width
  std::vector<float> attn_;        // attn_out_width
  std::vector<float> gate_;        // n_ff
  std::vector<float> up_;          // n_ff
  std::vector<uint8_t> act_;       // prepared activations
  std::vector<MatMulTask> tasks_;  // MatMuls' task list, reused
  std::vector<float> scores_;      // per thread: one head's attention weights (Q8_0, F32 caches)
  std::vector<uint8_t> q8_;        // per thread: one query head in Q8_0 (for a Q8_0 cache)
  // An F16 cache's attention in blocks (AttentionF16Blocks): the blocks of entries, and per
  // thread the block's queries in F16 and their weights, grown as contexts grow.
  struct EntryRange {
    size_t begin, end;
  };
  std::vector<EntryRange> attention_blocks_;
  struct BlockScratch {
    std::vector<uint16_t> q16;
    std::vector<float> scores;
    // Per query of the block: its F16 row, weights row, output and position count.
    std::vector<const uint16_t*> q;
    std::vector<float*> w;
    std::vector<float*> out;
    std::vector<int64_t> n_keys;
  };
  std::vector<BlockScratch> block_scratch_;

  void AttentionF16Blocks(KvCache& cache, std::span<const BatchEntry> batch, uint32_t layer);
};

}  // namespace docent::llm
