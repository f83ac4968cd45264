// The SentencePiece ModelProto reader and the XLM-RoBERTa vocabulary layout (see
// sentencepiece_model.h). Field numbers are sentencepiece_model.proto's:
//   ModelProto      1 pieces (message), 2 trainer_spec (message), 3 normalizer_spec (message)
//   SentencePiece   1 piece (string), 2 score (float, fixed32), 3 type (enum)
//   TrainerSpec     3 model_type, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id (varints)
//   NormalizerSpec  2 precompiled_charsmap (bytes), 3 add_dummy_prefix, 4
//                   remove_extra_whitespaces (bools, true when absent)
#include "docent/llm/sentencepiece_model.h"

#include <cstring>
#include <string_view>

namespace docent::llm {
namespace {

// One protobuf message's fields, read in order.
class WireReader {
 public:
  WireReader(std::span<const uint8_t> bytes, size_t base, const std::string& name)
      : bytes_(bytes), base_(base), name_(name) {}

  bool done() const { return pos_ >= bytes_.size(); }

  // The next field's number and wire type.
  Status Next(uint32_t& field, uint32_t& wire) {
    uint64_t tag = 0;
    DOCENT_RETURN_IF_ERROR(Varint(tag));
    field = static_cast<uint32_t>(tag >> 3);
    wire = static_cast<uint32_t>(tag & 7);
    if (field == 0) return Bad("field number 0");
    return Status::Ok();
  }
  Status Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return Bad("a varint runs past the end");
      const uint8_t b = bytes_[pos_++];
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return Status::Ok();
    }
    return Bad("a varint longer than ten bytes");
  }
  Status Fixed32(uint32_t& v) {
    if (bytes_.size() - pos_ < 4) return Bad("a fixed32 runs past the end");
    std::memcpy(&v, bytes_.data() + pos_, 4);  // little-endian on the wire and here
    pos_ += 4;
    return Status::Ok();
  }
  // A length-delimited field's bytes, and where they start in the whole file.
  Status Bytes(std::span<const uint8_t>& out, size_t& at) {
    uint64_t n = 0;
    DOCENT_RETURN_IF_ERROR(Varint(n));
    if (n > bytes_.size() - pos_)
      return Bad("a field of " + std::to_string(n) + " bytes runs past the end");
    at = base_ + pos_;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  Status Skip(uint32_t wire) {
    uint64_t v = 0;
    uint32_t f = 0;
    std::span<const uint8_t> b;
    size_t at = 0;
    switch (wire) {
      case 0:
        return Varint(v);
      case 1:
        if (bytes_.size() - pos_ < 8) return Bad("a fixed64 runs past the end");
        pos_ += 8;
        return Status::Ok();
      case 2:
        return Bytes(b, at);
      case 5:
        return Fixed32(f);
      default:
        return Bad("wire type " + std::to_string(wire) + " is not one protobuf writes");
    }
  }
  Status Bad(const std::string& what) const {
    return Corrupt(name_ + ": not a SentencePiece model at byte " + std::to_string(base_ + pos_) +
                   ": " + what);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t base_;
  const std::string& name_;
  size_t pos_ = 0;
};

// A varint field of `wire` type 0 as int32 (negative ids are ten-byte varints).
Status ReadInt32(WireReader& r, uint32_t wire, int32_t& out) {
  if (wire != 0) return r.Bad("an integer field with wire type " + std::to_string(wire));
  uint64_t v = 0;
  DOCENT_RETURN_IF_ERROR(r.Varint(v));
  out = static_cast<int32_t>(static_cast<uint32_t>(v));
  return Status::Ok();
}

Status ReadPiece(std::span<const uint8_t> bytes, size_t base, const std::string& name,
                 SentencePieceModel::Piece& piece) {
  WireReader r(bytes, base, name);
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    DOCENT_RETURN_IF_ERROR(r.Next(field, wire));
    if (field == 1 && wire == 2) {
      std::span<const uint8_t> text;
      size_t at = 0;
      DOCENT_RETURN_IF_ERROR(r.Bytes(text, at));
      piece.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
    } else if (field == 2 && wire == 5) {
      uint32_t bits = 0;
      DOCENT_RETURN_IF_ERROR(r.Fixed32(bits));
      std::memcpy(&piece.score, &bits, 4);
    } else if (field == 3) {
      DOCENT_RETURN_IF_ERROR(ReadInt32(r, wire, piece.type));
      if (piece.type < 1 || piece.type > 6) {
        return r.Bad("piece type " + std::to_string(piece.type) + " is not 1-6");
      }
    } else {
      DOCENT_RETURN_IF_ERROR(r.Skip(wire));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SentencePieceModel> ReadSentencePieceModel(std::span<const uint8_t> bytes,
                                                  const std::string& name) {
  SentencePieceModel m;
  WireReader r(bytes, 0, name);
  while (!r.done()) {
    uint32_t field = 0, wire = 0;
    DOCENT_RETURN_IF_ERROR(r.Next(field, wire));
    if (wire != 2 || field < 1 || field > 3) {
      DOCENT_RETURN_IF_ERROR(r.Skip(wire));
      continue;
    }
    std::span<const uint8_t> sub;
    size_t at = 0;
    DOCENT_RETURN_IF_ERROR(r.Bytes(sub, at));
    if (field == 1) {
      DOCENT_RETURN_IF_ERROR(ReadPiece(sub, at, name, m.pieces.emplace_back()));
      continue;
    }
    WireReader spec(sub, at, name);
    while (!spec.done()) {
      uint32_t f = 0, w = 0;
      DOCENT_RETURN_IF_ERROR(spec.Next(f, w));
      int32_t v = 0;
      if (field == 2 && (f == 3 || (f >= 40 && f <= 43))) {
        DOCENT_RETURN_IF_ERROR(ReadInt32(spec, w, v));
        (f == 3    ? m.model_type
         : f == 40 ? m.unk_id
         : f == 41 ? m.bos_id
         : f == 42 ? m.eos_id
                   : m.pad_id) = v;
      } else if (field == 3 && f == 2 && w == 2) {
        std::span<const uint8_t> map;
        size_t map_at = 0;
        DOCENT_RETURN_IF_ERROR(spec.Bytes(map, map_at));
        m.precompiled_charsmap.assign(map.begin(), map.end());
      } else if (field == 3 && (f == 3 || f == 4)) {
        DOCENT_RETURN_IF_ERROR(ReadInt32(spec, w, v));
        (f == 3 ? m.add_dummy_prefix : m.remove_extra_whitespaces) = v != 0;
      } else {
        DOCENT_RETURN_IF_ERROR(spec.Skip(w));
      }
    }
  }
  if (m.pieces.empty()) return Corrupt(name + ": a SentencePiece model without pieces");
  if (m.model_type != 1) {
    return Unsupported(name + ": a SentencePiece model of type " + std::to_string(m.model_type) +
                       "; only Unigram (1) models make a t5 vocabulary");
  }
  return m;
}

Status SetXlmRobertaVocab(const SentencePieceModel& model, uint32_t vocab_size, GgufWriter& out) {
  const size_t pieces = model.pieces.size();
  if (pieces < 4 || vocab_size < pieces + 2) {
    return InvalidArgument("an XLM-RoBERTa vocabulary of " + std::to_string(vocab_size) +
                           " tokens cannot hold " + std::to_string(pieces) +
                           " pieces and a mask slot (needs at least pieces + 2)");
  }
  std::vector<std::string> texts = {"<s>", "<pad>", "</s>", "<unk>"};
  std::vector<float> scores = {0, 0, 0, 0};
  std::vector<int32_t> types = {3, 3, 3, 2};
  // Ids 4.. hold the pieces from id 3 on, then fillers, one fewer than the full list.
  for (uint32_t i = 3; i + 1 < vocab_size; ++i) {
    if (i < pieces) {
      const SentencePieceModel::Piece& p = model.pieces[i];
      texts.push_back(p.text);
      scores.push_back(p.score);
      types.push_back(p.type == 4 ? 1 : p.type);  // user-defined pieces become normal
    } else {
      texts.push_back("[PAD" + std::to_string(i) + "]");
      scores.push_back(-10000.0f);
      types.push_back(5);
    }
  }
  out.SetString("tokenizer.ggml.model", "t5");
  out.SetString("tokenizer.ggml.pre", "default");
  out.Set("tokenizer.ggml.tokens", GgufWriteValue::StringArray(texts));
  out.Set("tokenizer.ggml.scores", GgufWriteValue::F32Array(scores));
  out.Set("tokenizer.ggml.token_type", GgufWriteValue::I32Array(types));
  out.SetBool("tokenizer.ggml.add_space_prefix", model.add_dummy_prefix);
  out.SetBool("tokenizer.ggml.remove_extra_whitespaces", model.remove_extra_whitespaces);
  if (!model.precompiled_charsmap.empty()) {
    std::vector<GgufWriteValue> bytes;
    bytes.reserve(model.precompiled_charsmap.size());
    for (uint8_t b : model.precompiled_charsmap) bytes.push_back(GgufWriteValue::U8(b));
    out.Set("tokenizer.ggml.precompiled_charsmap",
            GgufWriteValue::Array(GgufValueType::kUint8, std::move(bytes)));
  }
  out.SetU32("tokenizer.ggml.bos_token_id", 0);
  out.SetU32("tokenizer.ggml.padding_token_id", 1);
  out.SetU32("tokenizer.ggml.eos_token_id", 2);
  out.SetU32("tokenizer.ggml.seperator_token_id", 2);  // llama.cpp's spelling
  out.SetU32("tokenizer.ggml.unknown_token_id", 3);
  out.SetU32("tokenizer.ggml.mask_token_id", vocab_size - 1);
  out.SetBool("tokenizer.ggml.add_bos_token", true);
  out.SetBool("tokenizer.ggml.add_eos_token", true);
  return Status::Ok();
}

}  // namespace docent::llm
