// Finds, shape-checks and maps the tensors of a llama-family model (see model_weights.h).
#include "docent/llm/model_weights.h"

#include <algorithm>
#include <string>

#include "docent/llm/quantize.h"

namespace docent::llm {
namespace {

std::string ShapeString(const GgufTensorInfo& t) {
  std::string s = "[";
  for (uint32_t i = 0; i < t.n_dims; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(t.dims[i]);
  }
  return s + "]";
}

Result<LayerWeights> MapLayer(const TensorMapper& m, const ModelConfig& c, uint32_t layer) {
  const std::string p = "blk." + std::to_string(layer) + ".";
  LayerWeights w;
  DOCENT_ASSIGN_OR_RETURN(w.attn_norm, m.Vector(p + "attn_norm.weight", c.n_embd));
  DOCENT_ASSIGN_OR_RETURN(w.wq, m.Matrix(p + "attn_q.weight", c.n_embd, c.q_width()));
  DOCENT_ASSIGN_OR_RETURN(w.wk, m.Matrix(p + "attn_k.weight", c.n_embd, c.k_width()));
  DOCENT_ASSIGN_OR_RETURN(w.wv, m.Matrix(p + "attn_v.weight", c.n_embd, c.v_width()));
  DOCENT_ASSIGN_OR_RETURN(w.wo, m.Matrix(p + "attn_output.weight", c.attn_out_width(), c.n_embd));
  if (c.arch == ModelArch::kQwen2) {
    DOCENT_ASSIGN_OR_RETURN(w.bq, m.Vector(p + "attn_q.bias", c.q_width()));
    DOCENT_ASSIGN_OR_RETURN(w.bk, m.Vector(p + "attn_k.bias", c.k_width()));
    DOCENT_ASSIGN_OR_RETURN(w.bv, m.Vector(p + "attn_v.bias", c.v_width()));
  } else {
    DOCENT_ASSIGN_OR_RETURN(w.bq, m.OptionalVector(p + "attn_q.bias", c.q_width()));
    DOCENT_ASSIGN_OR_RETURN(w.bk, m.OptionalVector(p + "attn_k.bias", c.k_width()));
    DOCENT_ASSIGN_OR_RETURN(w.bv, m.OptionalVector(p + "attn_v.bias", c.v_width()));
  }
  if (c.arch == ModelArch::kQwen3) {
    DOCENT_ASSIGN_OR_RETURN(w.q_norm, m.Vector(p + "attn_q_norm.weight", c.head_dim_k));
    DOCENT_ASSIGN_OR_RETURN(w.k_norm, m.Vector(p + "attn_k_norm.weight", c.head_dim_k));
  }
  DOCENT_ASSIGN_OR_RETURN(w.ffn_norm, m.Vector(p + "ffn_norm.weight", c.n_embd));
  DOCENT_ASSIGN_OR_RETURN(w.ffn_gate, m.Matrix(p + "ffn_gate.weight", c.n_embd, c.n_ff));
  DOCENT_ASSIGN_OR_RETURN(w.ffn_up, m.Matrix(p + "ffn_up.weight", c.n_embd, c.n_ff));
  DOCENT_ASSIGN_OR_RETURN(w.ffn_down, m.Matrix(p + "ffn_down.weight", c.n_ff, c.n_embd));
  return w;
}

}  // namespace

Result<const GgufTensorInfo*> TensorMapper::Require(const std::string& name) const {
  const GgufTensorInfo* t = file_.FindTensor(name);
  if (t == nullptr) return Corrupt(file_.name() + ": missing tensor " + name);
  return t;
}

Status TensorMapper::CheckShape(const GgufTensorInfo& t, uint64_t cols, uint64_t rows) const {
  bool ok = t.dims[0] == cols && t.dims[1] == rows && t.dims[2] == 1 && t.dims[3] == 1;
  if (!ok) {
    const std::string want = rows == 1
                                 ? "[" + std::to_string(cols) + "]"
                                 : "[" + std::to_string(cols) + ", " + std::to_string(rows) + "]";
    return Corrupt(file_.name() + ": tensor " + std::string(t.name) + " has shape " +
                   ShapeString(t) + ", expected " + want);
  }
  return Status::Ok();
}

Result<WeightMatrix> TensorMapper::Matrix(const std::string& name, uint64_t cols,
                                          uint64_t rows) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufTensorInfo* t, Require(name));
  return MatrixOf(*t, cols, rows);
}

Result<WeightMatrix> TensorMapper::MatrixOf(const GgufTensorInfo& t, uint64_t cols,
                                            uint64_t rows) const {
  DOCENT_RETURN_IF_ERROR(CheckShape(t, cols, rows));
  Status computable = CheckComputable(t.type);
  if (!computable.ok()) return computable.WithContext(file_.name() + ": " + std::string(t.name));
  WeightMatrix m;
  m.name = t.name;
  m.type = t.type;
  m.rows = static_cast<uint32_t>(rows);
  m.cols = static_cast<uint32_t>(cols);
  DOCENT_ASSIGN_OR_RETURN(m.row_bytes, RowBytes(t.type, cols));
  m.data = file_.TensorData(t);
  return m;
}

Result<std::vector<float>> TensorMapper::Vector(const std::string& name, uint64_t n) const {
  DOCENT_ASSIGN_OR_RETURN(const GgufTensorInfo* t, Require(name));
  DOCENT_ASSIGN_OR_RETURN(WeightMatrix m, MatrixOf(*t, n, 1));
  std::vector<float> out(n);
  Status st = DequantizeRow(m.type, m.data, out);
  if (!st.ok()) return st.WithContext(file_.name() + ": " + name);
  return out;
}

Result<std::vector<float>> TensorMapper::OptionalVector(const std::string& name, uint64_t n) const {
  if (Find(name) == nullptr) return std::vector<float>();
  return Vector(name, n);
}

Result<ModelWeights> MapModelWeights(const GgufFile& file, const ModelConfig& c) {
  TensorMapper m(file);
  ModelWeights w;
  DOCENT_ASSIGN_OR_RETURN(w.token_embd, m.Matrix("token_embd.weight", c.n_embd, c.vocab_size));
  DOCENT_ASSIGN_OR_RETURN(w.output_norm, m.Vector("output_norm.weight", c.n_embd));
  if (m.Find("output.weight") != nullptr) {
    DOCENT_ASSIGN_OR_RETURN(w.output, m.Matrix("output.weight", c.n_embd, c.vocab_size));
  } else {
    w.output = w.token_embd;
    w.tied_output = true;
  }
  DOCENT_ASSIGN_OR_RETURN(w.rope_freq_factors, m.OptionalVector("rope_freqs.weight", c.n_rot / 2));
  w.layers.reserve(c.n_layer);
  for (uint32_t i = 0; i < c.n_layer; ++i) {
    DOCENT_ASSIGN_OR_RETURN(LayerWeights layer, MapLayer(m, c, i));
    w.layers.push_back(std::move(layer));
  }
  return w;
}

void TileMatrix(WeightMatrix& m, kernels::Isa isa, const GgufFile& file, TiledWeights& out) {
  const kernels::WeightLayout layout = kernels::PreferredLayout(isa, m.type);
  if (layout == kernels::WeightLayout::kRows || m.rows == 0) return;
  std::vector<uint8_t>& buffer =
      out.buffers.emplace_back(kernels::LayoutBytes(m.type, layout, m.rows, m.cols));
  // A slice of rows at a time (a multiple of the tile), each slice's file pages dropped once
  // it is copied: the model's peak memory grows by one slice, not by the largest matrix.
  constexpr int64_t kSliceRows = 64 * kernels::kTileRows;
  for (int64_t r0 = 0; r0 < m.rows; r0 += kSliceRows) {
    const int64_t rows = std::min<int64_t>(kSliceRows, m.rows - r0);
    const std::span<const uint8_t> slice = m.data.subspan(r0 * m.row_bytes, rows * m.row_bytes);
    kernels::TileWeights(m.type, layout, slice.data(), m.row_bytes, rows, m.cols,
                         buffer.data() + kernels::LayoutBytes(m.type, layout, r0, m.cols));
    file.ReleasePages(slice);
  }
  m.layout = layout;
  m.tiled = buffer;
  out.bytes += buffer.size();
}

TiledWeights TileModelWeights(ModelWeights& weights, kernels::Isa isa, const GgufFile& file) {
  TiledWeights out;
  for (LayerWeights& l : weights.layers) {
    for (WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      TileMatrix(*m, isa, file, out);
    }
  }
  TileMatrix(weights.output, isa, file, out);
  return out;
}

}  // namespace docent::llm
