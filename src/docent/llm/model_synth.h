// Synthetic models: random weights of realistic magnitude in the exact tensor
// layout of each architecture docent runs. Tests use small ones to hold the forward pass
// against llama.cpp on architectures for which no tiny real model is at hand (qwen2 biases,
// qwen3 q/k norms and key_length, exaone, GQA, NeoX rotary); `docent synth-model` writes
// ones in the exact shapes of real models (SynthShapes) so that speed can be measured
// against llama.cpp without downloading weights.
//
// Weights are drawn from a fixed-seed generator, one stream per tensor row (the same spec
// gives the same bytes on every machine and for any thread count): matrices uniform with the
// variance 1/fan_in of a trained layer, norm weights near 1, biases small. The final norm's
// gain is `logit_scale`, which makes the logits' standard deviation about that much: random
// layers otherwise give logits of deviation ~1, a near-uniform next-token distribution over
// a 150k vocabulary in which greedy decoding and probability comparisons test nothing. The
// vocabulary (tokenizer.* keys) is copied from another GGUF file, optionally padded with
// unused "[PADn]" tokens to the embedding table's row count, as real GGUFs are.
//
// BuildSynthModel keeps the model in memory (a GgufWriter, for tests); WriteSynthModel
// streams the same bytes to a file a batch of rows at a time, for models of billions of
// weights. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/encoder.h"
#include "docent/llm/ggml_types.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/model_config.h"
#include "docent/util/status.h"

namespace docent::llm {

// What makes a synthetic model a BERT-family encoder (arch "bert", encoder.h) rather than a
// decoder: its pooling, token types and optional classification head.
struct SynthEncoderParts {
  Pooling pooling = Pooling::kMean;
  uint32_t token_types = 2;  // rows of token_types (BERT 2, XLM-RoBERTa 1)
  // 0: no head; else cls (n_embd x n_embd) and cls.output with this many rows, in F32 whatever
  // the weight type (a reranker's head; see tests/llm/synth_bert.h for why F32).
  uint32_t classifier_outputs = 0;
};

// What makes a synthetic decoder an embedding model or a reranker rather than a chat model,
// as llama.cpp's converter writes Qwen3-Embedding and Qwen3-Reranker (decoder_pooling.h).
struct SynthDecoderPooling {
  Pooling pooling = Pooling::kLast;  // kLast or kRank
  // kRank: cls.output.weight's rows are the output matrix's rows of these tokens (the tied
  // embedding's), written as {arch}.classifier.output_labels.
  std::vector<std::string> labels;
  std::string rerank_template;  // tokenizer.chat_template.rerank, when set
  // Set: this token becomes tokenizer.ggml.eos_token_id, with add_eos_token true and
  // add_bos_token false (how the converter writes Qwen3-Embedding's <|endoftext|>).
  std::string eos_token;
};

struct SynthModelSpec {
  ModelArch arch = ModelArch::kLlama;  // ignored for an encoder
  // Set: an encoder (post-norm blocks with biases, learned positions, no rotary, n_head_kv ==
  // n_head, rms_eps as the layer-norm epsilon); unset: a llama-family decoder.
  std::optional<SynthEncoderParts> encoder;
  // Set (decoders only): {arch}.pooling_type and the parts above.
  std::optional<SynthDecoderPooling> decoder_pooling;
  uint32_t n_embd = 256;
  uint32_t n_layer = 2;
  uint32_t n_head = 4;
  uint32_t n_head_kv = 2;
  uint32_t n_ff = 512;
  uint32_t head_dim = 0;  // 0: n_embd / n_head, key_length not written
  uint32_t context_length = 512;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-6f;
  bool tied_output = false;
  uint64_t seed = 1;
  // Every matrix is stored in this type (biases and norms stay F32).
  GgmlType weight_type = GgmlType::kF32;
  // Divisors of the rotary frequencies (rope_freqs.weight, head_dim / 2 values), as Llama 3.1+
  // files carry their "llama3" rope scaling; empty: none.
  std::vector<float> rope_freq_factors;
  // Gain of output_norm: about the standard deviation of the logits. 1 (the default) gives
  // near-uniform next-token distributions; the differential tests run both 1 and 6, and the
  // presets use 8 (tiny, 512 tokens) and 10 (real, 128-152k tokens), for which llama.cpp's
  // top-1 probability is at least 0.3 at most steps.
  float logit_scale = 1.0f;
  // Rows of the embedding table: the vocabulary is padded with unused "[PADn]" tokens up to
  // this many. 0: the vocabulary's own size. InvalidArgument when below it.
  uint32_t vocab_size = 0;
  // general.name; empty: "docent synthetic <arch>".
  std::string name;
  // Threads that generate and quantise rows (the output does not depend on it).
  int threads = 1;
  // For loader tests: a tensor name to leave out of the file.
  std::string omit_tensor;
  // Tokens whose output rows (the embedding's, when tied) are all zero, so their logit is 0
  // and they are almost never the most likely: the differential tests silence end-of-text,
  // which a random model would otherwise emit by chance and end llama.cpp's continuation.
  std::vector<uint32_t> silent_tokens;
};

// A named preset: the exact hyperparameters of a real model (or a tiny one for tests).
struct SynthShape {
  std::string name;  // "qwen2.5-0.5b"
  SynthModelSpec spec;
  // The vocabulary it is meant for, relative to the shared data directory (../shared):
  // a Hugging Face tokenizer.json or a GGUF. Empty: none is at hand (the XLM-RoBERTa
  // encoders' SentencePiece vocabulary), so --vocab must name one.
  std::string default_vocab;
};

// Decoders: qwen2.5-0.5b, qwen2.5-1.5b, llama-3.2-1b (real shapes, real vocabularies padded
// to the real row counts, Llama 3.2's rope-frequency factors) and tiny-llama, tiny-qwen2,
// tiny-qwen3, tiny-exaone (width 256, 2 layers, stories260K's 512-token vocabulary).
// Encoders: bge-small-en-v1.5 (with BGE's real WordPiece vocabulary), multilingual-e5-small,
// bge-m3, bge-reranker-v2-m3 (XLM-RoBERTa vocabularies: --vocab FILE.model) and tiny-bert,
// tiny-bert-reranker (width 128, 2 layers, the WordPiece vocabulary), tiny-xlmr,
// tiny-xlmr-reranker.
const std::vector<SynthShape>& SynthShapes();
// NotFound naming the known shapes.
Result<SynthShape> FindSynthShape(std::string_view name);

// The types a synthetic model's matrices may have, by their lower-case names: f32 f16 bf16
// q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k. InvalidArgument listing them otherwise.
Result<GgmlType> ParseSynthWeightType(std::string_view name);

// InvalidArgument when the spec cannot be written: a zero count, heads that do not group,
// a weight type docent cannot compute with, or a matrix row length (n_embd, n_ff, the
// attention width) that is not a multiple of the type's block ("Q4_K packs 256 ...").
Status ValidateSynthSpec(const SynthModelSpec& spec);

// A vocabulary to give a synthetic model: a Hugging Face tokenizer.json (by its .json
// extension; see hf_tokenizer_json.h), a SentencePiece Unigram .model (laid out as llama.cpp
// writes XLM-RoBERTa's, sentencepiece_model.h) or any GGUF with tokenizer.* keys.
Result<GgufFile> LoadSynthVocabulary(const std::filesystem::path& path);

// Copies every tokenizer.* key of `vocab` into `writer`, padded to `pad_to` tokens when that
// is more (0: no padding); returns the number of tokens written. Corrupt when `vocab` has no
// tokenizer.ggml.tokens; InvalidArgument when pad_to is non-zero and below it.
Result<uint32_t> CopyVocabulary(const GgufFile& vocab, GgufWriter& writer, uint32_t pad_to = 0);

// The model's metadata alone (architecture keys and the padded vocabulary, no tensors):
// what a loader reads to learn the shape, without generating gigabytes of weights.
Result<GgufWriter> BuildSynthMetadata(const SynthModelSpec& spec, const GgufFile& vocab);

// A complete model for `spec`, its vocabulary taken from `vocab`, held in memory.
Result<GgufWriter> BuildSynthModel(const SynthModelSpec& spec, const GgufFile& vocab);

// The same model streamed to `path` (through `path`.tmp, renamed into place): the bytes of
// BuildSynthModel(spec, vocab)->Serialize(), holding only a batch of rows at a time. IOError
// naming the path when it cannot be written.
Status WriteSynthModel(const SynthModelSpec& spec, const GgufFile& vocab,
                       const std::filesystem::path& path);

}  // namespace docent::llm
