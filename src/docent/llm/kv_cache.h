// The key/value cache of a decoder: for each sequence, layer and position, the rotated keys
// and the values of every key/value head, so that attention at position p reads positions
// 0..p without recomputing them.
//
// Layout: one contiguous block per (sequence, layer), position-major, each position holding
// n_head_kv heads of head_dim_k key values (and head_dim_v value values). Storage is F16 by
// default, as llama.cpp keeps it, or F32. Each sequence has a length: the positions written
// so far. Writing position p requires p <= length and makes the length p + 1, which both
// appends and rewinds (a rewound sequence forgets everything after p). The dot products and
// weighted sums below run over head elements left to right and over positions in increasing
// order, independent of how many sequences there are or what they hold.
//
// With F16 storage both operands of each attention product are F16: the query is rounded to
// F16 for the key dot products and each softmax weight for the value sum, the products and
// sums staying in f32. That is what llama.cpp does with its F16 cache (its CPU matrix product
// converts the f32 side to the F16 side's type), it halves the bytes a SIMD kernel streams,
// and it keeps docent within ~1e-5 of llama.cpp's probabilities where rounding only one side
// leaves ~1e-3 on a small model like stories260K.
// Owns its memory; not thread-safe (one writer per sequence, guarded by the caller).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "docent/llm/forward_ops.h"
#include "docent/util/status.h"

namespace docent::llm {

// kQ8_0 stores each head in Q8_0 blocks (head sizes must be multiples of 32): half the bytes
// of F16, for long contexts and many sequences; queries meet it quantised to Q8_0 as well,
// as llama.cpp's Q8_0 cache product does.
enum class KvStorage { kF16, kF32, kQ8_0 };

struct KvCacheShape {
  uint32_t n_layer = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim_k = 0;
  uint32_t head_dim_v = 0;
  uint32_t max_positions = 0;  // per sequence
  uint32_t n_seq = 1;
};

class KvCache {
 public:
  // InvalidArgument when a dimension is zero (or, for kQ8_0, a head size is not a multiple
  // of 32); TooLarge past 16 GiB.
  static Result<KvCache> Create(const KvCacheShape& shape, KvStorage storage = KvStorage::kF16);

  KvCache(KvCache&&) noexcept = default;
  KvCache& operator=(KvCache&&) noexcept = default;
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  const KvCacheShape& shape() const { return shape_; }
  KvStorage storage() const { return storage_; }
  uint32_t Length(uint32_t seq) const { return lengths_[seq]; }

  // Checks seq < n_seq, pos < max_positions and pos <= Length(seq); then truncates the
  // sequence to `pos` positions and opens position pos for writing (the length becomes
  // pos + 1). Call once per token before writing its layers.
  Status BeginPosition(uint32_t seq, uint32_t pos) { return BeginPositions(seq, pos, 1); }
  // The same for `count` consecutive positions first..first+count-1 computed together (a
  // prompt chunk): the length becomes first + count.
  Status BeginPositions(uint32_t seq, uint32_t first, uint32_t count);
  // Stores one position's keys (n_head_kv * head_dim_k) and values (n_head_kv * head_dim_v)
  // for `layer`, rounded to the storage type. The position must have been opened by
  // BeginPosition(s). Different positions may be stored from different threads.
  void Store(uint32_t seq, uint32_t layer, uint32_t pos, std::span<const float> k,
             std::span<const float> v);
  // Forgets a sequence.
  void Clear(uint32_t seq) { lengths_[seq] = 0; }
  // Makes a sequence `length` positions long without writing them: what the positions past
  // the old length hold is undefined until they are placed (PlacePositions) or filled by a
  // forward pass in fill mode (ForwardBatch::Fill). For prompts assembled from pieces computed
  // elsewhere. InvalidArgument for a bad sequence, ResourceExhausted past max_positions.
  Status Extend(uint32_t seq, uint32_t length);

  // The bytes one position's keys and values take over all layers, in the storage type.
  size_t PositionBytes() const {
    return size_t{shape_.n_layer} * (KeyRowBytes() + ValueRowBytes());
  }
  // Copies positions first..first+count-1 of `seq` (all layers, as stored) to `dst`, which
  // holds count * PositionBytes(); they must be below Length(seq).
  void ExportPositions(uint32_t seq, uint32_t first, uint32_t count, uint8_t* dst) const;
  // Writes positions exported before (from any sequence holding the same tokens) back at
  // first..first+count-1: like BeginPositions, first <= Length(seq) and the length becomes
  // first + count. The same errors as BeginPositions.
  Status ImportPositions(uint32_t seq, uint32_t first, uint32_t count, const uint8_t* src);
  // Writes exported positions at first..first+count-1 of a sequence already that long
  // (Extend), leaving its length and its other positions alone. InvalidArgument past the
  // sequence's length.
  Status PlacePositions(uint32_t seq, uint32_t first, uint32_t count, const uint8_t* src);

  // Moves the keys of positions first..first+count-1 (all layers and heads, below
  // Length(seq)) from the positions they were rotated for to `delta` positions further
  // (earlier when negative): each head is widened to f32, turned by delta's angle
  // (RotateRopeBy) and rounded back to the storage type. Values do not depend on the position.
  // For KV computed elsewhere and placed at another position (chunk KV reuse).
  void RotateKeys(uint32_t seq, uint32_t first, uint32_t count, const RopeParams& rope,
                  int64_t delta);

  // sum_i key[seq, layer, pos, head][i] * q[i], i ascending (q has head_dim_k elements).
  float DotKey(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
               std::span<const float> q) const;
  // kQ8_0 storage only: DotKey with the query already quantised to Q8_0 (QuantizeRowQ8_0 of
  // head_dim_k values), so attention quantises each query once, not once per position.
  float DotKeyQ8(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
                 const uint8_t* q8) const;
  // out[i] += weight * value[seq, layer, pos, head][i] (out has head_dim_v elements).
  void AddValue(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head, float weight,
                std::span<float> out) const;

  // F16 storage only: the keys (values) of position 0 of (seq, layer); position p's head h
  // starts RowStride elements per position further on, at + h * head_dim.
  const uint16_t* KeysF16(uint32_t seq, uint32_t layer) const {
    return k16_.data() + KeyOffset(seq, layer, 0, 0);
  }
  const uint16_t* ValuesF16(uint32_t seq, uint32_t layer) const {
    return v16_.data() + ValueOffset(seq, layer, 0, 0);
  }
  size_t KeyRowStride() const { return size_t{shape_.n_head_kv} * shape_.head_dim_k; }
  size_t ValueRowStride() const { return size_t{shape_.n_head_kv} * shape_.head_dim_v; }

 private:
  KvCache(const KvCacheShape& shape, KvStorage storage);
  size_t KeyOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const;
  size_t KeyRowBytes() const { return StoredBytes(KeyRowStride()); }
  size_t ValueRowBytes() const { return StoredBytes(ValueRowStride()); }
  size_t StoredBytes(size_t elements) const;
  // The stored bytes of (seq, layer) from position pos on.
  const uint8_t* KeyBytes(uint32_t seq, uint32_t layer, uint32_t pos) const;
  const uint8_t* ValueBytes(uint32_t seq, uint32_t layer, uint32_t pos) const;
  uint8_t* KeyBytes(uint32_t seq, uint32_t layer, uint32_t pos) {
    return const_cast<uint8_t*>(std::as_const(*this).KeyBytes(seq, layer, pos));
  }
  uint8_t* ValueBytes(uint32_t seq, uint32_t layer, uint32_t pos) {
    return const_cast<uint8_t*>(std::as_const(*this).ValueBytes(seq, layer, pos));
  }
  size_t ValueOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const;

  KvCacheShape shape_;
  KvStorage storage_ = KvStorage::kF16;
  std::vector<uint16_t> k16_, v16_;  // kF16
  std::vector<float> k32_, v32_;     // kF32
  std::vector<uint8_t> k8_, v8_;     // kQ8_0: blocks of 34 bytes per 32 values
  std::vector<uint32_t> lengths_;    // per sequence
};

}  // namespace docent::llm
