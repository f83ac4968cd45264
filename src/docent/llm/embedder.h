// Text in, vectors and relevance scores out: an encoder (encoder.h) or a decoder read through
// its pooling (decoder_pooling.h: Qwen3-Embedding, Qwen3-Reranker), with its input framed as
// its model was trained and its output in the shapes the interfaces serve.
//
//   embedding:  [CLS] text [SEP] (WordPiece) | <s> text </s> (XLM-RoBERTa) -> the file's
//               pooling -> L2-normalised (what OpenAI's /v1/embeddings returns and what cosine
//               search wants)
//   rerank:     [CLS] query [SEP] document (WordPiece) | <s> query </s></s> document </s>
//               -> the classification head's first logit; relevance = sigmoid(logit)
//
//   decoder embedding: text <|endoftext|> (the vocabulary's add_eos_token) -> the last token's
//               final hidden state -> L2-normalised
//   decoder rerank: the file's tokenizer.chat_template.rerank around query and document ->
//               the head's "yes" and "no" outputs; relevance = softmax(yes, no)[0]
//
// The encoders' pair framing is llama.cpp's (llama-server's format_rerank, node-llama-cpp's
// LlamaRankingContext): BOS, the query, EOS, SEP, the document, EOS, each where the
// vocabulary has one; a WordPiece vocabulary has no EOS of its own (its [SEP] is the
// separator). Texts are embedded exactly as given: prefixes such as "query: " are the
// caller's (EmbeddingPrefixes).
//
// One Embedder serves one request at a time on its own thread pool; calls from several
// threads queue on its mutex. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/decoder_pooling.h"
#include "docent/llm/encoder.h"
#include "docent/util/status.h"
#include "docent/util/thread_pool.h"

namespace docent::llm {

// What a model card asks to be put before a query and before a passage (multilingual-e5's
// "query: " / "passage: "); empty for models that take text as it is (bge-m3, BGE English
// passages). Keyed on the GGUF's general.name / general.basename (see embedder.cc's table).
struct EmbeddingPrefixes {
  std::string query, passage;
};

struct Embedding {
  std::vector<float> vector;  // L2-normalised
  uint32_t tokens = 0;        // evaluated, specials included
  bool truncated = false;     // the text was cut to the model's positions
};

struct RerankScore {
  float logit = 0;      // the head's raw output; a decoder's: yes - no
  float relevance = 0;  // sigmoid(logit), in (0, 1)
  // What llama-server reports as relevance_score: the logit for an encoder's head, the
  // probability for a decoder's (llama.cpp applies the softmax inside the model there).
  float score = 0;
  uint32_t tokens = 0;
  bool truncated = false;
};

// What to do with a text longer than the model's positions: cut it (search, ingest) or say
// so (an API caller who should know their vector does not cover their text).
enum class Overflow { kTruncate, kReject };

class Embedder {
 public:
  // The encoder's or decoder's load errors; FailedPrecondition for an encoder with no pooling
  // (one vector per token, not per text) and neither a classification head, and for a decoder
  // without last or rank pooling (a chat model). A decoder reads at most kDecoderPositions
  // tokens per text (its KV cache is sized for that).
  static Result<std::unique_ptr<Embedder>> Load(const std::filesystem::path& path, int threads);
  static constexpr uint32_t kDecoderPositions = 2048;

  // An encoder model's encoder; only when is_decoder() is false.
  const Encoder& encoder() const { return *encoder_; }
  bool is_decoder() const { return decoder_ != nullptr; }
  const Tokenizer& tokenizer() const;
  const GgufFile& file() const;
  // The most tokens one text (or pair) may take.
  uint32_t context_length() const;
  // general.name, else the file's stem: what responses report as "model".
  const std::string& name() const { return name_; }
  const std::filesystem::path& path() const { return path_; }
  // The weights' identity ("xxh3-" and the hash of the file): the store keys vectors on it,
  // so vectors of two models (or two quantisations of one) never mix.
  const std::string& fingerprint() const { return fingerprint_; }
  // A reranker: pooling rank with a classification head. It scores pairs and embeds nothing.
  bool is_reranker() const { return reranker_; }
  uint32_t dimensions() const;
  const EmbeddingPrefixes& prefixes() const { return prefixes_; }

  // The ids the model evaluates for `text` / the pair, truncated to its positions (the
  // document of a pair is cut first, then the query); `full_length`, when given, gets the
  // length before truncation.
  std::vector<int32_t> Frame(std::string_view text, size_t* full_length = nullptr) const;
  std::vector<int32_t> FramePair(std::string_view query, std::string_view document,
                                 size_t* full_length = nullptr) const;

  // The model's pooled output for ids the caller framed (benchmarks timing the same ids as
  // llama.cpp): the file's pooling, unnormalised; a reranker's head outputs.
  Result<std::vector<float>> PoolIds(std::span<const int32_t> ids) const;

  // FailedPrecondition from a reranker; InvalidArgument (naming the token counts) for a text
  // over the model's positions with kReject.
  Result<Embedding> Embed(std::string_view text, Overflow overflow = Overflow::kTruncate) const;
  // FailedPrecondition from a model that is not a reranker; InvalidArgument as Embed.
  Result<RerankScore> Rerank(std::string_view query, std::string_view document,
                             Overflow overflow = Overflow::kTruncate) const;
  // Embed and Rerank of ids Frame / FramePair made, `full_length` as they reported it: for
  // callers that count a request's tokens before any model work (the server's limit).
  Result<Embedding> EmbedFramed(std::span<const int32_t> ids, size_t full_length,
                                Overflow overflow = Overflow::kTruncate) const;
  Result<RerankScore> RerankFramed(std::span<const int32_t> ids, size_t full_length,
                                   Overflow overflow = Overflow::kTruncate) const;

 private:
  Embedder(std::unique_ptr<Encoder> encoder, std::unique_ptr<DecoderPooling> decoder,
           std::filesystem::path path, int threads);
  // The pooled output for `ids` (the file's pooling, or rank), under mu_.
  Result<std::vector<float>> PoolLocked(std::span<const int32_t> ids, Pooling pooling) const;
  // An over-long text: InvalidArgument with kReject; with kTruncate, Ok.
  Status CheckLength(size_t needed, Overflow overflow) const;

  std::unique_ptr<Encoder> encoder_;         // one of these two
  std::unique_ptr<DecoderPooling> decoder_;  // GUARDED_BY(mu_) for Pool
  std::filesystem::path path_;
  std::string name_;
  std::string fingerprint_;
  bool reranker_ = false;
  EmbeddingPrefixes prefixes_;
  mutable std::mutex mu_;
  mutable ThreadPool pool_;  // GUARDED_BY(mu_)
};

// The prefixes for a model by its general.name (or general.basename), matched case-blind on
// the family: "e5-large-instruct" -> its instruction
// on queries; "multilingual-e5" / "e5-" -> "query: " / "passage: "; "bge-small-en", "bge-base-en",
// "bge-large-en" -> BGE's English query instruction and no passage prefix; "qwen3-embedding" ->
// Qwen's "Instruct: ...\nQuery:" on queries only; anything else none.
EmbeddingPrefixes PrefixesForModel(std::string_view name);

float Sigmoid(float x);

}  // namespace docent::llm
