// The one-token reference forward pass (see forward_reference.h).
#include "docent/llm/forward_reference.h"

#include <cmath>
#include <string>

#include "docent/llm/forward_ops.h"
#include "docent/llm/matvec.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

Status MatVec(const WeightMatrix& w, std::span<const float> x, std::span<float> y) {
  Status st = MatVecF32(w.type, w.data, x, y);
  if (!st.ok()) return st.WithContext(std::string(w.name));
  return st;
}

void AddBias(std::span<float> y, const std::vector<float>& bias) {
  for (size_t i = 0; i < bias.size(); ++i) y[i] += bias[i];
}

}  // namespace

ForwardReference::ForwardReference(const ModelConfig& c, const ModelWeights& w)
    : config_(c),
      weights_(w),
      x_(c.n_embd),
      h_(c.n_embd),
      q_(c.q_width()),
      k_(c.k_width()),
      v_(c.v_width()),
      attn_(c.attn_out_width()),
      proj_(c.n_embd),
      gate_(c.n_ff),
      up_(c.n_ff),
      scores_(c.context_length) {}

Status ForwardReference::Forward(KvCache& cache, uint32_t seq, uint32_t token, uint32_t pos,
                                 std::span<float> logits) {
  const ModelConfig& c = config_;
  if (token >= c.vocab_size) {
    return InvalidArgument("token " + std::to_string(token) + " is outside the vocabulary of " +
                           std::to_string(c.vocab_size));
  }
  if (logits.size() != c.vocab_size) return InvalidArgument("logits must hold vocab_size values");
  if (pos >= c.context_length) {
    return ResourceExhausted("position " + std::to_string(pos) +
                             " is past the model's context of " + std::to_string(c.context_length));
  }
  DOCENT_RETURN_IF_ERROR(cache.BeginPosition(seq, pos));
  DOCENT_RETURN_IF_ERROR(
      DequantizeRow(weights_.token_embd.type, weights_.token_embd.Row(token), x_));

  for (uint32_t l = 0; l < c.n_layer; ++l) {
    const LayerWeights& w = weights_.layers[l];
    RmsNorm(x_, w.attn_norm, c.rms_eps, h_);
    DOCENT_RETURN_IF_ERROR(MatVec(w.wq, h_, q_));
    DOCENT_RETURN_IF_ERROR(MatVec(w.wk, h_, k_));
    DOCENT_RETURN_IF_ERROR(MatVec(w.wv, h_, v_));
    AddBias(q_, w.bq);
    AddBias(k_, w.bk);
    AddBias(v_, w.bv);
    DOCENT_RETURN_IF_ERROR(Attention(cache, seq, l, pos));
    DOCENT_RETURN_IF_ERROR(MatVec(w.wo, attn_, proj_));
    for (uint32_t i = 0; i < c.n_embd; ++i) x_[i] += proj_[i];

    RmsNorm(x_, w.ffn_norm, c.rms_eps, h_);
    DOCENT_RETURN_IF_ERROR(MatVec(w.ffn_gate, h_, gate_));
    DOCENT_RETURN_IF_ERROR(MatVec(w.ffn_up, h_, up_));
    for (uint32_t i = 0; i < c.n_ff; ++i) gate_[i] = Silu(gate_[i]) * up_[i];
    DOCENT_RETURN_IF_ERROR(MatVec(w.ffn_down, gate_, proj_));
    for (uint32_t i = 0; i < c.n_embd; ++i) x_[i] += proj_[i];
  }
  RmsNorm(x_, weights_.output_norm, c.rms_eps, h_);
  return MatVec(weights_.output, h_, logits);
}

Status ForwardReference::Attention(KvCache& cache, uint32_t seq, uint32_t layer, uint32_t pos) {
  const ModelConfig& c = config_;
  const LayerWeights& w = weights_.layers[layer];
  const RopeParams rope{c.rope_type, c.n_rot, c.rope_freq_base, c.rope_freq_scale,
                        weights_.rope_freq_factors};
  const std::span<float> q(q_);
  const std::span<float> k(k_);
  for (uint32_t h = 0; h < c.n_head; ++h) {
    std::span<float> head = q.subspan(size_t{h} * c.head_dim_k, c.head_dim_k);
    if (!w.q_norm.empty()) RmsNorm(head, w.q_norm, c.rms_eps, head);
    ApplyRope(rope, pos, head);
  }
  for (uint32_t h = 0; h < c.n_head_kv; ++h) {
    std::span<float> head = k.subspan(size_t{h} * c.head_dim_k, c.head_dim_k);
    if (!w.k_norm.empty()) RmsNorm(head, w.k_norm, c.rms_eps, head);
    ApplyRope(rope, pos, head);
  }
  cache.Store(seq, layer, pos, k_, v_);

  const float scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim_k));
  const uint32_t group = c.n_head / c.n_head_kv;
  const std::span<float> scores = std::span<float>(scores_).first(pos + 1);
  for (uint32_t h = 0; h < c.n_head; ++h) {
    const uint32_t kv_head = h / group;
    const std::span<const float> qh = q.subspan(size_t{h} * c.head_dim_k, c.head_dim_k);
    for (uint32_t t = 0; t <= pos; ++t)
      scores[t] = cache.DotKey(seq, layer, t, kv_head, qh) * scale;
    SoftmaxInPlace(scores);
    const std::span<float> out =
        std::span<float>(attn_).subspan(size_t{h} * c.head_dim_v, c.head_dim_v);
    for (float& o : out) o = 0.0f;
    for (uint32_t t = 0; t <= pos; ++t) cache.AddValue(seq, layer, t, kv_head, scores[t], out);
  }
  return Status::Ok();
}

}  // namespace docent::llm
