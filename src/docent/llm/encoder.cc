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

// Columns (tokens) per block of a product: 96 columns of activations of a 384-wide model are
// 144 KB (F32), of a 1024-wide one 384 KB: within a core's L2. (On the Intel Xeon of stop 25,
// e5-small F16 at 2 threads: 16 / 24 / 96 / 128 / 256 columns gave about 6.1 / 6.2 / 7.0 /
// 6.3 / 5.7 passages/s, the machine's noise about +-0.5.)
constexpr int64_t kColumnBlock = 96;

// Queries whose attention scores are held at once (per head and thread).
constexpr size_t kQueryBlock = 128;

// fn(task) for every task, on the pool's threads when there is one.
template <typename Fn>
void ForEach(ThreadPool* pool, int64_t n_tasks, Fn&& fn) {
  if (pool == nullptr) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t);
    return;
  }
  pool->ParallelFor(n_tasks, [&](int64_t t, int) { fn(t); });
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

// ggml's GELU of every half-precision input, itself rounded to half precision, as floats:
// indexed by the input's half bits (kernels::GeluTable).
const float* GeluTable() {
  static const std::vector<float>* table = [] {
    auto* t = new std::vector<float>(65536);
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    for (uint32_t i = 0; i < t->size(); ++i) {
      const float h = HalfToFloat(static_cast<uint16_t>(i));
      const float y = 0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoefA * h * h)));
      (*t)[i] = HalfToFloat(FloatToHalf(y));
    }
    return t;
  }();
  return table->data();
}

float GeluGgml(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  // Every half-precision input once (ggml keeps the same table): the input is rounded to half
  // first, so the table gives exactly what the formula would.
  return GeluTable()[FloatToHalf(x)];
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

Result<Encoder::Norm> Encoder::LoadNorm(const TensorMapper& mapper, const std::string& name,
                                        uint32_t n) const {
  Norm norm;
  DOCENT_ASSIGN_OR_RETURN(norm.weight, mapper.Vector(name + ".weight", n));
  DOCENT_ASSIGN_OR_RETURN(norm.bias, mapper.Vector(name + ".bias", n));
  return norm;
}

Result<Encoder::Matrix> Encoder::LoadMatrix(const TensorMapper& mapper, const std::string& name,
                                            uint32_t cols, uint32_t rows, bool required) const {
  Matrix m;
  const std::string weight = name + ".weight";
  if (!required && mapper.Find(weight) == nullptr) return m;
  DOCENT_ASSIGN_OR_RETURN(const GgufTensorInfo* t, mapper.Require(weight));
  // A table's rows (the vocabulary, the positions, the labels) are the file's to say.
  const uint64_t n_rows = rows != 0 ? rows : t->dims[1];
  if (n_rows == 0) return Corrupt(file_.name() + ": tensor " + weight + " has no rows");
  // MatrixOf refuses a type the kernels do not compute (IQ2_XXS, Q2_K ...), which would
  // otherwise give zeros.
  DOCENT_ASSIGN_OR_RETURN(m.w, mapper.MatrixOf(*t, cols, n_rows));
  DOCENT_ASSIGN_OR_RETURN(m.bias, mapper.OptionalVector(name + ".bias", m.w.rows));
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
  const TensorMapper mapper(file_);
  DOCENT_ASSIGN_OR_RETURN(token_embd_, LoadMatrix(mapper, "token_embd", E, 0));
  c.vocab_size = token_embd_.w.rows;
  if (static_cast<uint32_t>(tokenizer_->vocab_size()) > c.vocab_size) {
    return Corrupt(file_.name() + ": the vocabulary has more tokens than token_embd has rows");
  }
  DOCENT_ASSIGN_OR_RETURN(position_embd_, LoadMatrix(mapper, "position_embd", E, 0));
  c.context_length = position_embd_.w.rows;
  token_type0_.assign(E, 0.0f);
  DOCENT_ASSIGN_OR_RETURN(Matrix types, LoadMatrix(mapper, "token_types", E, 0, false));
  if (types.w.rows > 0)
    DOCENT_RETURN_IF_ERROR(DequantizeRow(types.w.type, types.w.Row(0), token_type0_));
  DOCENT_ASSIGN_OR_RETURN(embd_norm_, LoadNorm(mapper, "token_embd_norm", E));
  for (uint32_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    Layer l;
    if (mapper.Find(p + "attn_qkv.weight") != nullptr) {
      // One fused matrix, its rows Q then K then V.
      DOCENT_ASSIGN_OR_RETURN(Matrix qkv, LoadMatrix(mapper, p + "attn_qkv", E, 3 * E));
      for (uint32_t part = 0; part < 3; ++part) {
        Matrix& m = part == 0 ? l.q : part == 1 ? l.k : l.v;
        m.w = qkv.w;
        m.w.rows = E;
        m.w.data = qkv.w.data.subspan(part * E * qkv.w.row_bytes, E * qkv.w.row_bytes);
        if (!qkv.bias.empty()) {
          m.bias.assign(qkv.bias.begin() + part * E, qkv.bias.begin() + (part + 1) * E);
        }
      }
    } else {
      DOCENT_ASSIGN_OR_RETURN(l.q, LoadMatrix(mapper, p + "attn_q", E, E));
      DOCENT_ASSIGN_OR_RETURN(l.k, LoadMatrix(mapper, p + "attn_k", E, E));
      DOCENT_ASSIGN_OR_RETURN(l.v, LoadMatrix(mapper, p + "attn_v", E, E));
    }
    DOCENT_ASSIGN_OR_RETURN(l.o, LoadMatrix(mapper, p + "attn_output", E, E));
    DOCENT_ASSIGN_OR_RETURN(l.attn_norm, LoadNorm(mapper, p + "attn_output_norm", E));
    DOCENT_ASSIGN_OR_RETURN(l.up, LoadMatrix(mapper, p + "ffn_up", E, c.n_ff));
    DOCENT_ASSIGN_OR_RETURN(l.down, LoadMatrix(mapper, p + "ffn_down", c.n_ff, E));
    DOCENT_ASSIGN_OR_RETURN(l.out_norm, LoadNorm(mapper, p + "layer_output_norm", E));
    layers_.push_back(std::move(l));
  }
  // The layers' matrices in the layout the kernels read fastest (int8 types: tiles of 16
  // rows), as the decoder's are; the fused Q|K|V parts share one file range, so each part is
  // repacked on its own.
  for (Layer& l : layers_) {
    for (Matrix* m : {&l.q, &l.k, &l.v, &l.o, &l.up, &l.down}) {
      TileMatrix(m->w, isa_, file_, tiled_);
    }
  }
  DOCENT_ASSIGN_OR_RETURN(cls_, LoadMatrix(mapper, "cls", E, E, /*required=*/false));
  DOCENT_ASSIGN_OR_RETURN(cls_out_, LoadMatrix(mapper, "cls.output", E, 0, /*required=*/false));
  if (cls_out_.w.rows > 0) c.n_cls_out = cls_out_.w.rows;
  return Status::Ok();
}

Status Encoder::Apply(const Matrix& m, std::span<const float> x, size_t n, std::span<float> y,
                      ThreadPool* pool) const {
  // The activations meet the weights as llama.cpp prepares them (Q8_0 / Q8_1 / Q8_K for the
  // quantised types, F16 for F16 ...), then one product over all n columns, its rows split
  // among the pool's threads (each output depends only on its row, never on the split).
  const WeightMatrix& w = m.w;
  const size_t stride = kernels::ActivationBytes(w.type, w.cols);
  std::vector<uint8_t> prepared(stride * n);
  ForEach(pool, static_cast<int64_t>(n), [&](int64_t t) {
    kernels::PrepareActivations(isa_, w.type, &x[t * w.cols], w.cols, &prepared[t * stride]);
  });
  kernels::MatMulArgs args;
  args.type = w.type;
  args.w = w.tiled.empty() ? w.data.data() : w.tiled.data();
  args.w_row_bytes = w.row_bytes;
  args.layout = w.layout;
  args.n = w.cols;
  args.x = prepared.data();
  args.x_stride = stride;
  args.n_cols = static_cast<int64_t>(n);
  args.y = y.data();
  args.y_stride = w.rows;
  // Tasks of (a multiple of 16 rows, the kernels' widest row step) x (a block of columns):
  // a block's activations stay in the core's L1 / L2 while its rows stream past, instead of
  // every row strip reading all n columns again.
  const int64_t threads = pool != nullptr ? pool->size() : 1;
  const int64_t rows = w.rows;
  const int64_t cols = static_cast<int64_t>(n);
  const int64_t col_block = std::min<int64_t>(cols, kColumnBlock);
  const int64_t col_blocks = (cols + col_block - 1) / col_block;
  const int64_t chunk = std::max<int64_t>(16, (rows * col_blocks / (threads * 4) + 15) / 16 * 16);
  const int64_t row_chunks = (rows + chunk - 1) / chunk;
  ForEach(pool, row_chunks * col_blocks, [&](int64_t task) {
    const int64_t r0 = (task % row_chunks) * chunk;
    const int64_t c0 = (task / row_chunks) * col_block;
    kernels::MatMulArgs part = args;
    part.x = args.x + static_cast<size_t>(c0) * stride;
    part.n_cols = std::min(col_block, cols - c0);
    part.y = args.y + c0 * args.y_stride;
    kernels::MatMul(isa_, part, r0, std::min(rows, r0 + chunk));
  });
  if (!m.bias.empty()) {
    for (size_t t = 0; t < n; ++t) {
      for (uint32_t r = 0; r < w.rows; ++r) y[t * w.rows + r] += m.bias[r];
    }
  }
  return Status::Ok();
}

Result<std::vector<float>> Encoder::Hidden(std::span<const int32_t> tokens,
                                           ThreadPool* pool) const {
  const EncoderConfig& c = config_;
  const size_t n = tokens.size();
  if (n == 0) return InvalidArgument("an encoder needs at least one token");
  if (n > c.context_length) {
    return InvalidArgument(std::to_string(n) + " tokens are more than the model's " +
                           std::to_string(c.context_length) + " positions");
  }
  const uint32_t E = c.n_embd, H = c.n_head, d = E / H;
  std::vector<float> x(n * E), row(E);
  for (size_t t = 0; t < n; ++t) {
    if (tokens[t] < 0 || static_cast<uint32_t>(tokens[t]) >= c.vocab_size) {
      return InvalidArgument("token id " + std::to_string(tokens[t]) +
                             " is outside the vocabulary");
    }
    std::span<float> xt(&x[t * E], E);
    const WeightMatrix& tok = token_embd_.w;
    const WeightMatrix& pos = position_embd_.w;
    DOCENT_RETURN_IF_ERROR(DequantizeRow(tok.type, tok.Row(static_cast<uint32_t>(tokens[t])), xt));
    DOCENT_RETURN_IF_ERROR(DequantizeRow(pos.type, pos.Row(static_cast<uint32_t>(t)), row));
    for (uint32_t i = 0; i < E; ++i) xt[i] = (xt[i] + token_type0_[i]) + row[i];  // ggml's order
    LayerNorm(xt, embd_norm_.weight, embd_norm_.bias, c.eps);
  }

  std::vector<float> q(n * E), k(n * E), v(n * E), attn(n * E), a(n * E), up(n * c.n_ff);
  const int threads = pool != nullptr ? pool->size() : 1;
  // Per thread: one head's keys and values transposed (d x n) and a block of its scores.
  struct HeadScratch {
    std::vector<float> kt, vt, scores;
  };
  std::vector<HeadScratch> scratch(static_cast<size_t>(threads));
  for (HeadScratch& w : scratch) {
    w.kt.resize(n * d);
    w.vt.resize(n * d);
    w.scores.resize(std::min(n, kQueryBlock) * n);
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (const Layer& l : layers_) {
    DOCENT_RETURN_IF_ERROR(Apply(l.q, x, n, q, pool));
    DOCENT_RETURN_IF_ERROR(Apply(l.k, x, n, k, pool));
    DOCENT_RETURN_IF_ERROR(Apply(l.v, x, n, v, pool));
    // One task per head: each query's scores against the transposed keys (KeyScores, no
    // horizontal sums), a softmax per query, then out = P V through the F32 matrix kernel
    // (V^T's rows, the long inner dimension n), all on the engine's SIMD kernels.
    auto attend = [&](int64_t head, int thread) {
      const uint32_t h = static_cast<uint32_t>(head);
      HeadScratch& w = scratch[static_cast<size_t>(thread)];
      for (size_t t = 0; t < n; ++t) {
        for (uint32_t e = 0; e < d; ++e) {
          w.kt[e * n + t] = k[t * E + h * d + e];
          w.vt[e * n + t] = v[t * E + h * d + e];
        }
      }
      // Queries in blocks, so the scores take O(block n) memory, not O(n^2): an 8,192-token
      // input would otherwise need 256 MB per thread.
      for (size_t i0 = 0; i0 < n; i0 += kQueryBlock) {
        const size_t rows = std::min(kQueryBlock, n - i0);
        for (size_t i = 0; i < rows; ++i) {
          float* row = &w.scores[i * n];
          kernels::KeyScores(isa_, &q[(i0 + i) * E + h * d], w.kt.data(), static_cast<int64_t>(n),
                             d, scale, row);
          kernels::Softmax(isa_, row, static_cast<int64_t>(n));
        }
        kernels::MatMulArgs pv;
        pv.type = GgmlType::kF32;
        pv.w = reinterpret_cast<const uint8_t*>(w.vt.data());
        pv.w_row_bytes = n * sizeof(float);
        pv.n = static_cast<int64_t>(n);
        pv.x = reinterpret_cast<const uint8_t*>(w.scores.data());
        pv.x_stride = n * sizeof(float);
        pv.n_cols = static_cast<int64_t>(rows);
        pv.y = &attn[i0 * E + h * d];
        pv.y_stride = E;
        kernels::MatMul(isa_, pv, 0, d);
      }
    };
    if (pool != nullptr) {
      pool->ParallelFor(H, attend);
    } else {
      for (uint32_t h = 0; h < H; ++h) attend(h, 0);
    }
    DOCENT_RETURN_IF_ERROR(Apply(l.o, attn, n, a, pool));
    ForEach(pool, static_cast<int64_t>(n), [&](int64_t t) {
      std::span<float> at(&a[t * E], E);
      for (uint32_t i = 0; i < E; ++i) at[i] += x[t * E + i];
      LayerNorm(at, l.attn_norm.weight, l.attn_norm.bias, c.eps);
    });
    DOCENT_RETURN_IF_ERROR(Apply(l.up, a, n, up, pool));
    ForEach(pool, static_cast<int64_t>(n),
            [&](int64_t t) { kernels::GeluTable(isa_, GeluTable(), &up[t * c.n_ff], c.n_ff); });
    DOCENT_RETURN_IF_ERROR(Apply(l.down, up, n, x, pool));
    ForEach(pool, static_cast<int64_t>(n), [&](int64_t t) {
      std::span<float> xt(&x[t * E], E);
      for (uint32_t i = 0; i < E; ++i) xt[i] += a[t * E + i];
      LayerNorm(xt, l.out_norm.weight, l.out_norm.bias, c.eps);
    });
  }
  return x;
}

Result<std::vector<float>> Encoder::Pool(std::span<const int32_t> tokens, Pooling pooling,
                                         ThreadPool* pool) const {
  DOCENT_ASSIGN_OR_RETURN(std::vector<float> x, Hidden(tokens, pool));
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
      if (cls_.w.rows > 0) {
        std::vector<float> pooled(E);
        DOCENT_RETURN_IF_ERROR(Apply(cls_, first, 1, pooled));
        for (float& p : pooled) p = std::tanh(p);
        first = std::move(pooled);
      }
      std::vector<float> logits(cls_out_.w.rows);
      DOCENT_RETURN_IF_ERROR(Apply(cls_out_, first, 1, logits));
      return logits;
    }
  }
  return InvalidArgument("unknown pooling");
}

}  // namespace docent::llm
