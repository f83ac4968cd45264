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
#include <vector>

#include "docent/util/status.h"

namespace docent::llm {

enum class KvStorage { kF16, kF32 };

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
  // InvalidArgument when a dimension is zero; TooLarge past 16 GiB.
  static Result<KvCache> Create(const KvCacheShape& shape, KvStorage storage = KvStorage::kF16);

  KvCache(KvCache&&) noexcept = default;
  KvCache& operator=(KvCache&&) noexcept = default;
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  const KvCacheShape& shape() const { return shape_; }
  KvStorage storage() const { return storage_; }
  uint32_t Length(uint32_t seq) const { return lengths_[seq]; }

  // Checks seq < n_seq, pos < max_positions and pos <= Length(seq); then truncates the
  // sequence to `pos` positions. Call once per token before writing its layers.
  Status BeginPosition(uint32_t seq, uint32_t pos);
  // Stores one position's keys (n_head_kv * head_dim_k) and values (n_head_kv * head_dim_v)
  // for `layer`, rounded to the storage type. Requires a BeginPosition(seq, pos) first.
  void Store(uint32_t seq, uint32_t layer, uint32_t pos, std::span<const float> k,
             std::span<const float> v);
  // Forgets a sequence.
  void Clear(uint32_t seq) { lengths_[seq] = 0; }

  // sum_i key[seq, layer, pos, head][i] * q[i], i ascending (q has head_dim_k elements).
  float DotKey(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
               std::span<const float> q) const;
  // out[i] += weight * value[seq, layer, pos, head][i] (out has head_dim_v elements).
  void AddValue(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head, float weight,
                std::span<float> out) const;

 private:
  KvCache(const KvCacheShape& shape, KvStorage storage);
  size_t KeyOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const;
  size_t ValueOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const;

  KvCacheShape shape_;
  KvStorage storage_ = KvStorage::kF16;
  std::vector<uint16_t> k16_, v16_;  // kF16
  std::vector<float> k32_, v32_;     // kF32
  std::vector<uint32_t> lengths_;    // per sequence
};

}  // namespace docent::llm
