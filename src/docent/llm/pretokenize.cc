// Regex pre-tokenizers (see pretokenize.h). The patterns are written from the public
// descriptions of each model family's split: the GPT-2 paper's contraction / letters /
// digits / other / space classes, the Llama 3 and Qwen2 variants that add case-insensitive
// contractions, a one-character prefix before letters and 3-digit (Llama 3) or 1-digit
// (Qwen2) number groups, and DeepSeek LLM's sequence of splits.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "docent/llm/pretokenize.h"

#include <pcre2.h>

namespace docent::llm {
namespace {

// Contractions, then letters, digits, other symbols and whitespace; `\s+(?!\S)` leaves the
// last space of a run to prefix the following word.
constexpr char kGpt2Pattern[] =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Llama 3 and Qwen2 differ only in how many digits make one piece.
std::string LlamaStylePattern(std::string_view digits) {
  return std::string(R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|)") +
         std::string(digits) +
         R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
}

// DeepSeek LLM: newlines alone; cased-letter runs (Latin, Greek, Cyrillic, Armenian,
// Georgian, Cherokee, fullwidth Latin ...: its class is the cased letters) with an optional
// leading space; ASCII and fullwidth punctuation runs; trailing whitespace; CJK and Hangul
// runs; digit runs.
std::vector<std::string> DeepseekLlmPatterns() {
  return {
      R"([\r\n])",
      R"(\s?\p{L&}+)",
      R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)",
      R"(\s+$)",
      R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)",
      R"(\p{N}+)",
  };
}

}  // namespace

Result<PreTokenizerSpec> PreTokenizerSpecFor(std::string_view pre) {
  PreTokenizerSpec spec;
  if (pre.empty() || pre == "default" || pre == "gpt-2" || pre == "gpt2") {
    spec.name = "gpt-2";
    spec.patterns = {kGpt2Pattern};
  } else if (pre == "llama-bpe" || pre == "llama3" || pre == "llama-v3") {
    spec.name = "llama-bpe";
    spec.patterns = {LlamaStylePattern(R"(\p{N}{1,3})")};
    spec.ignore_merges = true;
  } else if (pre == "qwen2" || pre == "deepseek-r1-qwen") {
    spec.name = "qwen2";
    spec.patterns = {LlamaStylePattern(R"(\p{N})")};
  } else if (pre == "deepseek-llm") {
    spec.name = "deepseek-llm";
    spec.patterns = DeepseekLlmPatterns();
  } else {
    return Unsupported("tokenizer.ggml.pre \"" + std::string(pre) +
                       "\" is not supported (known: gpt-2, default, llama-bpe, qwen2, "
                       "deepseek-llm)");
  }
  return spec;
}

struct PreTokenizer::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

Result<PreTokenizer> PreTokenizer::Create(const PreTokenizerSpec& spec) {
  PreTokenizer p;
  p.spec_ = spec;
  for (const std::string& pattern : spec.patterns) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    // UCP: \s, \d and friends follow Unicode, as the reference tokenizers' regex engines do.
    // MATCH_INVALID_UTF: arbitrary bytes in, never an error; bad sequences just never match.
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                     pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error,
                                     &offset, nullptr);
    if (code == nullptr) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(error, msg, sizeof msg);
      return InvalidArgument("pre-tokenizer " + spec.name + ": pattern " + pattern +
                             " does not compile at offset " + std::to_string(offset) + ": " +
                             reinterpret_cast<const char*>(msg));
    }
    auto compiled = std::make_unique<Compiled>();
    compiled->code = code;
    // JIT is only a speed-up: the interpreter gives the same matches when it is unavailable.
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    p.compiled_.push_back(std::move(compiled));
  }
  return p;
}

void PreTokenizer::Split(std::string_view text, std::vector<std::string_view>& out) const {
  if (text.empty()) return;
  std::vector<std::string_view> pieces{text};
  std::vector<std::string_view> next;
  struct MatchDataFree {
    void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
  };
  for (const auto& compiled : compiled_) {
    std::unique_ptr<pcre2_match_data, MatchDataFree> md(
        pcre2_match_data_create_from_pattern(compiled->code, nullptr));
    next.clear();
    for (std::string_view piece : pieces) {
      const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
      size_t pos = 0;       // where the next search starts
      size_t emitted = 0;   // end of what has been cut off so far
      while (pos < piece.size()) {
        int rc = pcre2_match(compiled->code, subject, piece.size(), pos, 0, md.get(), nullptr);
        if (rc < 0) break;
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
        size_t start = ov[0], end = ov[1];
        if (end == start) {
          // None of the patterns match empty; step past one byte to stay finite regardless.
          pos = start + 1;
          while (pos < piece.size() && (static_cast<uint8_t>(piece[pos]) & 0xC0) == 0x80) ++pos;
          continue;
        }
        if (start > emitted) next.push_back(piece.substr(emitted, start - emitted));
        next.push_back(piece.substr(start, end - start));
        emitted = pos = end;
      }
      if (emitted < piece.size()) next.push_back(piece.substr(emitted));
    }
    pieces.swap(next);
  }
  out.insert(out.end(), pieces.begin(), pieces.end());
}

}  // namespace docent::llm
