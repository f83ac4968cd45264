// Building a Tokenizer from GGUF metadata, and the encode / decode policy around the
// backends (see tokenizer.h).
#include "docent/llm/tokenizer.h"

#include <algorithm>

#include "docent/llm/pretokenize.h"
#include "docent/llm/tokenizer_bpe.h"
#include "docent/llm/tokenizer_spm.h"
#include "docent/llm/tokenizer_ugm.h"
#include "docent/llm/tokenizer_wordpiece.h"

namespace docent::llm {
namespace {

// End-of-turn markers of common chat formats. Vocabularies often name only EOS, yet a chat
// model ends its turn with one of these; stopping on them is what users expect.
constexpr std::string_view kEndOfTurnTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|eom_id|>", "<|endoftext|>",
    "<|end_of_text|>",
    // Split literal: a hex escape would swallow the "e" after it.
    "<\xEF\xBD\x9C"
    "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",  // DeepSeek's
};

// An optional special-token id: `fallback` when the key is absent, -1 when the file says
// "none" with a negative value or UINT32_MAX, Corrupt when it names no token.
Result<int32_t> ReadTokenId(const GgufFile& file, const TokenizerVocab& vocab, std::string_view key,
                            int32_t fallback) {
  if (!file.Has(key)) return fallback;
  DOCENT_ASSIGN_OR_RETURN(int64_t v, file.GetI64(key));
  if (v < 0 || v == 0xFFFFFFFFll) return -1;
  if (v >= vocab.size()) {
    return Corrupt(file.name() + ": " + std::string(key) + " is " + std::to_string(v) +
                   " but the vocabulary has " + std::to_string(vocab.size()) + " tokens");
  }
  return static_cast<int32_t>(v);
}

}  // namespace

Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const GgufFile& file) {
  std::unique_ptr<Tokenizer> t(new Tokenizer());
  DOCENT_RETURN_IF_ERROR(t->Init(file));
  return t;
}

Status Tokenizer::Init(const GgufFile& file) {
  DOCENT_ASSIGN_OR_RETURN(std::string_view model, file.GetString("tokenizer.ggml.model"));
  if (model != "gpt2" && model != "llama" && model != "bert" && model != "t5") {
    return Unsupported(file.name() + ": tokenizer.ggml.model \"" + std::string(model) +
                       "\" is not supported (docent reads gpt2 byte-level BPE, llama "
                       "SentencePiece, bert WordPiece and t5 SentencePiece Unigram vocabularies)");
  }
  DOCENT_ASSIGN_OR_RETURN(TokenizerVocab vocab, TokenizerVocab::FromGguf(file));
  vocab_ = std::make_unique<TokenizerVocab>(std::move(vocab));
  const TokenizerVocab& v = *vocab_;

  int32_t bos_default = -1, eos_default = -1, unk_default = -1;
  bool add_bos_default = false, add_eos_default = false;
  if (model == "llama") {
    kind_ = TokenizerKind::kSentencePiece;
    bos_default = v.Find("<s>");
    eos_default = v.Find("</s>");
    unk_default = v.Find("<unk>");
    add_bos_default = true;
  } else if (model == "bert") {
    kind_ = TokenizerKind::kWordPiece;
    DOCENT_ASSIGN_OR_RETURN(bos_default,
                            ReadTokenId(file, v, "tokenizer.ggml.cls_token_id", v.Find("[CLS]")));
    // "seperator" is how llama.cpp's converter spells the key.
    DOCENT_ASSIGN_OR_RETURN(
        eos_default, ReadTokenId(file, v, "tokenizer.ggml.seperator_token_id", v.Find("[SEP]")));
    unk_default = v.Find("[UNK]");
    add_bos_default = add_eos_default = true;
  } else if (model == "t5") {
    // llama.cpp's defaults for a t5 vocabulary without the keys (T5's own ids); XLM-R GGUFs
    // name <s> = 0 and </s> = 2 and ask for both.
    kind_ = TokenizerKind::kUnigram;
    eos_default = v.size() > 1 ? 1 : -1;
    unk_default = v.size() > 2 ? 2 : -1;
    add_eos_default = true;
  } else {
    kind_ = TokenizerKind::kBytePairBpe;
  }
  DOCENT_ASSIGN_OR_RETURN(bos_, ReadTokenId(file, v, "tokenizer.ggml.bos_token_id", bos_default));
  DOCENT_ASSIGN_OR_RETURN(eos_, ReadTokenId(file, v, "tokenizer.ggml.eos_token_id", eos_default));
  DOCENT_ASSIGN_OR_RETURN(eot_, ReadTokenId(file, v, "tokenizer.ggml.eot_token_id", -1));
  DOCENT_ASSIGN_OR_RETURN(eom_, ReadTokenId(file, v, "tokenizer.ggml.eom_token_id", -1));
  DOCENT_ASSIGN_OR_RETURN(unk_,
                          ReadTokenId(file, v, "tokenizer.ggml.unknown_token_id", unk_default));
  DOCENT_ASSIGN_OR_RETURN(pad_, ReadTokenId(file, v, "tokenizer.ggml.padding_token_id", -1));
  DOCENT_ASSIGN_OR_RETURN(add_bos_,
                          file.GetBoolOr("tokenizer.ggml.add_bos_token", add_bos_default));
  DOCENT_ASSIGN_OR_RETURN(add_eos_,
                          file.GetBoolOr("tokenizer.ggml.add_eos_token", add_eos_default));

  if (kind_ == TokenizerKind::kBytePairBpe) {
    std::string_view pre_name;
    if (file.Has("tokenizer.ggml.pre")) {
      DOCENT_ASSIGN_OR_RETURN(pre_name, file.GetString("tokenizer.ggml.pre"));
    }
    auto spec = PreTokenizerSpecFor(pre_name);
    if (!spec.ok()) return spec.status().WithContext(file.name());
    pre_ = spec->name;
    DOCENT_ASSIGN_OR_RETURN(PreTokenizer pre, PreTokenizer::Create(*spec));
    DOCENT_ASSIGN_OR_RETURN(std::span<const std::string_view> merges,
                            file.GetStringArray("tokenizer.ggml.merges"));
    DOCENT_ASSIGN_OR_RETURN(backend_, BpeBackend::Create(v, merges, std::move(pre), unk_));
  } else if (kind_ == TokenizerKind::kSentencePiece) {
    pre_ = "spm";
    DOCENT_ASSIGN_OR_RETURN(bool space_prefix,
                            file.GetBoolOr("tokenizer.ggml.add_space_prefix", true));
    backend_ = SpmBackend::Create(v, unk_, space_prefix);
  } else if (kind_ == TokenizerKind::kUnigram) {
    pre_ = "ugm";
    UgmBackend::Options options;
    if (file.Has("tokenizer.ggml.precompiled_charsmap")) {
      DOCENT_ASSIGN_OR_RETURN(const GgufArray* map,
                              file.GetArray("tokenizer.ggml.precompiled_charsmap"));
      if (map->element_type != GgufValueType::kUint8 && map->element_type != GgufValueType::kInt8) {
        return Corrupt(file.name() + ": tokenizer.ggml.precompiled_charsmap is not a byte array");
      }
      options.charsmap = map->raw;
    }
    DOCENT_ASSIGN_OR_RETURN(options.add_space_prefix,
                            file.GetBoolOr("tokenizer.ggml.add_space_prefix", false));
    DOCENT_ASSIGN_OR_RETURN(options.remove_extra_whitespaces,
                            file.GetBoolOr("tokenizer.ggml.remove_extra_whitespaces", false));
    auto ugm = UgmBackend::Create(v, unk_, options);
    if (!ugm.ok()) return ugm.status().WithContext(file.name());
    backend_ = std::move(*ugm);
  } else {
    pre_ = "bert";
    backend_ = WordPieceBackend::Create(v, unk_);
  }
  specials_ = std::make_unique<SpecialTokenMatcher>(v);

  for (int32_t id : {eos_, eot_, eom_}) {
    if (id >= 0) end_of_generation_.push_back(id);
  }
  for (std::string_view text : kEndOfTurnTexts) {
    int32_t id = v.Find(text);
    if (id >= 0 && (v.Type(id) == TokenType::kControl || v.Type(id) == TokenType::kUserDefined)) {
      end_of_generation_.push_back(id);
    }
  }
  std::sort(end_of_generation_.begin(), end_of_generation_.end());
  end_of_generation_.erase(std::unique(end_of_generation_.begin(), end_of_generation_.end()),
                           end_of_generation_.end());
  return Status::Ok();
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (add_special && add_bos_ && bos_ >= 0) out.push_back(bos_);
  EncodePiece(text, parse_special, /*follows_text=*/false, out);
  if (add_special && add_eos_ && eos_ >= 0) out.push_back(eos_);
  return out;
}

bool Tokenizer::EncodePiece(std::string_view text, bool parse_special, bool follows_text,
                            std::vector<int32_t>& out) const {
  std::vector<TextFragment> fragments;
  specials_->Partition(text, parse_special, fragments);
  bool after_boundary = !follows_text;
  for (const TextFragment& f : fragments) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_boundary = true;
    } else if (!f.text.empty()) {
      backend_->Encode(f.text, after_boundary, out);
      after_boundary = false;
    }
  }
  return !after_boundary;
}

std::vector<int32_t> Tokenizer::EncodeMixed(std::span<const MixedPiece> pieces) const {
  std::vector<int32_t> out;
  std::vector<TextFragment> fragments;
  std::string run;  // plain text not yet encoded, possibly from several pieces
  bool after_boundary = true;
  auto flush = [&] {
    if (run.empty()) return;
    backend_->Encode(run, after_boundary, out);
    after_boundary = false;
    run.clear();
  };
  for (const MixedPiece& piece : pieces) {
    fragments.clear();
    specials_->Partition(piece.text, piece.parse_special, fragments);
    for (const TextFragment& f : fragments) {
      if (f.token >= 0) {
        flush();
        out.push_back(f.token);
        after_boundary = true;
      } else {
        run.append(f.text);
      }
    }
  }
  flush();
  return out;
}

void Tokenizer::AppendDecoded(int32_t id, bool render_special, bool& at_start,
                              std::string& out) const {
  if (!vocab_->Contains(id)) return;
  switch (vocab_->Type(id)) {
    case TokenType::kControl:
    case TokenType::kUnknown:
      if (render_special) out.append(vocab_->Text(id));
      return;
    case TokenType::kUserDefined:
      out.append(vocab_->Text(id));
      at_start = false;
      return;
    default:
      break;
  }
  const size_t before = out.size();
  backend_->AppendTokenBytes(id, out);
  if (out.size() == before) return;
  if (at_start && backend_->AddsLeadingSpace() && out[before] == ' ') out.erase(before, 1);
  at_start = false;
}

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool render_special) const {
  std::string out;
  bool at_start = true;
  for (int32_t id : ids) AppendDecoded(id, render_special, at_start, out);
  return out;
}

bool Tokenizer::IsEndOfGeneration(int32_t id) const {
  return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

}  // namespace docent::llm
