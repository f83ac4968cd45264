// Builds a vocabulary-only GGUF (tokenizer.ggml.* keys, no tensors) from a Hugging Face
// tokenizer.json, so that docent's Tokenizer can run on vocabularies published only in
// that format: for the differential tests against llama.cpp and Hugging Face, and for
// `docent synth-model`, which gives synthetic models a real vocabulary.
//
// Only byte-level BPE vocabularies (GPT-2, Llama 3, Qwen2 and their relatives) are read;
// anything else is Unsupported. Ids missing between the vocabulary and the added tokens
// become unused "[PADn]" tokens, as llama.cpp's converter writes them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "docent/llm/gguf_writer.h"
#include "docent/util/status.h"

namespace docent::llm {

struct HfTokenizerJsonOptions {
  // tokenizer.ggml.pre to write; empty: recognised from the pre-tokenizer's regex
  // (Llama 3's 3-digit groups -> "llama-bpe", Qwen2's single digits -> "qwen2", else
  // "gpt-2").
  std::string pre;
  // Token texts for BOS / EOS; empty: taken from tokenizer_config.json beside the file.
  std::string bos_token;
  std::string eos_token;
  // Whether Encode adds BOS; unset: tokenizer_config.json's add_bos_token, else whether
  // the post-processor inserts the BOS token.
  std::optional<bool> add_bos;
};

// NotFound / IOError when the file cannot be read, Corrupt when it is not a tokenizer.json
// (bad JSON, missing vocabulary, malformed merges), Unsupported for a non byte-level BPE.
Result<GgufWriter> VocabGgufFromHfTokenizerJson(const std::filesystem::path& tokenizer_json,
                                                const HfTokenizerJsonOptions& options = {});

}  // namespace docent::llm
