// Reads and cross-checks the hyperparameters of a llama-family GGUF file (see model_config.h).
#include "docent/llm/model_config.h"

#include <string>

namespace docent::llm {
namespace {

struct ArchInfo {
  std::string_view name;
  ModelArch arch;
  RopeType rope;
};

// The rotary layout follows the checkpoints each architecture was trained with: Meta's llama
// pairs adjacent dimensions; Qwen and EXAONE (Hugging Face's rotate_half) pair the two halves
// of a head, which is what llama.cpp calls NeoX style for these architectures.
constexpr ArchInfo kArchs[] = {
    {"llama", ModelArch::kLlama, RopeType::kNormal},
    {"qwen2", ModelArch::kQwen2, RopeType::kNeox},
    {"qwen3", ModelArch::kQwen3, RopeType::kNeox},
    {"exaone", ModelArch::kExaone, RopeType::kNeox},
};

Status Inconsistent(const std::string& what) {
  return Corrupt("inconsistent model hyperparameters: " + what);
}

Result<uint32_t> RequirePositive(const GgufFile& file, const std::string& key) {
  DOCENT_ASSIGN_OR_RETURN(uint32_t v, file.GetU32(key));
  if (v == 0) return Corrupt(file.name() + ": key " + key + " must be positive, not 0");
  return v;
}

// An optional count: absent gives `fallback`; present must be positive.
Result<uint32_t> OptionalPositive(const GgufFile& file, const std::string& key, uint32_t fallback) {
  if (!file.Has(key)) return fallback;
  return RequirePositive(file, key);
}

Result<std::optional<uint32_t>> OptionalId(const GgufFile& file, const std::string& key) {
  if (!file.Has(key)) return std::optional<uint32_t>();
  DOCENT_ASSIGN_OR_RETURN(uint32_t v, file.GetU32(key));
  return std::optional<uint32_t>(v);
}

Status ReadRopeScaling(const GgufFile& file, const std::string& prefix, ModelConfig& config) {
  std::string type = "none";
  if (file.Has(prefix + "rope.scaling.type")) {
    DOCENT_ASSIGN_OR_RETURN(std::string_view t, file.GetString(prefix + "rope.scaling.type"));
    type = std::string(t);
  }
  float factor = 1.0f;
  if (file.Has(prefix + "rope.scaling.factor")) {
    DOCENT_ASSIGN_OR_RETURN(factor, file.GetF32(prefix + "rope.scaling.factor"));
  } else if (file.Has(prefix + "rope.scale_linear")) {  // the older spelling of the same
    DOCENT_ASSIGN_OR_RETURN(factor, file.GetF32(prefix + "rope.scale_linear"));
    if (type == "none") type = "linear";
  }
  if (type == "none") return Status::Ok();
  if (type != "linear") {
    return Unsupported(file.name() + ": rope scaling '" + type +
                       "' is not implemented (docent supports none and linear)");
  }
  // A factor of 0 means "not set" in files written by some converters.
  if (factor == 0.0f) factor = 1.0f;
  if (!(factor > 0.0f)) {
    return Corrupt(file.name() + ": key " + prefix + "rope.scaling.factor must be positive");
  }
  config.rope_freq_scale = 1.0f / factor;
  return Status::Ok();
}

Result<uint32_t> ReadVocabSize(const GgufFile& file, const std::string& prefix) {
  if (file.Has(prefix + "vocab_size")) return RequirePositive(file, prefix + "vocab_size");
  if (file.Has("tokenizer.ggml.tokens")) {
    DOCENT_ASSIGN_OR_RETURN(const GgufArray* tokens, file.GetArray("tokenizer.ggml.tokens"));
    if (tokens->size == 0 || tokens->size > UINT32_MAX) {
      return Corrupt(file.name() + ": tokenizer.ggml.tokens holds " + std::to_string(tokens->size) +
                     " tokens");
    }
    return static_cast<uint32_t>(tokens->size);
  }
  const GgufTensorInfo* embd = file.FindTensor("token_embd.weight");
  if (embd == nullptr) return Corrupt(file.name() + ": no tensor named token_embd.weight");
  if (embd->n_dims != 2 || embd->dims[1] == 0 || embd->dims[1] > UINT32_MAX) {
    return Corrupt(file.name() + ": token_embd.weight is not a [n_embd, n_vocab] matrix");
  }
  return static_cast<uint32_t>(embd->dims[1]);
}

}  // namespace

std::string_view ModelArchName(ModelArch arch) {
  for (const ArchInfo& a : kArchs) {
    if (a.arch == arch) return a.name;
  }
  return "?";
}

std::string_view RopeTypeName(RopeType type) {
  return type == RopeType::kNormal ? "normal" : "neox";
}

Result<ModelConfig> ReadModelConfig(const GgufFile& file) {
  DOCENT_ASSIGN_OR_RETURN(std::string_view arch_name, file.GetString("general.architecture"));
  const ArchInfo* info = nullptr;
  for (const ArchInfo& a : kArchs) {
    if (a.name == arch_name) info = &a;
  }
  if (info == nullptr) {
    return Unsupported(file.name() + ": unknown model architecture '" + std::string(arch_name) +
                       "' (docent runs llama, qwen2, qwen3, exaone)");
  }
  const std::string p = std::string(arch_name) + ".";
  ModelConfig c;
  c.arch = info->arch;
  c.rope_type = info->rope;
  DOCENT_ASSIGN_OR_RETURN(c.n_embd, RequirePositive(file, p + "embedding_length"));
  DOCENT_ASSIGN_OR_RETURN(c.n_layer, RequirePositive(file, p + "block_count"));
  DOCENT_ASSIGN_OR_RETURN(c.n_ff, RequirePositive(file, p + "feed_forward_length"));
  DOCENT_ASSIGN_OR_RETURN(c.context_length, RequirePositive(file, p + "context_length"));
  DOCENT_ASSIGN_OR_RETURN(c.n_head, RequirePositive(file, p + "attention.head_count"));
  DOCENT_ASSIGN_OR_RETURN(c.n_head_kv,
                          OptionalPositive(file, p + "attention.head_count_kv", c.n_head));
  // Without an explicit key_length the heads split the residual stream evenly.
  if (!file.Has(p + "attention.key_length") && c.n_embd % c.n_head != 0) {
    return Inconsistent(p + "embedding_length " + std::to_string(c.n_embd) +
                        " is not a multiple of " + p + "attention.head_count " +
                        std::to_string(c.n_head));
  }
  DOCENT_ASSIGN_OR_RETURN(c.head_dim_k,
                          OptionalPositive(file, p + "attention.key_length", c.n_embd / c.n_head));
  DOCENT_ASSIGN_OR_RETURN(c.head_dim_v,
                          OptionalPositive(file, p + "attention.value_length", c.head_dim_k));
  DOCENT_ASSIGN_OR_RETURN(c.n_rot,
                          OptionalPositive(file, p + "rope.dimension_count", c.head_dim_k));
  DOCENT_ASSIGN_OR_RETURN(c.rms_eps, file.GetF32(p + "attention.layer_norm_rms_epsilon"));
  DOCENT_ASSIGN_OR_RETURN(c.rope_freq_base, file.GetF32Or(p + "rope.freq_base", 10000.0f));
  DOCENT_RETURN_IF_ERROR(ReadRopeScaling(file, p, c));
  DOCENT_ASSIGN_OR_RETURN(c.vocab_size, ReadVocabSize(file, p));
  DOCENT_ASSIGN_OR_RETURN(c.bos_token_id, OptionalId(file, "tokenizer.ggml.bos_token_id"));
  DOCENT_ASSIGN_OR_RETURN(c.eos_token_id, OptionalId(file, "tokenizer.ggml.eos_token_id"));

  if (c.n_head % c.n_head_kv != 0) {
    return Inconsistent(p + "attention.head_count " + std::to_string(c.n_head) +
                        " is not a multiple of " + p + "attention.head_count_kv " +
                        std::to_string(c.n_head_kv));
  }
  if (c.n_rot > c.head_dim_k || c.n_rot % 2 != 0) {
    return Inconsistent(p + "rope.dimension_count " + std::to_string(c.n_rot) +
                        " must be even and at most the key length " + std::to_string(c.head_dim_k));
  }
  if (!(c.rms_eps > 0.0f) || !(c.rope_freq_base > 0.0f)) {
    return Inconsistent(p + "attention.layer_norm_rms_epsilon and " + p +
                        "rope.freq_base must be positive");
  }
  if (c.bos_token_id && *c.bos_token_id >= c.vocab_size) {
    return Inconsistent("tokenizer.ggml.bos_token_id is outside the vocabulary");
  }
  if (c.eos_token_id && *c.eos_token_id >= c.vocab_size) {
    return Inconsistent("tokenizer.ggml.eos_token_id is outside the vocabulary");
  }
  return c;
}

}  // namespace docent::llm
