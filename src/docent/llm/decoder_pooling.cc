// Last-token and rank pooling on the decoder (see decoder_pooling.h).
#include "docent/llm/decoder_pooling.h"

#include <algorithm>

#include "docent/llm/half.h"
#include "docent/llm/matvec.h"
#include "docent/llm/model_weights.h"
#include "docent/llm/quant_legacy.h"

namespace docent::llm {

Result<std::unique_ptr<DecoderPooling>> DecoderPooling::Load(const std::filesystem::path& path,
                                                             int threads, uint32_t max_positions) {
  DOCENT_ASSIGN_OR_RETURN(GgufFile file, GgufFile::Open(path));
  DOCENT_ASSIGN_OR_RETURN(std::string_view arch, file.GetString("general.architecture"));
  const std::string key = std::string(arch) + ".pooling_type";
  DOCENT_ASSIGN_OR_RETURN(uint32_t pooling, file.GetU32Or(key, 0));
  if (pooling != static_cast<uint32_t>(Pooling::kLast) &&
      pooling != static_cast<uint32_t>(Pooling::kRank)) {
    return FailedPrecondition(
        path.string() + ": " + key + " is " +
        (pooling > 4 ? std::to_string(pooling) : std::string(PoolingName(Pooling(pooling)))) +
        "; a decoder embeds with last-token pooling (Qwen3-Embedding) or reranks with rank "
        "pooling (Qwen3-Reranker); this looks like a chat model");
  }
  std::unique_ptr<DecoderPooling> d(new DecoderPooling());
  d->pooling_ = static_cast<Pooling>(pooling);
  ModelOptions options;
  options.threads = std::max(1, threads);
  options.max_positions = max_positions;
  DOCENT_ASSIGN_OR_RETURN(d->model_, Model::FromFile(std::move(file), options));
  DOCENT_ASSIGN_OR_RETURN(d->tokenizer_, Tokenizer::FromGguf(d->model_->file()));
  const GgufFile& f = d->model_->file();
  const uint32_t n_embd = d->model_->config().n_embd;
  if (d->pooling_ == Pooling::kRank) {
    const TensorMapper mapper(f);
    const GgufTensorInfo* head = mapper.Find("cls.output.weight");
    if (head == nullptr) {
      return FailedPrecondition(path.string() + ": " + key +
                                " is rank but the file has no cls.output.weight");
    }
    const uint64_t rows = head->dims[1];
    if (rows == 0 || rows > 64) {
      return Corrupt(path.string() + ": cls.output.weight has " + std::to_string(rows) +
                     " rows; a reranker head has a few (\"yes\", \"no\")");
    }
    DOCENT_ASSIGN_OR_RETURN(WeightMatrix m, mapper.MatrixOf(*head, n_embd, rows));
    d->head_type_ = m.type;
    d->head_rows_ = m.rows;
    d->head_.assign(m.data.begin(), m.data.end());
    // Checked once here, so Pool's products cannot fail on the type.
    std::vector<float> probe(n_embd, 0.0f);
    DOCENT_RETURN_IF_ERROR(d->HeadProduct(probe).status());
    auto tmpl = f.GetString("tokenizer.chat_template.rerank");
    if (tmpl.ok()) {
      if (tmpl->find("{query}") == std::string_view::npos ||
          tmpl->find("{document}") == std::string_view::npos) {
        return Corrupt(path.string() +
                       ": tokenizer.chat_template.rerank has no {query} or no {document}");
      }
      d->rerank_template_ = std::string(*tmpl);
    }
  }
  return d;
}

Result<std::vector<float>> DecoderPooling::Pool(std::span<const int32_t> ids) {
  const uint32_t n_embd = model_->config().n_embd;
  for (int32_t id : ids) {
    if (id < 0) return InvalidArgument("token id " + std::to_string(id) + " is negative");
  }
  const std::vector<uint32_t> tokens(ids.begin(), ids.end());
  std::vector<float> hidden(n_embd);
  DOCENT_RETURN_IF_ERROR(model_->LastHidden(0, tokens, hidden));
  if (pooling_ != Pooling::kRank) return hidden;
  return HeadProduct(hidden);
}

// The head applied as ggml applies a matrix of its type: the hidden state goes to the weights'
// product type first (Q8_0 blocks for quantised weights, F16 for F16), then one dot per row.
// Two rows over a value difference of ~1 make the quantisation of the input matter (~1e-2 in
// P(yes) for a Q8_0 head otherwise).
Result<std::vector<float>> DecoderPooling::HeadProduct(std::span<const float> hidden) const {
  const int64_t n = static_cast<int64_t>(hidden.size());
  const std::span<const uint8_t> all(head_);
  const size_t row_bytes = head_.size() / head_rows_;
  std::vector<float> out(head_rows_);
  const bool float_weights =
      head_type_ == GgmlType::kF32 || head_type_ == GgmlType::kF16 || head_type_ == GgmlType::kBF16;
  if (float_weights) {
    std::vector<float> x(hidden.begin(), hidden.end());
    if (head_type_ == GgmlType::kF16) {
      for (float& v : x) v = HalfToFloat(FloatToHalf(v));
    }
    DOCENT_RETURN_IF_ERROR(MatVecF32(head_type_, all, x, out));
    return out;
  }
  if (n % 32 != 0) return Unsupported("a quantised rank head over a width not a multiple of 32");
  std::vector<uint8_t> q8(static_cast<size_t>(n / 32 * 34));
  QuantizeRowQ8_0(hidden.data(), q8.data(), n);
  for (uint32_t r = 0; r < head_rows_; ++r) {
    DOCENT_ASSIGN_OR_RETURN(out[r],
                            DotQ8_0(head_type_, all.subspan(r * row_bytes, row_bytes), q8, n));
  }
  return out;
}

Result<std::vector<int32_t>> EncodeRerankTemplate(const Tokenizer& tokenizer, std::string_view tmpl,
                                                  std::string_view query,
                                                  std::string_view document) {
  const size_t q = tmpl.find("{query}");
  const size_t d = tmpl.find("{document}");
  if (q == std::string_view::npos || d == std::string_view::npos) {
    return InvalidArgument("the rerank template has no {query} or no {document}");
  }
  const bool query_first = q < d;
  const size_t first = query_first ? q : d;
  const size_t first_len = query_first ? 7 : 10;
  const size_t second = query_first ? d : q;
  const size_t second_len = query_first ? 10 : 7;
  const Tokenizer::MixedPiece pieces[] = {
      {tmpl.substr(0, first), true},
      {query_first ? query : document, false},
      {tmpl.substr(first + first_len, second - first - first_len), true},
      {query_first ? document : query, false},
      {tmpl.substr(second + second_len), true},
  };
  return tokenizer.EncodeMixed(pieces);
}

}  // namespace docent::llm
