// Fuzzes the tokenizers on arbitrary input text: encoding must never crash, byte-level BPE
// must give the input back byte for byte, SentencePiece must too (its byte fallback covers
// every byte) unless the input holds its own space mark U+2581, and a streaming decode
// must emit only valid UTF-8 that adds up to the full decode whenever that is valid. The
// vocabularies are small hand-built ones, made once.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/tokenizer.h"
#include "docent/llm/tokenizer_bpe.h"
#include "docent/llm/tokenizer_streaming.h"
#include "docent/util/utf8.h"

namespace {

using docent::llm::GgufFile;
using docent::llm::GgufWriter;
using docent::llm::GgufWriteValue;
using docent::llm::Tokenizer;

std::unique_ptr<Tokenizer> Build(const GgufWriter& w) {
  std::vector<uint8_t> bytes = w.Serialize();
  auto file = GgufFile::FromBytes(bytes, "fuzz.gguf");
  if (!file.ok()) std::abort();
  auto tok = Tokenizer::FromGguf(*file);
  if (!tok.ok()) std::abort();
  return std::move(tok).value();
}

std::string ByteSymbol(int b) {
  std::string s;
  docent::util::AppendUtf8(docent::llm::ByteToBpeCodePoint(static_cast<uint8_t>(b)), s);
  return s;
}

std::unique_ptr<Tokenizer> MakeBpe() {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.push_back(ByteSymbol(b));
  const std::string space = ByteSymbol(' ');
  for (const std::string& t :
       std::vector<std::string>{"th", "the", "in", "an", "and", space + "t", space + "the"}) {
    tokens.push_back(t);
  }
  tokens.push_back("<|im_end|>");
  std::vector<int32_t> types(tokens.size(), 1);
  types.back() = 3;
  GgufWriter w;
  w.SetString("tokenizer.ggml.model", "gpt2");
  w.SetString("tokenizer.ggml.pre", "qwen2");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(tokens));
  w.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  w.Set("tokenizer.ggml.merges",
        GgufWriteValue::StringArray({"t h", "th e", "i n", "a n", "an d", space + " t",
                                     space + "t he"}));
  return Build(w);
}

std::unique_ptr<Tokenizer> MakeSpm() {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};
  char name[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    tokens.push_back(name);
    types.push_back(6);
  }
  for (const char* t : {"\xE2\x96\x81", "\xE2\x96\x81t", "h", "e", "\xE2\x96\x81th",
                        "\xE2\x96\x81the", "\xEC\x95\x88"}) {
    tokens.push_back(t);
    types.push_back(1);
  }
  std::vector<float> scores(tokens.size());
  for (size_t i = 0; i < scores.size(); ++i) scores[i] = -static_cast<float>(i);
  GgufWriter w;
  w.SetString("tokenizer.ggml.model", "llama");
  w.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(tokens));
  w.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  w.Set("tokenizer.ggml.scores", GgufWriteValue::F32Array(scores));
  return Build(w);
}

void CheckStream(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  docent::llm::StreamingDecoder stream(tok);
  std::string joined;
  for (int32_t id : ids) {
    std::string piece = stream.Push(id);
    if (!docent::util::IsValidUtf8(piece)) std::abort();
    joined += piece;
  }
  joined += stream.Finish();
  const std::string full = tok.Decode(ids);
  if (docent::util::IsValidUtf8(full) && joined != full) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<Tokenizer> bpe = MakeBpe();
  static const std::unique_ptr<Tokenizer> spm = MakeSpm();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::vector<int32_t> ids = bpe->Encode(text, false, /*parse_special=*/false);
  if (bpe->Decode(ids) != text) std::abort();
  CheckStream(*bpe, ids);
  (void)bpe->Encode(text);

  ids = spm->Encode(text, false, false);
  // A literal U+2581 in the input reads back as a space: that is SentencePiece's escape.
  if (text.find("\xE2\x96\x81") == std::string_view::npos && spm->Decode(ids) != text) {
    std::abort();
  }
  CheckStream(*spm, ids);
  return 0;
}
