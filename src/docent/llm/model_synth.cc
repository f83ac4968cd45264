// Writes synthetic llama-family models with random weights (see model_synth.h).
//
// One plan (the tensors in file order, each with its value distribution) drives both the
// in-memory writer and the streaming one, and every row draws from its own generator seeded
// by (spec seed, tensor name, row), so both produce the same bytes with any number of threads.
#include "docent/llm/model_synth.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "docent/llm/checked_math.h"
#include "docent/llm/hf_tokenizer_json.h"
#include "docent/llm/mapped_file.h"
#include "docent/llm/quantize.h"
#include "docent/llm/sentencepiece_model.h"
#include "docent/llm/tokenizer_vocab.h"
#include "docent/util/thread_pool.h"

namespace docent::llm {
namespace {

constexpr uint32_t kAlignment = 32;  // GgufWriter's default; general.alignment is not written

constexpr std::pair<std::string_view, GgmlType> kWeightTypes[] = {
    {"f32", GgmlType::kF32},   {"f16", GgmlType::kF16},   {"bf16", GgmlType::kBF16},
    {"q8_0", GgmlType::kQ8_0}, {"q4_0", GgmlType::kQ4_0}, {"q4_1", GgmlType::kQ4_1},
    {"q5_0", GgmlType::kQ5_0}, {"q5_1", GgmlType::kQ5_1}, {"q4_k", GgmlType::kQ4_K},
    {"q5_k", GgmlType::kQ5_K}, {"q6_k", GgmlType::kQ6_K},
};

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// splitmix64: tiny, fast and identical everywhere, unlike std:: distributions whose output
// the standard leaves to the library. Each 64-bit draw yields two 24-bit uniforms: a 1.5B
// model needs 1.5e9 of them.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ull); }
  // Fills `out` with values uniform in [-1, 1).
  void FillUniform(std::span<float> out) {
    constexpr float kScale = 0x1p-23f;
    size_t i = 0;
    for (; i + 1 < out.size(); i += 2) {
      const uint64_t r = Next();
      out[i] = static_cast<float>(r >> 40) * kScale - 1.0f;
      out[i + 1] = static_cast<float>((r >> 8) & 0xffffff) * kScale - 1.0f;
    }
    if (i < out.size()) out[i] = static_cast<float>(Next() >> 40) * kScale - 1.0f;
  }

 private:
  uint64_t state_;
};

uint64_t HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

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

// Appends padding entries to a per-token array (tokens, token_type, scores) up to `n`.
void PadTokenArray(std::string_view key, GgufWriteValue& array, uint32_t n) {
  for (uint32_t id = static_cast<uint32_t>(array.items.size()); id < n; ++id) {
    if (key == "tokenizer.ggml.tokens") {
      array.items.push_back(GgufWriteValue::String("[PAD" + std::to_string(id) + "]"));
    } else if (key == "tokenizer.ggml.token_type") {
      array.items.push_back(GgufWriteValue::I32(static_cast<int32_t>(TokenType::kUnused)));
    } else {
      array.items.push_back(GgufWriteValue::F32(0.0f));  // scores
    }
  }
}

// One tensor of the plan: rows x cols values center + spread * U(-1, 1).
struct TensorPlan {
  std::string name;
  GgmlType type = GgmlType::kF32;
  uint32_t cols = 0;
  uint32_t rows = 1;  // 1: stored as a vector (one dimension)
  float center = 0.0f;
  float spread = 0.0f;
  std::vector<float> fixed;         // when set, these values instead of random ones
  std::vector<uint32_t> zero_rows;  // rows of zeros instead
  bool matrix = false;              // two dimensions even with one row
  // Set: row i holds the values row source_rows[i] of tensor `rows_of` is drawn with (a
  // reranker's head, made of the output matrix's rows of its labels).
  std::string rows_of;
  std::vector<uint32_t> source_rows;
};

uint32_t HeadDim(const SynthModelSpec& s) {
  return s.head_dim != 0 ? s.head_dim : s.n_embd / s.n_head;
}

// A BERT-family encoder's tensors, in the order and shapes llama.cpp's converter writes them.
std::vector<TensorPlan> PlanEncoderTensors(const SynthModelSpec& s, uint32_t n_vocab) {
  const SynthEncoderParts& e = *s.encoder;
  std::vector<TensorPlan> plan;
  auto add = [&](std::string name, GgmlType type, uint32_t cols, uint32_t rows, float center,
                 float spread) {
    plan.push_back({std::move(name), type, cols, rows, center, spread, {}, {}, false, {}, {}});
  };
  // Variance 1 / fan_in, as for the decoders; embeddings alike (a LayerNorm follows).
  auto matrix = [&](std::string name, GgmlType type, uint32_t cols, uint32_t rows) {
    add(std::move(name), type, cols, rows, 0.0f, std::sqrt(3.0f / static_cast<float>(cols)));
  };
  auto norm = [&](const std::string& name, uint32_t n) {
    add(name + ".weight", GgmlType::kF32, n, 1, 1.0f, 0.2f);
    add(name + ".bias", GgmlType::kF32, n, 1, 0.0f, 0.1f);
  };
  auto bias = [&](const std::string& name, uint32_t n) {
    add(name + ".bias", GgmlType::kF32, n, 1, 0.0f, 0.05f);
  };
  const uint32_t E = s.n_embd;
  matrix("token_embd.weight", s.weight_type, E, n_vocab);
  matrix("token_types.weight", GgmlType::kF32, E, e.token_types);
  matrix("position_embd.weight", GgmlType::kF32, E, s.context_length);
  norm("token_embd_norm", E);
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      matrix(blk + m + ".weight", s.weight_type, E, E);
      bias(blk + m, E);
    }
    norm(blk + "attn_output_norm", E);
    matrix(blk + "ffn_up.weight", s.weight_type, E, s.n_ff);
    bias(blk + "ffn_up", s.n_ff);
    matrix(blk + "ffn_down.weight", s.weight_type, s.n_ff, E);
    bias(blk + "ffn_down", E);
    norm(blk + "layer_output_norm", E);
  }
  if (e.classifier_outputs > 0) {
    matrix("cls.weight", GgmlType::kF32, E, E);
    bias("cls", E);
    matrix("cls.output.weight", GgmlType::kF32, E, e.classifier_outputs);
    bias("cls.output", e.classifier_outputs);
  }
  for (TensorPlan& t : plan) {
    // Matrices keep two dimensions even with one row (cls.output of one label).
    t.matrix = t.name.ends_with(".weight") && t.name.find("norm") == std::string::npos;
  }
  std::erase_if(plan, [&](const TensorPlan& t) { return t.name == s.omit_tensor; });
  return plan;
}

// `label_rows`: a decoder reranker's label tokens (LabelRows).
std::vector<TensorPlan> PlanTensors(const SynthModelSpec& s, uint32_t n_vocab,
                                    const std::vector<uint32_t>& label_rows) {
  if (s.encoder) return PlanEncoderTensors(s, n_vocab);
  std::vector<TensorPlan> plan;
  // Variance 1 / fan_in: each output of a product of a unit-scale input has unit scale.
  auto matrix = [&](std::string name, uint32_t cols, uint32_t rows) {
    plan.push_back({std::move(name),
                    s.weight_type,
                    cols,
                    rows,
                    0.0f,
                    std::sqrt(3.0f / static_cast<float>(cols)),
                    {},
                    {},
                    false,
                    {},
                    {}});
  };
  auto vector = [&](std::string name, uint32_t n, float center, float spread) {
    plan.push_back({std::move(name), GgmlType::kF32, n, 1, center, spread, {}, {}, false, {}, {}});
  };
  const uint32_t head_dim = HeadDim(s);
  const uint32_t q = s.n_head * head_dim;
  const uint32_t kv = s.n_head_kv * head_dim;
  matrix("token_embd.weight", s.n_embd, n_vocab);
  if (!s.rope_freq_factors.empty()) {
    plan.push_back({"rope_freqs.weight",
                    GgmlType::kF32,
                    static_cast<uint32_t>(s.rope_freq_factors.size()),
                    1,
                    0.0f,
                    0.0f,
                    s.rope_freq_factors,
                    {},
                    false,
                    {},
                    {}});
  }
  for (uint32_t l = 0; l < s.n_layer; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    vector(blk + "attn_norm.weight", s.n_embd, 1.0f, 0.2f);
    matrix(blk + "attn_q.weight", s.n_embd, q);
    matrix(blk + "attn_k.weight", s.n_embd, kv);
    matrix(blk + "attn_v.weight", s.n_embd, kv);
    if (s.arch == ModelArch::kQwen2) {
      vector(blk + "attn_q.bias", q, 0.0f, 0.5f);
      vector(blk + "attn_k.bias", kv, 0.0f, 0.5f);
      vector(blk + "attn_v.bias", kv, 0.0f, 0.5f);
    }
    if (s.arch == ModelArch::kQwen3) {
      vector(blk + "attn_q_norm.weight", head_dim, 1.0f, 0.5f);
      vector(blk + "attn_k_norm.weight", head_dim, 1.0f, 0.5f);
    }
    matrix(blk + "attn_output.weight", q, s.n_embd);
    vector(blk + "ffn_norm.weight", s.n_embd, 1.0f, 0.2f);
    matrix(blk + "ffn_gate.weight", s.n_embd, s.n_ff);
    matrix(blk + "ffn_up.weight", s.n_embd, s.n_ff);
    matrix(blk + "ffn_down.weight", s.n_ff, s.n_embd);
  }
  vector("output_norm.weight", s.n_embd, s.logit_scale, 0.2f * s.logit_scale);
  if (!s.tied_output) matrix("output.weight", s.n_embd, n_vocab);
  const std::string_view logits_matrix = s.tied_output ? "token_embd.weight" : "output.weight";
  for (TensorPlan& t : plan) {
    if (t.name == logits_matrix) t.zero_rows = s.silent_tokens;
  }
  if (!label_rows.empty()) {
    matrix("cls.output.weight", s.n_embd, static_cast<uint32_t>(label_rows.size()));
    plan.back().rows_of = logits_matrix;
    plan.back().source_rows = label_rows;
  }
  std::erase_if(plan, [&](const TensorPlan& t) { return t.name == s.omit_tensor; });
  return plan;
}

std::vector<uint64_t> Dims(const TensorPlan& t) {
  std::vector<uint64_t> dims = {t.cols};
  if (t.rows > 1 || t.matrix) dims.push_back(t.rows);
  return dims;
}

// Generates a tensor's bytes a batch of rows at a time, handing each batch to `sink`.
class TensorGenerator {
 public:
  TensorGenerator(uint64_t seed, int threads) : seed_(seed), pool_(std::max(1, threads)) {
    scratch_.resize(static_cast<size_t>(pool_.size()));
  }

  Status Generate(const TensorPlan& t,
                  const std::function<Status(std::span<const uint8_t>)>& sink) {
    DOCENT_ASSIGN_OR_RETURN(uint64_t row_bytes, RowBytes(t.type, t.cols));
    // ~4 MB of output per batch: large enough to keep every thread busy, small enough that
    // the model never sits in memory.
    const uint32_t batch_rows =
        static_cast<uint32_t>(std::clamp<uint64_t>((4u << 20) / row_bytes, 1, t.rows));
    const uint64_t tensor_seed = Mix(seed_ ^ HashName(t.rows_of.empty() ? t.name : t.rows_of));
    std::vector<uint8_t> batch(batch_rows * row_bytes);
    for (auto& s : scratch_) s.resize(t.cols);
    for (uint32_t first = 0; first < t.rows; first += batch_rows) {
      const uint32_t n = std::min(batch_rows, t.rows - first);
      std::vector<Status> errors(static_cast<size_t>(pool_.size()));
      pool_.ParallelFor(n, [&](int64_t task, int thread) {
        const uint64_t row = first + static_cast<uint64_t>(task);
        const uint64_t drawn = t.source_rows.empty() ? row : t.source_rows[row];
        std::vector<float>& values = scratch_[static_cast<size_t>(thread)];
        if (!t.fixed.empty()) {
          values = t.fixed;
        } else if (std::find(t.zero_rows.begin(), t.zero_rows.end(), row) != t.zero_rows.end()) {
          std::fill(values.begin(), values.end(), 0.0f);
        } else {
          Rng rng(Mix(tensor_seed + drawn * 0x9e3779b97f4a7c15ull));
          rng.FillUniform(values);
          for (float& v : values) v = t.center + t.spread * v;
        }
        Status st = QuantizeRow(
            t.type, values,
            std::span<uint8_t>(batch).subspan(static_cast<size_t>(task) * row_bytes, row_bytes));
        if (!st.ok()) errors[static_cast<size_t>(thread)] = std::move(st);
      });
      for (const Status& st : errors) DOCENT_RETURN_IF_ERROR(st);
      DOCENT_RETURN_IF_ERROR(sink(std::span<const uint8_t>(batch).first(n * row_bytes)));
    }
    return Status::Ok();
  }

 private:
  uint64_t seed_;
  ThreadPool pool_;
  std::vector<std::vector<float>> scratch_;  // one row of f32 per thread
};

// The id of the token whose text is exactly `text` in the vocabulary file.
Result<uint32_t> VocabularyId(const GgufFile& vocab, std::string_view text) {
  DOCENT_ASSIGN_OR_RETURN(auto tokens, vocab.GetStringArray("tokenizer.ggml.tokens"));
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] == text) return static_cast<uint32_t>(i);
  }
  return InvalidArgument(vocab.name() + ": the vocabulary has no token \"" + std::string(text) +
                         "\"");
}

// The metadata of the model (architecture keys and vocabulary); returns the vocabulary size.
Result<uint32_t> SetEncoderMetadata(const SynthModelSpec& s, const GgufFile& vocab, GgufWriter& w) {
  const SynthEncoderParts& e = *s.encoder;
  const std::string p = "bert.";
  w.SetString("general.architecture", "bert");
  w.SetString("general.name", s.name.empty() ? "docent synthetic bert" : s.name);
  w.SetU32(p + "context_length", s.context_length);
  w.SetU32(p + "embedding_length", s.n_embd);
  w.SetU32(p + "block_count", s.n_layer);
  w.SetU32(p + "feed_forward_length", s.n_ff);
  w.SetU32(p + "attention.head_count", s.n_head);
  w.SetF32(p + "attention.layer_norm_epsilon", s.rms_eps);
  w.SetBool(p + "attention.causal", false);
  w.SetU32(p + "pooling_type", static_cast<uint32_t>(e.pooling));
  DOCENT_ASSIGN_OR_RETURN(uint32_t n_vocab, CopyVocabulary(vocab, w, s.vocab_size));
  w.SetU32("tokenizer.ggml.token_type_count", e.token_types);
  return n_vocab;
}

Result<uint32_t> SetMetadata(const SynthModelSpec& s, const GgufFile& vocab, GgufWriter& w) {
  if (s.encoder) return SetEncoderMetadata(s, vocab, w);
  const std::string arch(ModelArchName(s.arch));
  const std::string p = arch + ".";
  w.SetString("general.architecture", arch);
  w.SetString("general.name", s.name.empty() ? "docent synthetic " + arch : s.name);
  w.SetU32(p + "context_length", s.context_length);
  w.SetU32(p + "embedding_length", s.n_embd);
  w.SetU32(p + "block_count", s.n_layer);
  w.SetU32(p + "feed_forward_length", s.n_ff);
  w.SetU32(p + "attention.head_count", s.n_head);
  w.SetU32(p + "attention.head_count_kv", s.n_head_kv);
  w.SetF32(p + "attention.layer_norm_rms_epsilon", s.rms_eps);
  w.SetF32(p + "rope.freq_base", s.rope_freq_base);
  const uint32_t head_dim = HeadDim(s);
  if (s.head_dim != 0) {
    w.SetU32(p + "attention.key_length", head_dim);
    w.SetU32(p + "attention.value_length", head_dim);
  }
  w.SetU32(p + "rope.dimension_count", head_dim);
  DOCENT_ASSIGN_OR_RETURN(uint32_t n_vocab, CopyVocabulary(vocab, w, s.vocab_size));
  w.SetU32(p + "vocab_size", n_vocab);
  if (s.decoder_pooling) {
    const SynthDecoderPooling& d = *s.decoder_pooling;
    w.SetU32(p + "pooling_type", static_cast<uint32_t>(d.pooling));
    if (!d.labels.empty())
      w.Set(p + "classifier.output_labels", GgufWriteValue::StringArray(d.labels));
    if (!d.rerank_template.empty()) {
      w.SetString("tokenizer.chat_template.rerank", d.rerank_template);
      w.Set("tokenizer.chat_templates", GgufWriteValue::StringArray({"rerank"}));
    }
    if (!d.eos_token.empty()) {
      DOCENT_ASSIGN_OR_RETURN(uint32_t eos, VocabularyId(vocab, d.eos_token));
      w.SetU32("tokenizer.ggml.eos_token_id", eos);
      w.SetBool("tokenizer.ggml.add_eos_token", true);
      w.SetBool("tokenizer.ggml.add_bos_token", false);
    }
  }
  return n_vocab;
}

// A decoder reranker's label tokens, in order; empty for other models.
Result<std::vector<uint32_t>> LabelRows(const SynthModelSpec& s, const GgufFile& vocab) {
  std::vector<uint32_t> rows;
  if (!s.decoder_pooling) return rows;
  for (const std::string& label : s.decoder_pooling->labels) {
    DOCENT_ASSIGN_OR_RETURN(uint32_t id, VocabularyId(vocab, label));
    rows.push_back(id);
  }
  return rows;
}

void PutBytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  const size_t at = out.size();
  out.resize(at + n);
  if (n != 0) std::memcpy(out.data() + at, p, n);
}

template <typename T>
void Put(std::vector<uint8_t>& out, T v) {
  PutBytes(out, &v, sizeof(v));
}

// A file written through a temporary name, removed unless committed.
class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += ".tmp";
  }
  ~OutputFile() {
    if (f_ != nullptr) std::fclose(f_);
    if (!committed_) {
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Open() {
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (f_ == nullptr) return Error("cannot create " + tmp_.string());
    return Status::Ok();
  }
  Status Write(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return Status::Ok();
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
      return Error("write failed");
    }
    written_ += bytes.size();
    return Status::Ok();
  }
  Status PadTo(uint64_t alignment) {
    const std::vector<uint8_t> zeros(*AlignUp(written_, alignment) - written_, 0);
    return Write(zeros);
  }
  Status Commit() {
    const int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) return Error("write failed");
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) return IOError(path_.string() + ": cannot rename into place: " + ec.message());
    committed_ = true;
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const {
    return IOError(path_.string() + ": " + what + ": " + std::strerror(errno));
  }

  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::FILE* f_ = nullptr;
  uint64_t written_ = 0;
  bool committed_ = false;
};

SynthModelSpec Tiny(ModelArch arch, uint32_t n_ff, uint32_t head_dim, bool tied) {
  SynthModelSpec s;
  s.arch = arch;
  s.n_embd = 256;
  s.n_layer = 2;
  s.n_head = 4;
  s.n_head_kv = 2;
  s.n_ff = n_ff;
  s.head_dim = head_dim;
  s.context_length = 2048;
  s.rope_freq_base = arch == ModelArch::kLlama ? 10000.0f : 1000000.0f;
  s.rms_eps = arch == ModelArch::kLlama ? 1e-5f : 1e-6f;
  s.tied_output = tied;
  s.logit_scale = 8.0f;
  return s;
}

SynthModelSpec Real(ModelArch arch, uint32_t n_embd, uint32_t n_layer, uint32_t n_ff,
                    uint32_t n_head, uint32_t n_head_kv, float rope_base, float eps,
                    uint32_t context, uint32_t vocab) {
  SynthModelSpec s;
  s.arch = arch;
  s.n_embd = n_embd;
  s.n_layer = n_layer;
  s.n_ff = n_ff;
  s.n_head = n_head;
  s.n_head_kv = n_head_kv;
  s.rope_freq_base = rope_base;
  s.rms_eps = eps;
  s.context_length = context;
  s.vocab_size = vocab;
  s.tied_output = true;
  s.logit_scale = 10.0f;
  return s;
}

// The divisors Meta's "llama3" rope scaling applies to each rotary frequency (as llama.cpp's
// converter writes them into rope_freqs.weight): long wavelengths slowed by `factor`, short
// ones kept, a smooth ramp between.
std::vector<float> Llama3RopeFactors(uint32_t head_dim, float base, float factor,
                                     float low_freq_factor, float high_freq_factor,
                                     float original_context) {
  constexpr double kPi = 3.14159265358979323846;
  const double low_freq_wavelen = original_context / low_freq_factor;
  const double high_freq_wavelen = original_context / high_freq_factor;
  std::vector<float> factors;
  for (uint32_t i = 0; i < head_dim; i += 2) {
    const double freq =
        1.0 / std::pow(static_cast<double>(base), static_cast<double>(i) / head_dim);
    const double wavelen = 2 * kPi / freq;
    if (wavelen < high_freq_wavelen) {
      factors.push_back(1.0f);
    } else if (wavelen > low_freq_wavelen) {
      factors.push_back(factor);
    } else {
      const double smooth =
          (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
      factors.push_back(static_cast<float>(1.0 / ((1 - smooth) / factor + smooth)));
    }
  }
  return factors;
}

// A BERT-family encoder's hyperparameters.
SynthModelSpec Encoder(uint32_t n_embd, uint32_t n_layer, uint32_t n_ff, uint32_t n_head,
                       uint32_t context, uint32_t vocab, float eps, Pooling pooling,
                       uint32_t token_types, uint32_t classifier_outputs = 0) {
  SynthModelSpec s;
  s.encoder = SynthEncoderParts{pooling, token_types, classifier_outputs};
  s.n_embd = n_embd;
  s.n_layer = n_layer;
  s.n_ff = n_ff;
  s.n_head = n_head;
  s.n_head_kv = n_head;
  s.context_length = context;
  s.vocab_size = vocab;
  s.rms_eps = eps;
  return s;
}

// Qwen3-Embedding / Qwen3-Reranker on a Qwen3 decoder of `base`: the pooling and head as
// llama.cpp's converter writes them. The final norm's gain stays 1 (SynthModelSpec::logit_scale)
// so that the reranker's yes / no logits differ by about one and its scores spread over (0, 1).
SynthModelSpec Qwen3Pooling(SynthModelSpec base, Pooling pooling) {
  // The model card's prompt, as the converter stores it (conversion/qwen.py).
  static constexpr const char* kRerankTemplate =
      "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query "
      "and the Instruct provided. Note that the answer can only be \"yes\" or \"no\"."
      "<|im_end|>\n<|im_start|>user\n<Instruct>: Given a web search query, retrieve relevant "
      "passages that answer the query\n<Query>: {query}\n<Document>: {document}<|im_end|>\n"
      "<|im_start|>assistant\n<think>\n\n</think>\n\n";
  SynthDecoderPooling d;
  d.pooling = pooling;
  if (pooling == Pooling::kRank) {
    d.labels = {"yes", "no"};
    d.rerank_template = kRerankTemplate;
  } else {
    d.eos_token = "<|endoftext|>";
  }
  base.decoder_pooling = std::move(d);
  base.logit_scale = 1.0f;
  return base;
}

// A Qwen3 decoder of Qwen3-0.6B's shape (Qwen3-Embedding-0.6B's and Qwen3-Reranker-0.6B's
// config.json: 28 layers of 1024, 16 heads of 128 over 8 KV heads, 151,669 rows, tied).
SynthModelSpec Qwen3Small(uint32_t context) {
  SynthModelSpec s = Real(ModelArch::kQwen3, 1024, 28, 3072, 16, 8, 1e6f, 1e-6f, context, 151669);
  s.head_dim = 128;
  return s;
}

// The tiny test shape of the same family: the real Qwen vocabulary (its special tokens make the
// rerank template), small layers.
SynthModelSpec TinyQwen3() {
  SynthModelSpec s = Real(ModelArch::kQwen3, 64, 2, 128, 4, 2, 1e6f, 1e-6f, 2048, 0);
  s.head_dim = 16;
  return s;
}

std::vector<SynthShape> MakeShapes() {
  using A = ModelArch;
  constexpr const char* kQwen = "tokenizers/qwen3/tokenizer.json";
  constexpr const char* kLlama3 = "tokenizers/llama3/tokenizer.json";
  constexpr const char* kStories = "models/stories260K.gguf";
  using P = Pooling;
  constexpr const char* kBge = "tokenizers/llama.cpp-vocab/ggml-vocab-bert-bge.gguf";
  std::vector<SynthShape> shapes = {
      {"qwen2.5-0.5b", Real(A::kQwen2, 896, 24, 4864, 14, 2, 1e6f, 1e-6f, 32768, 151936), kQwen},
      {"qwen2.5-1.5b", Real(A::kQwen2, 1536, 28, 8960, 12, 2, 1e6f, 1e-6f, 32768, 151936), kQwen},
      {"llama-3.2-1b", Real(A::kLlama, 2048, 16, 8192, 32, 8, 500000.0f, 1e-5f, 131072, 128256),
       kLlama3},
      {"tiny-llama", Tiny(A::kLlama, 512, 0, false), kStories},
      {"tiny-qwen2", Tiny(A::kQwen2, 768, 0, true), kStories},
      {"tiny-qwen3", Tiny(A::kQwen3, 768, 128, true), kStories},
      {"tiny-exaone", Tiny(A::kExaone, 512, 0, false), kStories},
      {"qwen3-embedding-0.6b", Qwen3Pooling(Qwen3Small(32768), P::kLast), kQwen},
      {"qwen3-reranker-0.6b", Qwen3Pooling(Qwen3Small(40960), P::kRank), kQwen},
      {"tiny-qwen3-embedding", Qwen3Pooling(TinyQwen3(), P::kLast), kQwen},
      {"tiny-qwen3-reranker", Qwen3Pooling(TinyQwen3(), P::kRank), kQwen},
      // Encoders, from each model's config.json. XLM-RoBERTa's 514 positions are 512 in the
      // GGUF (the converter drops the two padding rows), bge-m3's 8194 are 8192.
      {"bge-small-en-v1.5", Encoder(384, 12, 1536, 12, 512, 30522, 1e-12f, P::kCls, 2), kBge},
      {"multilingual-e5-small", Encoder(384, 12, 1536, 12, 512, 250037, 1e-12f, P::kMean, 2), ""},
      {"bge-m3", Encoder(1024, 24, 4096, 16, 8192, 250002, 1e-5f, P::kCls, 1), ""},
      {"bge-reranker-v2-m3", Encoder(1024, 24, 4096, 16, 8192, 250002, 1e-5f, P::kRank, 1, 1), ""},
      {"tiny-bert", Encoder(128, 2, 512, 4, 512, 0, 1e-12f, P::kMean, 2), kBge},
      {"tiny-bert-reranker", Encoder(128, 2, 512, 4, 512, 0, 1e-12f, P::kRank, 2, 1), kBge},
      {"tiny-xlmr", Encoder(128, 2, 512, 4, 512, 0, 1e-5f, P::kCls, 1), ""},
      {"tiny-xlmr-reranker", Encoder(128, 2, 512, 4, 512, 0, 1e-5f, P::kRank, 1, 1), ""},
  };
  for (SynthShape& shape : shapes) {
    shape.spec.name = "docent synthetic " + shape.name;
    if (shape.name == "llama-3.2-1b") {  // rope_scaling of its config.json
      shape.spec.rope_freq_factors = Llama3RopeFactors(64, 500000.0f, 32.0f, 1.0f, 4.0f, 8192.0f);
    }
  }
  return shapes;
}

}  // namespace

const std::vector<SynthShape>& SynthShapes() {
  static const std::vector<SynthShape>* shapes = new std::vector<SynthShape>(MakeShapes());
  return *shapes;
}

Result<SynthShape> FindSynthShape(std::string_view name) {
  std::string known;
  for (const SynthShape& shape : SynthShapes()) {
    if (shape.name == name) return shape;
    known += (known.empty() ? "" : ", ") + shape.name;
  }
  return NotFound("unknown model shape \"" + std::string(name) + "\" (known: " + known + ")");
}

Result<GgmlType> ParseSynthWeightType(std::string_view name) {
  std::string known;
  for (const auto& [n, type] : kWeightTypes) {
    if (n == name) return type;
    known += (known.empty() ? "" : " ") + std::string(n);
  }
  return InvalidArgument("unknown weight type \"" + std::string(name) + "\" (known: " + known +
                         ")");
}

Status ValidateSynthSpec(const SynthModelSpec& s) {
  if (s.n_embd == 0 || s.n_layer == 0 || s.n_head == 0 || s.n_head_kv == 0 || s.n_ff == 0 ||
      s.context_length == 0) {
    return InvalidArgument("synthetic model: every dimension and count must be positive");
  }
  if (s.encoder && (s.n_head_kv != s.n_head || s.head_dim != 0 || !s.rope_freq_factors.empty() ||
                    s.encoder->token_types == 0)) {
    return InvalidArgument(
        "synthetic encoder: no grouped heads, explicit head width or rotary factors, and at "
        "least one token type");
  }
  if (s.n_head % s.n_head_kv != 0) {
    return InvalidArgument("synthetic model: " + std::to_string(s.n_head) +
                           " query heads do not divide into " + std::to_string(s.n_head_kv) +
                           " key/value heads");
  }
  if (s.head_dim == 0 && s.n_embd % s.n_head != 0) {
    return InvalidArgument("synthetic model: n_embd " + std::to_string(s.n_embd) +
                           " is not a multiple of the " + std::to_string(s.n_head) + " heads");
  }
  if (s.encoder && s.decoder_pooling) {
    return InvalidArgument("synthetic model: decoder pooling on an encoder");
  }
  if (!s.encoder && HeadDim(s) % 2 != 0) {
    return InvalidArgument("synthetic model: the head width must be even for rotary embedding");
  }
  if (!s.rope_freq_factors.empty() && s.rope_freq_factors.size() != HeadDim(s) / 2) {
    return InvalidArgument("synthetic model: " + std::to_string(s.rope_freq_factors.size()) +
                           " rope frequency factors for a head of width " +
                           std::to_string(HeadDim(s)));
  }
  if (s.threads < 1) return InvalidArgument("synthetic model: threads must be at least 1");
  const GgmlType t = s.weight_type;
  if (std::none_of(std::begin(kWeightTypes), std::end(kWeightTypes),
                   [&](const auto& entry) { return entry.second == t; })) {
    return InvalidArgument("synthetic model: weight type " + std::string(GgmlTypeName(t)) +
                           " is not one docent writes synthetic models in");
  }
  const uint32_t block = TraitsOf(t).block_size;
  const std::pair<const char*, uint32_t> rows[] = {
      {"n_embd", s.n_embd},
      {"n_ff", s.n_ff},
      {"the attention width n_head * head_dim", s.n_head * HeadDim(s)}};
  for (const auto& [what, n] : rows) {
    if (n % block == 0) continue;
    return InvalidArgument(
        std::string(GgmlTypeName(t)) + " packs " + std::to_string(block) +
        " elements per block, and " + what + " " + std::to_string(n) + " is not a multiple of " +
        std::to_string(block) +
        "; for this shape choose a type with 32-element blocks (q4_0, q4_1, q5_0, q5_1, q8_0) "
        "or f16, bf16, f32");
  }
  return Status::Ok();
}

Result<GgufFile> LoadSynthVocabulary(const std::filesystem::path& path) {
  if (path.extension() == ".model") {
    DOCENT_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(path));
    DOCENT_ASSIGN_OR_RETURN(SentencePieceModel model,
                            ReadSentencePieceModel(mapped.bytes(), path.string()));
    // XLM-RoBERTa's layout: the pieces after <s> <pad> </s> <unk>, then <mask>.
    GgufWriter writer;
    DOCENT_RETURN_IF_ERROR(
        SetXlmRobertaVocab(model, static_cast<uint32_t>(model.pieces.size() + 2), writer));
    const std::vector<uint8_t> bytes = writer.Serialize();
    return GgufFile::FromBytes(bytes, path.string());
  }
  if (path.extension() != ".json") return GgufFile::Open(path);
  DOCENT_ASSIGN_OR_RETURN(GgufWriter writer, VocabGgufFromHfTokenizerJson(path));
  const std::vector<uint8_t> bytes = writer.Serialize();
  return GgufFile::FromBytes(bytes, path.string());
}

Result<uint32_t> CopyVocabulary(const GgufFile& vocab, GgufWriter& writer, uint32_t pad_to) {
  DOCENT_ASSIGN_OR_RETURN(const GgufArray* tokens, vocab.GetArray("tokenizer.ggml.tokens"));
  const uint64_t n_tokens = tokens->size;
  if (pad_to != 0 && pad_to < n_tokens) {
    return InvalidArgument(vocab.name() + ": the vocabulary has " + std::to_string(n_tokens) +
                           " tokens, more than the " + std::to_string(pad_to) +
                           " rows of the model's embedding table");
  }
  const uint32_t n = std::max<uint32_t>(pad_to, static_cast<uint32_t>(n_tokens));
  for (const GgufKeyValue& kv : vocab.metadata()) {
    if (!kv.key.starts_with("tokenizer.")) continue;
    DOCENT_ASSIGN_OR_RETURN(GgufWriteValue value, ToWriteValue(kv.value));
    const bool per_token = kv.key == "tokenizer.ggml.tokens" ||
                           kv.key == "tokenizer.ggml.token_type" ||
                           kv.key == "tokenizer.ggml.scores";
    if (per_token && value.type == GgufValueType::kArray && value.items.size() == n_tokens) {
      PadTokenArray(kv.key, value, n);
    }
    writer.Set(std::string(kv.key), std::move(value));
  }
  return n;
}

Result<GgufWriter> BuildSynthMetadata(const SynthModelSpec& s, const GgufFile& vocab) {
  DOCENT_RETURN_IF_ERROR(ValidateSynthSpec(s));
  GgufWriter w;
  DOCENT_RETURN_IF_ERROR(SetMetadata(s, vocab, w).status());
  return w;
}

Result<GgufWriter> BuildSynthModel(const SynthModelSpec& s, const GgufFile& vocab) {
  DOCENT_RETURN_IF_ERROR(ValidateSynthSpec(s));
  GgufWriter w;
  DOCENT_ASSIGN_OR_RETURN(uint32_t n_vocab, SetMetadata(s, vocab, w));
  DOCENT_ASSIGN_OR_RETURN(std::vector<uint32_t> label_rows, LabelRows(s, vocab));
  TensorGenerator generator(s.seed, s.threads);
  for (const TensorPlan& t : PlanTensors(s, n_vocab, label_rows)) {
    std::vector<uint8_t> data;
    DOCENT_RETURN_IF_ERROR(generator.Generate(t, [&](std::span<const uint8_t> bytes) {
      data.insert(data.end(), bytes.begin(), bytes.end());
      return Status::Ok();
    }));
    DOCENT_RETURN_IF_ERROR(w.AddTensor(t.name, t.type, Dims(t), std::move(data)));
  }
  return w;
}

Status WriteSynthModel(const SynthModelSpec& s, const GgufFile& vocab,
                       const std::filesystem::path& path) {
  DOCENT_RETURN_IF_ERROR(ValidateSynthSpec(s));
  GgufWriter meta;
  DOCENT_ASSIGN_OR_RETURN(uint32_t n_vocab, SetMetadata(s, vocab, meta));
  DOCENT_ASSIGN_OR_RETURN(std::vector<uint32_t> label_rows, LabelRows(s, vocab));
  const std::vector<TensorPlan> plan = PlanTensors(s, n_vocab, label_rows);

  // A writer without tensors serialises the header and the metadata only; the tensor count
  // is patched in and the tensor infos appended, laid out exactly as GgufWriter would.
  std::vector<uint8_t> header = meta.Serialize();
  const uint64_t n_tensors = plan.size();
  std::memcpy(header.data() + 8, &n_tensors, sizeof(n_tensors));
  uint64_t offset = 0;
  for (const TensorPlan& t : plan) {
    Put<uint64_t>(header, t.name.size());
    PutBytes(header, t.name.data(), t.name.size());
    const std::vector<uint64_t> dims = Dims(t);
    Put<uint32_t>(header, static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) Put<uint64_t>(header, d);
    Put<uint32_t>(header, static_cast<uint32_t>(t.type));
    Put<uint64_t>(header, offset);
    DOCENT_ASSIGN_OR_RETURN(uint64_t bytes, RowBytes(t.type, uint64_t{t.cols} * t.rows));
    offset = *AlignUp(offset + bytes, kAlignment);
  }

  OutputFile out(path);
  DOCENT_RETURN_IF_ERROR(out.Open());
  DOCENT_RETURN_IF_ERROR(out.Write(header));
  TensorGenerator generator(s.seed, s.threads);
  for (const TensorPlan& t : plan) {
    DOCENT_RETURN_IF_ERROR(out.PadTo(kAlignment));
    DOCENT_RETURN_IF_ERROR(
        generator.Generate(t, [&](std::span<const uint8_t> bytes) { return out.Write(bytes); }));
  }
  return out.Commit();
}

}  // namespace docent::llm
