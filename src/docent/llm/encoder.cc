// The BERT-family encoder's loading and reference forward pass (see encoder.h).
#include "docent/llm/encoder.h"

#include <algorithm>
#include <cmath>

#include "docent/llm/half.h"
#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

// ggml's layer norm: mean and variance summed in double, scaled in float, then weight, bias.
void LayerNorm(std::span<float> x, std::span<const float> w, std::span<const float> b, float eps) {
  double sum = 0;
  for (float v : x) sum += v;
  const float mean = static_cast<float>(sum / static_cast<double>(x.size()));
  double sum2 = 0;
  for (float& v : x) {
    v -= mean;
    sum2 += static_cast<double>(v) * v;
  }
  const float variance = static_cast<float>(sum2 / static_cast<double>(x.size()));
  const float scale = 1.0f / std::sqrt(variance + eps);
  for (size_t i = 0; i < x.size(); ++i) x[i] = x[i] * scale * w[i] + b[i];
}

}  // namespace

std::string_view PoolingName(Pooling pooling) {
  switch (pooling) {
    case Pooling::kNone:
      return "none";
    case Pooling::kMean:
      return "mean";
    case Pooling::kCls:
      return "cls";
    case Pooling::kLast:
      return "last";
    case Pooling::kRank:
      return "rank";
  }
  return "unknown";
}

float GeluGgml(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  // Every half-precision input once (ggml keeps the same table): the input is rounded to half
  // first, so the table gives exactly what the formula would.
  static const std::vector<uint16_t> table = [] {
    std::vector<uint16_t> t(65536);
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    for (uint32_t i = 0; i < t.size(); ++i) {
      const float h = HalfToFloat(static_cast<uint16_t>(i));
      const float y = 0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoefA * h * h)));
      t[i] = FloatToHalf(y);
    }
    return t;
  }();
  return HalfToFloat(table[FloatToHalf(x)]);
}

Result<std::unique_ptr<Encoder>> Encoder::Load(const std::filesystem::path& path) {
  DOCENT_ASSIGN_OR_RETURN(GgufFile file, GgufFile::Open(path));
  return FromFile(std::move(file));
}

Result<std::unique_ptr<Encoder>> Encoder::FromFile(GgufFile file) {
  std::unique_ptr<Encoder> e(new Encoder(std::move(file)));
  e->isa_ = kernels::BestIsa();
  DOCENT_RETURN_IF_ERROR(e->Init());
  return e;
}

Result<std::vector<float>> Encoder::LoadVector(std::string_view name, uint32_t n) const {
  const GgufTensorInfo* t = file_.FindTensor(name);
  if (t == nullptr) return Corrupt(file_.name() + ": no tensor named " + std::string(name));
  if (t->n_dims != 1 || t->dims[0] != n) {
    return Corrupt(file_.name() + ": " + std::string(name) + " should hold " + std::to_string(n) +
                   " values");
  }
  std::vector<float> out(n);
  DOCENT_RETURN_IF_ERROR(DequantizeRow(t->type, file_.TensorData(*t), out)
                             .WithContext(file_.name() + ": " + std::string(name)));
  return out;
}

Result<Encoder::Norm> Encoder::LoadNorm(std::string_view name, uint32_t n) const {
  Norm norm;
  DOCENT_ASSIGN_OR_RETURN(norm.weight, LoadVector(std::string(name) + ".weight", n));
  DOCENT_ASSIGN_OR_RETURN(norm.bias, LoadVector(std::string(name) + ".bias", n));
  return norm;
}

Result<Encoder::Matrix> Encoder::LoadMatrix(std::string_view name, uint32_t cols, uint32_t rows,
                                            bool bias, bool required) const {
  Matrix m;
  const std::string weight = std::string(name) + ".weight";
  const GgufTensorInfo* t = file_.FindTensor(weight);
  if (t == nullptr) {
    if (!required) return m;
    return Corrupt(file_.name() + ": no tensor named " + weight);
  }
  if (t->n_dims != 2 || t->dims[0] != cols || (rows != 0 && t->dims[1] != rows) ||
      t->dims[1] == 0) {
    return Corrupt(file_.name() + ": " + weight + " should be " + std::to_string(cols) + " x " +
                   (rows != 0 ? std::to_string(rows) : std::string("N")));
  }
  // A type the kernels do not compute (IQ2_XXS, Q2_K ...) must fail here, not give zeros.
  if (Status computable = CheckComputable(t->type); !computable.ok()) {
    return computable.WithContext(file_.name() + ": " + weight);
  }
  m.type = t->type;
  m.data = file_.TensorData(*t);
  m.cols = cols;
  m.rows = static_cast<uint32_t>(t->dims[1]);
  if (bias && file_.FindTensor(std::string(name) + ".bias") != nullptr) {
    DOCENT_ASSIGN_OR_RETURN(m.bias, LoadVector(std::string(name) + ".bias", m.rows));
  }
  return m;
}

Status Encoder::Init() {
  DOCENT_ASSIGN_OR_RETURN(std::string_view arch, file_.GetString("general.architecture"));
  if (arch != "bert") {
    return Unsupported(file_.name() + ": architecture \"" + std::string(arch) +
                       "\" is not an encoder docent runs (bert)");
  }
  EncoderConfig& c = config_;
  DOCENT_ASSIGN_OR_RETURN(c.n_embd, file_.GetU32("bert.embedding_length"));
  DOCENT_ASSIGN_OR_RETURN(c.n_layer, file_.GetU32("bert.block_count"));
  DOCENT_ASSIGN_OR_RETURN(c.n_head, file_.GetU32("bert.attention.head_count"));
  DOCENT_ASSIGN_OR_RETURN(c.n_ff, file_.GetU32("bert.feed_forward_length"));
  DOCENT_ASSIGN_OR_RETURN(c.eps, file_.GetF32("bert.attention.layer_norm_epsilon"));
  DOCENT_ASSIGN_OR_RETURN(bool causal, file_.GetBoolOr("bert.attention.causal", false));
  if (causal) return Unsupported(file_.name() + ": a causal bert is not an encoder");
  DOCENT_ASSIGN_OR_RETURN(uint32_t pooling, file_.GetU32Or("bert.pooling_type", 0));
  if (pooling > 4) {
    return Corrupt(file_.name() + ": bert.pooling_type " + std::to_string(pooling) + " is not 0-4");
  }
  c.pooling = static_cast<Pooling>(pooling);
  if (file_.Has("bert.classifier.output_labels")) {
    DOCENT_ASSIGN_OR_RETURN(auto labels, file_.GetStringArray("bert.classifier.output_labels"));
    c.n_cls_out = static_cast<uint32_t>(std::max<size_t>(labels.size(), 1));
  }
  if (c.n_embd == 0 || c.n_head == 0 || c.n_embd % c.n_head != 0 || c.n_layer == 0 || c.n_ff == 0) {
    return Corrupt(file_.name() + ": inconsistent bert shape (embedding " +
                   std::to_string(c.n_embd) + ", heads " + std::to_string(c.n_head) + ")");
  }
  DOCENT_ASSIGN_OR_RETURN(tokenizer_, Tokenizer::FromGguf(file_));

  const uint32_t E = c.n_embd;
  DOCENT_ASSIGN_OR_RETURN(token_embd_, LoadMatrix("token_embd", E, 0, false));
  c.vocab_size = token_embd_.rows;
  if (static_cast<uint32_t>(tokenizer_->vocab_size()) > c.vocab_size) {
    return Corrupt(file_.name() + ": the vocabulary has more tokens than token_embd has rows");
  }
  DOCENT_ASSIGN_OR_RETURN(position_embd_, LoadMatrix("position_embd", E, 0, false));
  c.context_length = position_embd_.rows;
  token_type0_.assign(E, 0.0f);
  if (const GgufTensorInfo* types = file_.FindTensor("token_types.weight")) {
    DOCENT_ASSIGN_OR_RETURN(uint64_t row_bytes, RowBytes(types->type, E));
    if (types->n_dims != 2 || types->dims[0] != E || types->dims[1] == 0 ||
        file_.TensorData(*types).size() < row_bytes) {
      return Corrupt(file_.name() + ": token_types.weight should have rows of " +
                     std::to_string(E));
    }
    DOCENT_RETURN_IF_ERROR(
        DequantizeRow(types->type, file_.TensorData(*types).first(row_bytes), token_type0_));
  }
  DOCENT_ASSIGN_OR_RETURN(embd_norm_, LoadNorm("token_embd_norm", E));
  for (uint32_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    Layer l;
    if (file_.FindTensor(p + "attn_qkv.weight") != nullptr) {
      // One fused matrix, its rows Q then K then V.
      DOCENT_ASSIGN_OR_RETURN(Matrix qkv, LoadMatrix(p + "attn_qkv", E, 3 * E, true));
      DOCENT_ASSIGN_OR_RETURN(uint64_t row_bytes, RowBytes(qkv.type, E));
      for (int part = 0; part < 3; ++part) {
        Matrix& m = part == 0 ? l.q : part == 1 ? l.k : l.v;
        m.type = qkv.type;
        m.cols = m.rows = E;
        m.data = qkv.data.subspan(part * E * row_bytes, E * row_bytes);
        if (!qkv.bias.empty())
          m.bias.assign(qkv.bias.begin() + part * E, qkv.bias.begin() + (part + 1) * E);
      }
    } else {
      DOCENT_ASSIGN_OR_RETURN(l.q, LoadMatrix(p + "attn_q", E, E, true));
      DOCENT_ASSIGN_OR_RETURN(l.k, LoadMatrix(p + "attn_k", E, E, true));
      DOCENT_ASSIGN_OR_RETURN(l.v, LoadMatrix(p + "attn_v", E, E, true));
    }
    DOCENT_ASSIGN_OR_RETURN(l.o, LoadMatrix(p + "attn_output", E, E, true));
    DOCENT_ASSIGN_OR_RETURN(l.attn_norm, LoadNorm(p + "attn_output_norm", E));
    DOCENT_ASSIGN_OR_RETURN(l.up, LoadMatrix(p + "ffn_up", E, c.n_ff, true));
    DOCENT_ASSIGN_OR_RETURN(l.down, LoadMatrix(p + "ffn_down", c.n_ff, E, true));
    DOCENT_ASSIGN_OR_RETURN(l.out_norm, LoadNorm(p + "layer_output_norm", E));
    layers_.push_back(std::move(l));
  }
  DOCENT_ASSIGN_OR_RETURN(cls_, LoadMatrix("cls", E, E, true, /*required=*/false));
  DOCENT_ASSIGN_OR_RETURN(cls_out_, LoadMatrix("cls.output", E, 0, true, /*required=*/false));
  if (cls_out_.rows > 0) c.n_cls_out = cls_out_.rows;
  return Status::Ok();
}

Status Encoder::Apply(const Matrix& m, std::span<const float> x, size_t n,
                      std::span<float> y) const {
  // The activations meet the weights as llama.cpp prepares them (Q8_0 / Q8_1 / Q8_K for the
  // quantised types, F16 for F16 ...), then one product over all n columns.
  const size_t stride = kernels::ActivationBytes(m.type, m.cols);
  std::vector<uint8_t> prepared(stride * n);
  for (size_t t = 0; t < n; ++t) {
    kernels::PrepareActivations(isa_, m.type, &x[t * m.cols], m.cols, &prepared[t * stride]);
  }
  DOCENT_ASSIGN_OR_RETURN(uint64_t row_bytes, RowBytes(m.type, m.cols));
  kernels::MatMulArgs args;
  args.type = m.type;
  args.w = m.data.data();
  args.w_row_bytes = row_bytes;
  args.n = m.cols;
  args.x = prepared.data();
  args.x_stride = stride;
  args.n_cols = static_cast<int64_t>(n);
  args.y = y.data();
  args.y_stride = m.rows;
  kernels::MatMul(isa_, args, 0, m.rows);
  if (!m.bias.empty()) {
    for (size_t t = 0; t < n; ++t) {
      for (uint32_t r = 0; r < m.rows; ++r) y[t * m.rows + r] += m.bias[r];
    }
  }
  return Status::Ok();
}

Result<std::vector<float>> Encoder::Hidden(std::span<const int32_t> tokens) const {
  const EncoderConfig& c = config_;
  const size_t n = tokens.size();
  if (n == 0) return InvalidArgument("an encoder needs at least one token");
  if (n > c.context_length) {
    return InvalidArgument(std::to_string(n) + " tokens are more than the model's " +
                           std::to_string(c.context_length) + " positions");
  }
  const uint32_t E = c.n_embd, H = c.n_head, d = E / H;
  DOCENT_ASSIGN_OR_RETURN(uint64_t embd_row, RowBytes(token_embd_.type, E));
  DOCENT_ASSIGN_OR_RETURN(uint64_t pos_row, RowBytes(position_embd_.type, E));
  std::vector<float> x(n * E), row(E);
  for (size_t t = 0; t < n; ++t) {
    if (tokens[t] < 0 || static_cast<uint32_t>(tokens[t]) >= c.vocab_size) {
      return InvalidArgument("token id " + std::to_string(tokens[t]) +
                             " is outside the vocabulary");
    }
    std::span<float> xt(&x[t * E], E);
    DOCENT_RETURN_IF_ERROR(DequantizeRow(
        token_embd_.type,
        token_embd_.data.subspan(static_cast<size_t>(tokens[t]) * embd_row, embd_row), xt));
    DOCENT_RETURN_IF_ERROR(
        DequantizeRow(position_embd_.type, position_embd_.data.subspan(t * pos_row, pos_row), row));
    for (uint32_t i = 0; i < E; ++i) xt[i] = (xt[i] + token_type0_[i]) + row[i];  // ggml's order
    LayerNorm(xt, embd_norm_.weight, embd_norm_.bias, c.eps);
  }

  std::vector<float> q(n * E), k(n * E), v(n * E), attn(n * E), a(n * E), up(n * c.n_ff);
  std::vector<float> scores(n);
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (const Layer& l : layers_) {
    DOCENT_RETURN_IF_ERROR(Apply(l.q, x, n, q));
    DOCENT_RETURN_IF_ERROR(Apply(l.k, x, n, k));
    DOCENT_RETURN_IF_ERROR(Apply(l.v, x, n, v));
    for (uint32_t h = 0; h < H; ++h) {
      for (size_t i = 0; i < n; ++i) {
        const float* qi = &q[i * E + h * d];
        float max = -INFINITY;
        for (size_t j = 0; j < n; ++j) {
          const float* kj = &k[j * E + h * d];
          float dot = 0;
          for (uint32_t e = 0; e < d; ++e) dot += qi[e] * kj[e];
          scores[j] = dot * scale;
          max = std::max(max, scores[j]);
        }
        double sum = 0;
        for (size_t j = 0; j < n; ++j) {
          scores[j] = std::exp(scores[j] - max);
          sum += scores[j];
        }
        const float inv = static_cast<float>(1.0 / sum);
        float* out = &attn[i * E + h * d];
        std::fill(out, out + d, 0.0f);
        for (size_t j = 0; j < n; ++j) {
          const float p = scores[j] * inv;
          const float* vj = &v[j * E + h * d];
          for (uint32_t e = 0; e < d; ++e) out[e] += p * vj[e];
        }
      }
    }
    DOCENT_RETURN_IF_ERROR(Apply(l.o, attn, n, a));
    for (size_t t = 0; t < n; ++t) {
      std::span<float> at(&a[t * E], E);
      for (uint32_t i = 0; i < E; ++i) at[i] += x[t * E + i];
      LayerNorm(at, l.attn_norm.weight, l.attn_norm.bias, c.eps);
    }
    DOCENT_RETURN_IF_ERROR(Apply(l.up, a, n, up));
    for (float& u : up) u = GeluGgml(u);
    DOCENT_RETURN_IF_ERROR(Apply(l.down, up, n, x));
    for (size_t t = 0; t < n; ++t) {
      std::span<float> xt(&x[t * E], E);
      for (uint32_t i = 0; i < E; ++i) xt[i] += a[t * E + i];
      LayerNorm(xt, l.out_norm.weight, l.out_norm.bias, c.eps);
    }
  }
  return x;
}

Result<std::vector<float>> Encoder::Pool(std::span<const int32_t> tokens, Pooling pooling) const {
  DOCENT_ASSIGN_OR_RETURN(std::vector<float> x, Hidden(tokens));
  const uint32_t E = config_.n_embd;
  const size_t n = tokens.size();
  std::vector<float> out(E, 0.0f);
  switch (pooling) {
    case Pooling::kMean: {
      for (size_t t = 0; t < n; ++t) {
        for (uint32_t i = 0; i < E; ++i) out[i] += x[t * E + i];
      }
      const float inv = 1.0f / static_cast<float>(n);
      for (float& o : out) o *= inv;
      return out;
    }
    case Pooling::kCls:
      std::copy(x.begin(), x.begin() + E, out.begin());
      return out;
    case Pooling::kNone:
    case Pooling::kLast:
      std::copy(x.end() - E, x.end(), out.begin());
      return out;
    case Pooling::kRank: {
      if (!has_classifier()) {
        return FailedPrecondition(file_.name() + " has no classification head to rank with");
      }
      std::vector<float> first(x.begin(), x.begin() + E);
      if (cls_.rows > 0) {
        std::vector<float> pooled(E);
        DOCENT_RETURN_IF_ERROR(Apply(cls_, first, 1, pooled));
        for (float& p : pooled) p = std::tanh(p);
        first = std::move(pooled);
      }
      std::vector<float> logits(cls_out_.rows);
      DOCENT_RETURN_IF_ERROR(Apply(cls_out_, first, 1, logits));
      return logits;
    }
  }
  return InvalidArgument("unknown pooling");
}

}  // namespace docent::llm
