// A decoder read as an embedding model or a reranker: Qwen3-Embedding (last-token pooling) and
// Qwen3-Reranker (rank pooling through a two-row head), as llama.cpp's converter writes them.
//
//   embedding:  the final hidden state (after output_norm) of the text's last token, which the
//               tokenizer's add_eos_token makes <|endoftext|>; causal attention as in chat.
//   rank:       that state through cls.output.weight (rows "yes" and "no", from
//               {arch}.classifier.output_labels); the score is softmax(yes, no)[0] = P(yes),
//               llama.cpp's and llama-server's relevance_score for these models.
//   rerank framing: tokenizer.chat_template.rerank, the model card's prompt with {query} and
//               {document} (EncodeRerankTemplate).
//
// Not thread-safe: one text at a time (Embedder serialises its calls).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/encoder.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"
#include "docent/util/status.h"

namespace docent::llm {

class DecoderPooling {
 public:
  // The model's errors; FailedPrecondition when {arch}.pooling_type is absent or none (a chat
  // model: one vector per token) or mean / cls (not what these models are trained for), and for
  // rank pooling without cls.output.weight; Corrupt for a mis-shaped head or a rerank template
  // without its placeholders. `max_positions`
  // bounds one text (the KV cache is sized for it).
  static Result<std::unique_ptr<DecoderPooling>> Load(const std::filesystem::path& path,
                                                      int threads, uint32_t max_positions);

  const GgufFile& file() const { return model_->file(); }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const ModelConfig& config() const { return model_->config(); }
  Pooling pooling() const { return pooling_; }
  uint32_t max_positions() const { return model_->max_positions(); }
  bool has_classifier() const { return head_rows_ > 0; }
  // tokenizer.chat_template.rerank; empty when the file has none.
  const std::string& rerank_template() const { return rerank_template_; }

  // kLast: the last token's hidden state (n_embd values, unnormalised); kRank: the head's
  // outputs over it, before the softmax (one per label).
  Result<std::vector<float>> Pool(std::span<const int32_t> ids);

 private:
  DecoderPooling() = default;
  Result<std::vector<float>> HeadProduct(std::span<const float> hidden) const;

  std::unique_ptr<Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  Pooling pooling_ = Pooling::kNone;
  // cls.output, as stored (a copy: the model's mapped pages may be released).
  GgmlType head_type_ = GgmlType::kF32;
  uint32_t head_rows_ = 0;
  std::vector<uint8_t> head_;
  std::string rerank_template_;
};

// The ids of a rerank template with {query} and {document} filled in, as the model card frames
// the pair (the whole prompt tokenized at once): control tokens (<|im_start|>) are read only in
// the template's own text, never in the query or the document, and text on either side of a
// placeholder is tokenized together with it, so "<Query>: " + "What" gives " What" as one
// token. InvalidArgument when the template lacks a placeholder.
Result<std::vector<int32_t>> EncodeRerankTemplate(const Tokenizer& tokenizer, std::string_view tmpl,
                                                  std::string_view query,
                                                  std::string_view document);

}  // namespace docent::llm
