// Fuzzes the SentencePiece model reader and the Unigram tokenizer built from what it reads:
// any bytes must give a model or a clean error, and a model that loads must build a GGUF
// vocabulary whose tokenizer encodes text (the input itself and a fixed mixed-script line)
// to ids inside the vocabulary without reading outside its character map, and decodes them.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "docent/llm/gguf_file.h"
#include "docent/llm/gguf_writer.h"
#include "docent/llm/sentencepiece_model.h"
#include "docent/llm/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = docent::llm::ReadSentencePieceModel({data, size}, "fuzz.model");
  if (!model.ok() || model->pieces.size() > 4096) return 0;
  docent::llm::GgufWriter w;
  if (!docent::llm::SetXlmRobertaVocab(*model, static_cast<uint32_t>(model->pieces.size() + 2), w)
           .ok()) {
    return 0;
  }
  const std::vector<uint8_t> bytes = w.Serialize();
  auto file = docent::llm::GgufFile::FromBytes(bytes, "fuzz.gguf");
  if (!file.ok()) return 0;
  auto tok = docent::llm::Tokenizer::FromGguf(*file);
  if (!tok.ok()) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::string_view text : {input, std::string_view("연차휴가는 15일. Ｆｕｌｌ width ①  x")}) {
    const std::vector<int32_t> ids = (*tok)->Encode(text);
    for (int32_t id : ids) {
      if (id < 0 || id >= (*tok)->vocab_size()) std::abort();
    }
    (void)(*tok)->Decode(ids);
  }
  return 0;
}
