// The batched, threaded forward pass (see forward_batch.h).
#include "docent/llm/forward_batch.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include "docent/llm/forward_ops.h"
#include "docent/llm/half.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_legacy.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

// Columns (tokens) one matrix task covers: enough that each unpacked weight block is reused
// many times, few enough that the task's activations stay in L2.
constexpr uint32_t kColumnTile = 64;
// Rows per task are a multiple of this, so the kernels' row tiles are never split.
constexpr int64_t kRowAlign = 16;
constexpr size_t kQ8BlockBytes = sizeof(BlockQ8_0);
// Multiply-adds below which a matrix task is not split further (~10 us of work).
constexpr int64_t kMinWorkPerTask = int64_t{1} << 17;

int64_t CeilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

void AddBias(float* y, const std::vector<float>& bias) {
  for (size_t i = 0; i < bias.size(); ++i) y[i] += bias[i];
}

}  // namespace

ForwardBatch::ForwardBatch(const ModelConfig& c, const ModelWeights& w, ThreadPool& pool,
                           kernels::Isa isa, uint32_t max_tokens)
    : config_(c), weights_(w), pool_(pool), isa_(isa), max_tokens_(std::max(1u, max_tokens)) {
  const size_t n = max_tokens_;
  x_.resize(n * c.n_embd);
  h_.resize(n * c.n_embd);
  q_.resize(n * c.q_width());
  k_.resize(n * c.k_width());
  v_.resize(n * c.v_width());
  attn_.resize(n * c.attn_out_width());
  gate_.resize(n * c.n_ff);
  up_.resize(n * c.n_ff);
  const size_t threads = static_cast<size_t>(pool.size());
  scores_.resize(threads * c.context_length);
  q8_.resize(threads * (c.head_dim_k / 32) * kQ8BlockBytes);
  block_scratch_.resize(threads);
}

Status ForwardBatch::Check(const KvCache& cache, std::span<const BatchEntry> batch, size_t out_size,
                           bool fill, size_t width) const {
  const ModelConfig& c = config_;
  const KvCacheShape& shape = cache.shape();
  std::vector<int64_t> next(shape.n_seq, -1);  // the position each sequence's next entry needs
  size_t wanted = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const BatchEntry& e = batch[i];
    const std::string where = "batch entry " + std::to_string(i) + ": ";
    if (e.token >= c.vocab_size) {
      return InvalidArgument(where + "token " + std::to_string(e.token) +
                             " is outside the vocabulary of " + std::to_string(c.vocab_size));
    }
    if (e.seq >= shape.n_seq) {
      return InvalidArgument(where + "sequence " + std::to_string(e.seq) +
                             " is outside the KV cache (" + std::to_string(shape.n_seq) +
                             " sequences)");
    }
    if (e.pos >= c.context_length || e.pos >= shape.max_positions) {
      return ResourceExhausted(where + "position " + std::to_string(e.pos) +
                               " is past the context of " +
                               std::to_string(std::min(c.context_length, shape.max_positions)));
    }
    if (fill) {
      if (e.pos >= cache.Length(e.seq) || int64_t{e.pos} < next[e.seq]) {
        return InvalidArgument(where + "position " + std::to_string(e.pos) +
                               " is not inside sequence " + std::to_string(e.seq) + " (" +
                               std::to_string(cache.Length(e.seq)) +
                               " positions) after the entries before it");
      }
    } else if (next[e.seq] < 0) {
      if (e.pos > cache.Length(e.seq)) {
        return InvalidArgument(where + "position " + std::to_string(e.pos) +
                               " skips ahead of sequence " + std::to_string(e.seq) +
                               ", which holds " + std::to_string(cache.Length(e.seq)) +
                               " positions");
      }
    } else if (e.pos != next[e.seq]) {
      return InvalidArgument(where + "sequence " + std::to_string(e.seq) + " needs position " +
                             std::to_string(next[e.seq]) + " next, not " + std::to_string(e.pos));
    }
    next[e.seq] = int64_t{e.pos} + 1;
    if (e.logits) ++wanted;
  }
  if (out_size != wanted * width) {
    return InvalidArgument(std::string(width == c.vocab_size ? "logits" : "hidden states") +
                           " must hold " + std::to_string(wanted) + " x " + std::to_string(width) +
                           " values");
  }
  return Status::Ok();
}

Status ForwardBatch::Forward(KvCache& cache, std::span<const BatchEntry> batch,
                             std::span<float> logits) {
  return Run(cache, batch, logits, /*fill=*/false, Output::kLogits);
}

Status ForwardBatch::Fill(KvCache& cache, std::span<const BatchEntry> batch,
                          std::span<float> logits) {
  return Run(cache, batch, logits, /*fill=*/true, Output::kLogits);
}

Status ForwardBatch::Hidden(KvCache& cache, std::span<const BatchEntry> batch,
                            std::span<float> hidden) {
  return Run(cache, batch, hidden, /*fill=*/false, Output::kHidden);
}

Status ForwardBatch::Run(KvCache& cache, std::span<const BatchEntry> batch, std::span<float> out,
                         bool fill, Output output) {
  const size_t width = output == Output::kLogits ? config_.vocab_size : config_.n_embd;
  DOCENT_RETURN_IF_ERROR(Check(cache, batch, out.size(), fill, width));
  float* at = out.data();
  for (size_t begin = 0; begin < batch.size(); begin += max_tokens_) {
    const std::span<const BatchEntry> slice =
        batch.subspan(begin, std::min<size_t>(max_tokens_, batch.size() - begin));
    RunSlice(cache, slice, at, fill, output);
    for (const BatchEntry& e : slice) at += e.logits ? width : 0;
  }
  return Status::Ok();
}

void ForwardBatch::MatMuls(std::span<const Product> products, const float* in, size_t in_stride,
                           uint32_t n_tokens) {
  // Products over one input share its prepared activations when their types agree (they
  // nearly always do); a mixed set (Q4_K_M files mix Q4_K and Q6_K) runs one step per type.
  assert(products.size() <= 32 && "a handful of products share an input");
  const int64_t n = products[0].w->cols;
  uint32_t done = 0;  // bit i: product i is computed
  for (size_t first = 0; first < products.size(); ++first) {
    if (done >> first & 1u) continue;
    const GgmlType type = products[first].w->type;
    const size_t act_bytes = kernels::ActivationBytes(type, n);
    if (act_.size() < act_bytes * n_tokens) act_.resize(act_bytes * n_tokens);
    uint8_t* act = act_.data();
    pool_.ParallelFor(n_tokens, [&](int64_t t, int) {
      kernels::PrepareActivations(isa_, type, in + t * in_stride, n, act + t * act_bytes);
    });

    // Tasks: (matrix, row chunk, column tile), row chunks sized so that there are a few
    // tasks per thread to balance uneven progress.
    uint32_t group = 0;  // the products of this type
    int64_t total_rows = 0;
    for (size_t i = first; i < products.size(); ++i) {
      if (!(done >> i & 1u) && products[i].w->type == type) {
        group |= 1u << i;
        total_rows += products[i].w->rows;
      }
    }
    done |= group;
    const int64_t col_tiles = CeilDiv(n_tokens, kColumnTile);
    // Tiny products (small models, short rows) are not worth waking another thread for.
    const int64_t work = total_rows * n * n_tokens;
    const int64_t want_tasks =
        std::clamp<int64_t>(work / kMinWorkPerTask, 1, int64_t{pool_.size()} * 4);
    const int64_t row_chunk = std::max<int64_t>(
        kRowAlign, CeilDiv(CeilDiv(total_rows * col_tiles, want_tasks), kRowAlign) * kRowAlign);
    tasks_.clear();
    for (size_t i = first; i < products.size(); ++i) {
      if (!(group >> i & 1u)) continue;
      const int64_t rows = products[i].w->rows;
      for (int64_t r = 0; r < rows; r += row_chunk) {
        for (uint32_t c = 0; c < n_tokens; c += kColumnTile) {
          tasks_.push_back(
              {i, r, std::min(rows, r + row_chunk), c, std::min(n_tokens, c + kColumnTile)});
        }
      }
    }
    pool_.ParallelFor(static_cast<int64_t>(tasks_.size()), [&](int64_t ti, int) {
      const MatMulTask& task = tasks_[ti];
      const Product& p = products[task.product];
      kernels::MatMulArgs args;
      args.type = p.w->type;
      args.w = p.w->tiled.empty() ? p.w->data.data() : p.w->tiled.data();
      args.w_row_bytes = p.w->row_bytes;
      args.layout = p.w->layout;
      args.n = n;
      args.x = act + size_t{task.col_begin} * act_bytes;
      args.x_stride = act_bytes;
      args.n_cols = task.col_end - task.col_begin;
      args.y = p.out + size_t{task.col_begin} * p.out_stride;
      args.y_stride = static_cast<int64_t>(p.out_stride);
      kernels::MatMul(isa_, args, task.row_begin, task.row_end);
    });
  }
}

void ForwardBatch::MatMul(const WeightMatrix& w, const float* in, size_t in_stride,
                          uint32_t n_tokens, float* out, size_t out_stride) {
  const Product p{&w, out, out_stride};
  MatMuls(std::span<const Product>(&p, 1), in, in_stride, n_tokens);
}

// Consecutive entries of one sequence per attention block: they read the same keys, so a block
// of kTokensPerBlock tokens times the heads of a KV group (28 queries on Qwen2.5-0.5B) walks
// the context once (kernels::AttentionScoresF16Block) where one query at a time walked it 28
// times. Each output keeps the one-query kernels' bits, so the logits do not change.
constexpr size_t kTokensPerBlock = 4;

void ForwardBatch::AttentionF16Blocks(KvCache& cache, std::span<const BatchEntry> batch,
                                      uint32_t layer) {
  const ModelConfig& c = config_;
  const float scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));
  const uint32_t group = c.n_head / c.n_head_kv;
  attention_blocks_.clear();
  for (size_t t = 0; t < batch.size();) {
    size_t e = t + 1;
    while (e < batch.size() && e - t < kTokensPerBlock && batch[e].seq == batch[t].seq) ++e;
    attention_blocks_.push_back({t, e});
    t = e;
  }
  pool_.ParallelFor(
      static_cast<int64_t>(attention_blocks_.size()) * c.n_head_kv, [&](int64_t task, int thread) {
        const EntryRange block = attention_blocks_[static_cast<size_t>(task / c.n_head_kv)];
        const uint32_t kv_head = static_cast<uint32_t>(task % c.n_head_kv);
        const int n_q = static_cast<int>((block.end - block.begin) * group);
        int64_t most = 0;
        for (size_t t = block.begin; t < block.end; ++t) {
          most = std::max<int64_t>(most, int64_t{batch[t].pos} + 1);
        }
        BlockScratch& s = block_scratch_[static_cast<size_t>(thread)];
        if (s.q16.size() < size_t(n_q) * c.head_dim_k) s.q16.resize(size_t(n_q) * c.head_dim_k);
        if (s.scores.size() < size_t(n_q) * size_t(most)) s.scores.resize(size_t(n_q) * most);
        s.q.resize(n_q);
        s.w.resize(n_q);
        s.out.resize(n_q);
        s.n_keys.resize(n_q);
        const uint16_t** q16 = s.q.data();
        float** scores = s.w.data();
        float** out = s.out.data();
        int64_t* n_keys = s.n_keys.data();
        int r = 0;
        for (size_t t = block.begin; t < block.end; ++t) {
          for (uint32_t g = 0; g < group; ++g, ++r) {
            const uint32_t head = kv_head * group + g;
            uint16_t* q = s.q16.data() + size_t(r) * c.head_dim_k;
            kernels::ToF16(isa_, q_.data() + t * c.q_width() + size_t{head} * c.head_dim_k, q,
                           c.head_dim_k);
            q16[r] = q;
            scores[r] = s.scores.data() + size_t(r) * most;
            out[r] = attn_.data() + t * c.attn_out_width() + size_t{head} * c.head_dim_v;
            n_keys[r] = int64_t{batch[t].pos} + 1;
          }
        }
        const uint32_t seq = batch[block.begin].seq;
        kernels::AttentionScoresF16Block(isa_, n_q, q16, n_keys,
                                         cache.KeysF16(seq, layer) + size_t{kv_head} * c.head_dim_k,
                                         cache.KeyRowStride(), c.head_dim_k, scale, scores);
        for (int i = 0; i < n_q; ++i) kernels::Softmax(isa_, scores[i], n_keys[i]);
        kernels::AttentionValuesF16Block(
            isa_, n_q, scores, n_keys, cache.ValuesF16(seq, layer) + size_t{kv_head} * c.head_dim_v,
            cache.ValueRowStride(), c.head_dim_v, out);
      });
}

void ForwardBatch::Attention(KvCache& cache, std::span<const BatchEntry> batch, uint32_t layer) {
  const ModelConfig& c = config_;
  if (cache.storage() == KvStorage::kF16) return AttentionF16Blocks(cache, batch, layer);
  const float scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));
  const uint32_t group = c.n_head / c.n_head_kv;
  const size_t q8_stride = size_t{c.head_dim_k} / 32 * kQ8BlockBytes;
  pool_.ParallelFor(
      int64_t{c.n_head} * static_cast<int64_t>(batch.size()), [&](int64_t task, int thread) {
        const size_t t = static_cast<size_t>(task / c.n_head);
        const uint32_t head = static_cast<uint32_t>(task % c.n_head);
        const BatchEntry& e = batch[t];
        const uint32_t kv_head = head / group;
        const float* q = q_.data() + t * c.q_width() + size_t{head} * c.head_dim_k;
        float* out = attn_.data() + t * c.attn_out_width() + size_t{head} * c.head_dim_v;
        float* scores = scores_.data() + size_t(thread) * c.context_length;
        const int64_t n_keys = int64_t{e.pos} + 1;
        if (cache.storage() == KvStorage::kQ8_0) {
          uint8_t* q8 = q8_.data() + size_t(thread) * q8_stride;
          QuantizeRowQ8_0(q, q8, c.head_dim_k);
          for (int64_t p = 0; p < n_keys; ++p) {
            scores[p] = cache.DotKeyQ8(e.seq, layer, static_cast<uint32_t>(p), kv_head, q8) * scale;
          }
        } else {
          const std::span<const float> qh(q, c.head_dim_k);
          for (int64_t p = 0; p < n_keys; ++p) {
            scores[p] = cache.DotKey(e.seq, layer, static_cast<uint32_t>(p), kv_head, qh) * scale;
          }
        }
        kernels::Softmax(isa_, scores, n_keys);
        const std::span<float> o(out, c.head_dim_v);
        for (float& v : o) v = 0.0f;
        for (int64_t p = 0; p < n_keys; ++p) {
          cache.AddValue(e.seq, layer, static_cast<uint32_t>(p), kv_head, scores[p], o);
        }
      });
}

void ForwardBatch::RunSlice(KvCache& cache, std::span<const BatchEntry> batch, float* out,
                            bool fill, Output output) {
  const ModelConfig& c = config_;
  const uint32_t n = static_cast<uint32_t>(batch.size());
  const size_t E = c.n_embd;

  // Open each sequence's positions (Check proved them consecutive and in range).
  std::vector<uint32_t> first(cache.shape().n_seq), count(cache.shape().n_seq, 0);
  for (const BatchEntry& e : batch) {
    if (count[e.seq]++ == 0) first[e.seq] = e.pos;
  }
  for (uint32_t s = 0; s < count.size(); ++s) {
    if (count[s] == 0 || fill) continue;  // fill mode writes inside the length
    const Status st = cache.BeginPositions(s, first[s], count[s]);
    assert(st.ok() && "positions were checked");
    (void)st;
  }

  const WeightMatrix& embd = weights_.token_embd;
  pool_.ParallelFor(n, [&](int64_t t, int) {
    const Status st =
        DequantizeRow(embd.type, embd.Row(batch[t].token), std::span<float>(&x_[t * E], E));
    assert(st.ok() && "embedding rows were checked at load");
    (void)st;
  });

  // Each token's rotary turn, computed once for all its heads in every layer.
  const RopeParams rope{c.rope_type, c.n_rot, c.rope_freq_base, c.rope_freq_scale,
                        weights_.rope_freq_factors};
  std::vector<RopeTurn> turns(n);
  pool_.ParallelFor(n, [&](int64_t t, int) { turns[t] = MakeRopeTurn(rope, batch[t].pos); });
  for (uint32_t l = 0; l < c.n_layer; ++l) {
    const LayerWeights& w = weights_.layers[l];
    pool_.ParallelFor(n, [&](int64_t t, int) {
      RmsNorm(std::span<const float>(&x_[t * E], E), w.attn_norm, c.rms_eps,
              std::span<float>(&h_[t * E], E));
    });
    const Product qkv[] = {{&w.wq, q_.data(), c.q_width()},
                           {&w.wk, k_.data(), c.k_width()},
                           {&w.wv, v_.data(), c.v_width()}};
    MatMuls(qkv, h_.data(), E, n);
    pool_.ParallelFor(n, [&](int64_t t, int) {
      float* q = &q_[t * c.q_width()];
      float* k = &k_[t * c.k_width()];
      float* v = &v_[t * c.v_width()];
      AddBias(q, w.bq);
      AddBias(k, w.bk);
      AddBias(v, w.bv);
      for (uint32_t h = 0; h < c.n_head; ++h) {
        const std::span<float> head(q + size_t{h} * c.head_dim_k, c.head_dim_k);
        if (!w.q_norm.empty()) RmsNorm(head, w.q_norm, c.rms_eps, head);
        ApplyRopeTurn(turns[t], head);
      }
      for (uint32_t h = 0; h < c.n_head_kv; ++h) {
        const std::span<float> head(k + size_t{h} * c.head_dim_k, c.head_dim_k);
        if (!w.k_norm.empty()) RmsNorm(head, w.k_norm, c.rms_eps, head);
        ApplyRopeTurn(turns[t], head);
      }
      cache.Store(batch[t].seq, l, batch[t].pos, std::span<const float>(k, c.k_width()),
                  std::span<const float>(v, c.v_width()));
    });
    Attention(cache, batch, l);
    MatMul(w.wo, attn_.data(), c.attn_out_width(), n, h_.data(), E);
    pool_.ParallelFor(n, [&](int64_t t, int) {
      for (size_t i = 0; i < E; ++i) x_[t * E + i] += h_[t * E + i];
      RmsNorm(std::span<const float>(&x_[t * E], E), w.ffn_norm, c.rms_eps,
              std::span<float>(&h_[t * E], E));
    });
    const Product gate_up[] = {{&w.ffn_gate, gate_.data(), c.n_ff},
                               {&w.ffn_up, up_.data(), c.n_ff}};
    MatMuls(gate_up, h_.data(), E, n);
    pool_.ParallelFor(n, [&](int64_t t, int) {
      float* g = &gate_[t * c.n_ff];
      kernels::SiluMul(isa_, g, &up_[t * c.n_ff], g, c.n_ff);
    });
    MatMul(w.ffn_down, gate_.data(), c.n_ff, n, h_.data(), E);
    pool_.ParallelFor(n, [&](int64_t t, int) {
      for (size_t i = 0; i < E; ++i) x_[t * E + i] += h_[t * E + i];
    });
  }

  // Logits only where asked for: the output matrix is the largest in most models.
  float* normed = output == Output::kHidden ? out : h_.data();
  uint32_t n_out = 0;
  for (uint32_t t = 0; t < n; ++t) {
    if (!batch[t].logits) continue;
    RmsNorm(std::span<const float>(&x_[t * E], E), weights_.output_norm, c.rms_eps,
            std::span<float>(&normed[size_t{n_out} * E], E));
    ++n_out;
  }
  if (n_out > 0 && output == Output::kLogits) {
    MatMul(weights_.output, h_.data(), E, n_out, out, c.vocab_size);
  }
}

}  // namespace docent::llm
