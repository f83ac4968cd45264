// Storage and the two attention reductions of the KV cache (see kv_cache.h).
#include "docent/llm/kv_cache.h"

#include <cassert>
#include <string>

#include "docent/llm/half.h"

namespace docent::llm {

namespace {

constexpr uint64_t kMaxCacheBytes = uint64_t{16} << 30;

float RoundToHalf(float x) {
  return HalfToFloat(FloatToHalf(x));
}

}  // namespace

Result<KvCache> KvCache::Create(const KvCacheShape& s, KvStorage storage) {
  if (s.n_layer == 0 || s.n_head_kv == 0 || s.head_dim_k == 0 || s.head_dim_v == 0 ||
      s.max_positions == 0 || s.n_seq == 0) {
    return InvalidArgument("KV cache dimensions must all be positive");
  }
  const uint64_t per_position = uint64_t{s.n_head_kv} * (s.head_dim_k + s.head_dim_v);
  const uint64_t elements = per_position * s.max_positions * s.n_layer * s.n_seq;
  const uint64_t bytes = elements * (storage == KvStorage::kF16 ? 2 : 4);
  if (elements / s.n_seq / s.n_layer / s.max_positions != per_position || bytes > kMaxCacheBytes) {
    return TooLarge("a KV cache of " + std::to_string(s.n_seq) + " sequences x " +
                    std::to_string(s.max_positions) + " positions would exceed 16 GiB");
  }
  return KvCache(s, storage);
}

KvCache::KvCache(const KvCacheShape& s, KvStorage storage)
    : shape_(s), storage_(storage), lengths_(s.n_seq, 0) {
  const size_t positions = size_t{s.n_seq} * s.n_layer * s.max_positions;
  const size_t k = positions * s.n_head_kv * s.head_dim_k;
  const size_t v = positions * s.n_head_kv * s.head_dim_v;
  if (storage == KvStorage::kF16) {
    k16_.resize(k);
    v16_.resize(v);
  } else {
    k32_.resize(k);
    v32_.resize(v);
  }
}

Status KvCache::BeginPosition(uint32_t seq, uint32_t pos) {
  if (seq >= shape_.n_seq) {
    return InvalidArgument("sequence " + std::to_string(seq) + " is outside the KV cache (" +
                           std::to_string(shape_.n_seq) + " sequences)");
  }
  if (pos >= shape_.max_positions) {
    return ResourceExhausted("position " + std::to_string(pos) + " is past the context of " +
                             std::to_string(shape_.max_positions) + " positions");
  }
  if (pos > lengths_[seq]) {
    return InvalidArgument("position " + std::to_string(pos) + " skips ahead of sequence " +
                           std::to_string(seq) + ", which holds " + std::to_string(lengths_[seq]) +
                           " positions");
  }
  lengths_[seq] = pos;
  return Status::Ok();
}

size_t KvCache::KeyOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const {
  const size_t row = (size_t{seq} * shape_.n_layer + layer) * shape_.max_positions + pos;
  return (row * shape_.n_head_kv + head) * shape_.head_dim_k;
}

size_t KvCache::ValueOffset(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head) const {
  const size_t row = (size_t{seq} * shape_.n_layer + layer) * shape_.max_positions + pos;
  return (row * shape_.n_head_kv + head) * shape_.head_dim_v;
}

void KvCache::Store(uint32_t seq, uint32_t layer, uint32_t pos, std::span<const float> k,
                    std::span<const float> v) {
  assert(seq < shape_.n_seq && layer < shape_.n_layer && "KvCache::Store out of range");
  assert(pos == lengths_[seq] && "KvCache::Store without BeginPosition");
  assert(k.size() == size_t{shape_.n_head_kv} * shape_.head_dim_k && "key width");
  assert(v.size() == size_t{shape_.n_head_kv} * shape_.head_dim_v && "value width");
  const size_t ko = KeyOffset(seq, layer, pos, 0);
  const size_t vo = ValueOffset(seq, layer, pos, 0);
  if (storage_ == KvStorage::kF16) {
    for (size_t i = 0; i < k.size(); ++i) k16_[ko + i] = FloatToHalf(k[i]);
    for (size_t i = 0; i < v.size(); ++i) v16_[vo + i] = FloatToHalf(v[i]);
  } else {
    for (size_t i = 0; i < k.size(); ++i) k32_[ko + i] = k[i];
    for (size_t i = 0; i < v.size(); ++i) v32_[vo + i] = v[i];
  }
  // The position is complete once its last layer is stored.
  if (layer + 1 == shape_.n_layer) lengths_[seq] = pos + 1;
}

float KvCache::DotKey(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
                      std::span<const float> q) const {
  assert(q.size() == shape_.head_dim_k && "query width");
  const size_t o = KeyOffset(seq, layer, pos, head);
  float sum = 0.0f;
  if (storage_ == KvStorage::kF16) {
    for (size_t i = 0; i < q.size(); ++i) sum += HalfToFloat(k16_[o + i]) * RoundToHalf(q[i]);
  } else {
    for (size_t i = 0; i < q.size(); ++i) sum += k32_[o + i] * q[i];
  }
  return sum;
}

void KvCache::AddValue(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head, float weight,
                       std::span<float> out) const {
  assert(out.size() == shape_.head_dim_v && "value width");
  const size_t o = ValueOffset(seq, layer, pos, head);
  if (storage_ == KvStorage::kF16) {
    const float w = RoundToHalf(weight);
    for (size_t i = 0; i < out.size(); ++i) out[i] += w * HalfToFloat(v16_[o + i]);
  } else {
    for (size_t i = 0; i < out.size(); ++i) out[i] += weight * v32_[o + i];
  }
}

}  // namespace docent::llm
