// Writes synthetic llama-family models with random weights (see model_synth.h).
#include "docent/llm/model_synth.h"

#include <cmath>
#include <string>
#include <vector>

#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

// splitmix64: tiny, fast and identical everywhere, unlike std:: distributions whose output
// the standard leaves to the library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1).
  float Uniform() { return static_cast<float>(static_cast<double>(Next() >> 11) * 0x1p-52 - 1.0); }

 private:
  uint64_t state_;
};

Result<GgufWriteValue> ToWriteValue(const GgufValue& v) {
  using T = GgufValueType;
  GgufWriteValue out;
  out.type = v.type();
  if (v.type() == T::kString) {
    DOCENT_ASSIGN_OR_RETURN(std::string_view s, v.ToStringView());
    out.text = std::string(s);
    return out;
  }
  if (v.type() != T::kArray) {
    out.bits = v.bits();
    return out;
  }
  const GgufArray& a = *v.array();
  out.element_type = a.element_type;
  out.items.reserve(a.size);
  for (uint64_t i = 0; i < a.size; ++i) {
    GgufWriteValue item;
    item.type = a.element_type;
    if (a.element_type == T::kString) {
      item.text = std::string(a.strings[i]);
    } else if (a.element_type == T::kArray) {
      DOCENT_ASSIGN_OR_RETURN(item, ToWriteValue(a.arrays[i]));
    } else {
      const uint32_t size = FixedSizeOf(a.element_type);
      uint64_t bits = 0;
      for (uint32_t b = 0; b < size; ++b) bits |= uint64_t{a.raw[i * size + b]} << (8 * b);
      item.bits = bits;
    }
    out.items.push_back(std::move(item));
  }
  return out;
}

class Builder {
 public:
  Builder(const SynthModelSpec& spec, GgufWriter& w) : spec_(spec), w_(w), rng_(spec.seed) {}

  // rows x cols, each element uniform with variance 1 / cols (the fan-in).
  Status Matrix(const std::string& name, uint32_t cols, uint32_t rows) {
    const float bound = std::sqrt(3.0f / static_cast<float>(cols));
    std::vector<float> values(size_t{rows} * cols);
    for (float& v : values) v = bound * rng_.Uniform();
    return Add(name, spec_.weight_type, cols, rows, values);
  }
  // Values center + spread * U(-1, 1).
  Status Vector(const std::string& name, uint32_t n, float center, float spread) {
    std::vector<float> values(n);
    for (float& v : values) v = center + spread * rng_.Uniform();
    return Add(name, GgmlType::kF32, n, 1, values);
  }

 private:
  Status Add(const std::string& name, GgmlType type, uint32_t cols, uint32_t rows,
             const std::vector<float>& values) {
    if (name == spec_.omit_tensor) return Status::Ok();
    DOCENT_ASSIGN_OR_RETURN(uint64_t row_bytes, RowBytes(type, cols));
    std::vector<uint8_t> data(row_bytes * rows);
    for (uint32_t r = 0; r < rows; ++r) {
      DOCENT_RETURN_IF_ERROR(
          QuantizeRow(type, std::span<const float>(values).subspan(size_t{r} * cols, cols),
                      std::span<uint8_t>(data).subspan(r * row_bytes, row_bytes)));
    }
    std::vector<uint64_t> dims = {cols};
    if (rows > 1) dims.push_back(rows);
    return w_.AddTensor(name, type, std::move(dims), std::move(data));
  }

  const SynthModelSpec& spec_;
  GgufWriter& w_;
  Rng rng_;
};

}  // namespace

Result<uint32_t> CopyVocabulary(const GgufFile& vocab, GgufWriter& writer) {
  DOCENT_ASSIGN_OR_RETURN(const GgufArray* tokens, vocab.GetArray("tokenizer.ggml.tokens"));
  for (const GgufKeyValue& kv : vocab.metadata()) {
    if (!kv.key.starts_with("tokenizer.")) continue;
    DOCENT_ASSIGN_OR_RETURN(GgufWriteValue value, ToWriteValue(kv.value));
    writer.Set(std::string(kv.key), std::move(value));
  }
  return static_cast<uint32_t>(tokens->size);
}

Result<GgufWriter> BuildSynthModel(const SynthModelSpec& s, const GgufFile& vocab) {
  GgufWriter w;
  const std::string arch(ModelArchName(s.arch));
  const std::string p = arch + ".";
  w.SetString("general.architecture", arch);
  w.SetString("general.name", "docent synthetic " + arch);
  w.SetU32(p + "context_length", s.context_length);
  w.SetU32(p + "embedding_length", s.n_embd);
  w.SetU32(p + "block_count", s.n_layer);
  w.SetU32(p + "feed_forward_length", s.n_ff);
  w.SetU32(p + "attention.head_count", s.n_head);
  w.SetU32(p + "attention.head_count_kv", s.n_head_kv);
  w.SetF32(p + "attention.layer_norm_rms_epsilon", s.rms_eps);
  w.SetF32(p + "rope.freq_base", s.rope_freq_base);
  const uint32_t head_dim = s.head_dim != 0 ? s.head_dim : s.n_embd / s.n_head;
  if (s.head_dim != 0) {
    w.SetU32(p + "attention.key_length", head_dim);
    w.SetU32(p + "attention.value_length", head_dim);
  }
  w.SetU32(p + "rope.dimension_count", head_dim);
  DOCENT_ASSIGN_OR_RETURN(uint32_t n_vocab, CopyVocabulary(vocab, w));
  w.SetU32(p + "vocab_size", n_vocab);

  Builder b(s, w);
  DOCENT_RETURN_IF_ERROR(b.Matrix("token_embd.weight", s.n_embd, n_vocab));
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    const uint32_t q = s.n_head * head_dim;
    const uint32_t kv = s.n_head_kv * head_dim;
    DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_norm.weight", s.n_embd, 1.0f, 0.2f));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "attn_q.weight", s.n_embd, q));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "attn_k.weight", s.n_embd, kv));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "attn_v.weight", s.n_embd, kv));
    if (s.arch == ModelArch::kQwen2) {
      DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_q.bias", q, 0.0f, 0.5f));
      DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_k.bias", kv, 0.0f, 0.5f));
      DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_v.bias", kv, 0.0f, 0.5f));
    }
    if (s.arch == ModelArch::kQwen3) {
      DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_q_norm.weight", head_dim, 1.0f, 0.5f));
      DOCENT_RETURN_IF_ERROR(b.Vector(blk + "attn_k_norm.weight", head_dim, 1.0f, 0.5f));
    }
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "attn_output.weight", q, s.n_embd));
    DOCENT_RETURN_IF_ERROR(b.Vector(blk + "ffn_norm.weight", s.n_embd, 1.0f, 0.2f));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "ffn_gate.weight", s.n_embd, s.n_ff));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "ffn_up.weight", s.n_embd, s.n_ff));
    DOCENT_RETURN_IF_ERROR(b.Matrix(blk + "ffn_down.weight", s.n_ff, s.n_embd));
  }
  DOCENT_RETURN_IF_ERROR(b.Vector("output_norm.weight", s.n_embd, 1.0f, 0.2f));
  if (!s.tied_output) DOCENT_RETURN_IF_ERROR(b.Matrix("output.weight", s.n_embd, n_vocab));
  return w;
}

}  // namespace docent::llm
