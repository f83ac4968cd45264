// Reading a SentencePiece model file (the `.model` protobuf spm_train writes and XLM-RoBERTa,
// bge-m3 and multilingual-e5 ship as sentencepiece.bpe.model), and writing its vocabulary into
// GGUF metadata the way llama.cpp's converter does for XLM-RoBERTa, so that a model docent
// synthesises loads through exactly the path a converted real one takes.
//
// Only the fields a tokenizer needs are read (pieces, the trainer's model type and special
// ids, the normalizer's character map and space flags); every other field is skipped by its
// wire type. A hand-written reader: five fields do not justify a protobuf dependency.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "docent/llm/gguf_writer.h"
#include "docent/util/status.h"

namespace docent::llm {

struct SentencePieceModel {
  struct Piece {
    std::string text;
    float score = 0;
    int32_t type = 1;  // NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6
  };
  std::vector<Piece> pieces;
  int32_t model_type = 1;  // UNIGRAM 1, BPE 2, WORD 3, CHAR 4
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  std::vector<uint8_t> precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
};

// Corrupt (naming `name` and the byte offset) for a malformed protobuf or a piece type out of
// range; Unsupported for a model that is not Unigram.
Result<SentencePieceModel> ReadSentencePieceModel(std::span<const uint8_t> bytes,
                                                  const std::string& name);

// Sets tokenizer.ggml.* for an XLM-RoBERTa vocabulary of `vocab_size` tokens (>= the model's
// pieces + 1) from `model`, as llama.cpp's converter writes it: <s> <pad> </s> <unk> as ids
// 0-3, then the model's pieces from its id 3 on (so id = piece id + 1), slots past the pieces
// "[PAD<i>]" unused; user-defined pieces as normal ones; the character map and space flags;
// BOS <s>, EOS and SEP </s>, UNK, PAD, MASK the last id; BOS and EOS added.
// InvalidArgument when vocab_size is too small.
Status SetXlmRobertaVocab(const SentencePieceModel& model, uint32_t vocab_size, GgufWriter& out);

}  // namespace docent::llm
