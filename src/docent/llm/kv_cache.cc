// Storage and the two attention reductions of the KV cache (see kv_cache.h).
#include "docent/llm/kv_cache.h"

#include <cassert>
#include <cstring>
#include <string>

#include "docent/llm/half.h"
#include "docent/llm/matvec.h"
#include "docent/llm/quant_blocks.h"
#include "docent/llm/quant_legacy.h"

namespace docent::llm {

namespace {

constexpr uint64_t kMaxCacheBytes = uint64_t{16} << 30;
constexpr size_t kQ8BlockBytes = sizeof(BlockQ8_0);
constexpr size_t kMaxHeadDim = 1024;  // stack scratch in the Q8_0 products

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
  if (storage == KvStorage::kQ8_0 && (s.head_dim_k % 32 != 0 || s.head_dim_v % 32 != 0 ||
                                      s.head_dim_k > kMaxHeadDim || s.head_dim_v > kMaxHeadDim)) {
    return InvalidArgument(
        "a Q8_0 KV cache needs head sizes that are multiples of 32 up to 1024, not " +
        std::to_string(s.head_dim_k) + "/" + std::to_string(s.head_dim_v));
  }
  const uint64_t bytes = storage == KvStorage::kQ8_0
                             ? elements / 32 * kQ8BlockBytes
                             : elements * (storage == KvStorage::kF16 ? 2 : 4);
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
  } else if (storage == KvStorage::kQ8_0) {
    k8_.resize(k / 32 * kQ8BlockBytes);
    v8_.resize(v / 32 * kQ8BlockBytes);
  } else {
    k32_.resize(k);
    v32_.resize(v);
  }
}

Status KvCache::BeginPositions(uint32_t seq, uint32_t pos, uint32_t count) {
  if (seq >= shape_.n_seq) {
    return InvalidArgument("sequence " + std::to_string(seq) + " is outside the KV cache (" +
                           std::to_string(shape_.n_seq) + " sequences)");
  }
  if (count == 0) return InvalidArgument("no positions to open");
  if (pos >= shape_.max_positions || shape_.max_positions - pos < count) {
    return ResourceExhausted("position " + std::to_string(pos + count - 1) +
                             " is past the context of " + std::to_string(shape_.max_positions) +
                             " positions");
  }
  if (pos > lengths_[seq]) {
    return InvalidArgument("position " + std::to_string(pos) + " skips ahead of sequence " +
                           std::to_string(seq) + ", which holds " + std::to_string(lengths_[seq]) +
                           " positions");
  }
  lengths_[seq] = pos + count;
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
  assert(pos < lengths_[seq] && "KvCache::Store without BeginPosition");
  assert(k.size() == size_t{shape_.n_head_kv} * shape_.head_dim_k && "key width");
  assert(v.size() == size_t{shape_.n_head_kv} * shape_.head_dim_v && "value width");
  const size_t ko = KeyOffset(seq, layer, pos, 0);
  const size_t vo = ValueOffset(seq, layer, pos, 0);
  if (storage_ == KvStorage::kF16) {
    for (size_t i = 0; i < k.size(); ++i) k16_[ko + i] = FloatToHalf(k[i]);
    for (size_t i = 0; i < v.size(); ++i) v16_[vo + i] = FloatToHalf(v[i]);
  } else if (storage_ == KvStorage::kQ8_0) {
    // Offsets count elements; heads are whole blocks, so element offset / 32 is the block.
    QuantizeRowQ8_0(k.data(), &k8_[ko / 32 * kQ8BlockBytes], static_cast<int64_t>(k.size()));
    QuantizeRowQ8_0(v.data(), &v8_[vo / 32 * kQ8BlockBytes], static_cast<int64_t>(v.size()));
  } else {
    for (size_t i = 0; i < k.size(); ++i) k32_[ko + i] = k[i];
    for (size_t i = 0; i < v.size(); ++i) v32_[vo + i] = v[i];
  }
}

size_t KvCache::StoredBytes(size_t elements) const {
  switch (storage_) {
    case KvStorage::kF16:
      return elements * 2;
    case KvStorage::kQ8_0:
      return elements / 32 * kQ8BlockBytes;
    case KvStorage::kF32:
      break;
  }
  return elements * 4;
}

const uint8_t* KvCache::KeyBytes(uint32_t seq, uint32_t layer, uint32_t pos) const {
  const size_t bytes = StoredBytes(KeyOffset(seq, layer, pos, 0));
  if (storage_ == KvStorage::kF16) return reinterpret_cast<const uint8_t*>(k16_.data()) + bytes;
  if (storage_ == KvStorage::kQ8_0) return k8_.data() + bytes;
  return reinterpret_cast<const uint8_t*>(k32_.data()) + bytes;
}

const uint8_t* KvCache::ValueBytes(uint32_t seq, uint32_t layer, uint32_t pos) const {
  const size_t bytes = StoredBytes(ValueOffset(seq, layer, pos, 0));
  if (storage_ == KvStorage::kF16) return reinterpret_cast<const uint8_t*>(v16_.data()) + bytes;
  if (storage_ == KvStorage::kQ8_0) return v8_.data() + bytes;
  return reinterpret_cast<const uint8_t*>(v32_.data()) + bytes;
}

void KvCache::ExportPositions(uint32_t seq, uint32_t first, uint32_t count, uint8_t* dst) const {
  assert(seq < shape_.n_seq && first + count <= lengths_[seq] && "ExportPositions out of range");
  // Position-major within each (sequence, layer): a layer's keys are one run, its values another.
  const size_t kb = KeyRowBytes() * count, vb = ValueRowBytes() * count;
  for (uint32_t l = 0; l < shape_.n_layer; ++l) {
    std::memcpy(dst, KeyBytes(seq, l, first), kb);
    dst += kb;
    std::memcpy(dst, ValueBytes(seq, l, first), vb);
    dst += vb;
  }
}

Status KvCache::Extend(uint32_t seq, uint32_t length) {
  if (seq >= shape_.n_seq) {
    return InvalidArgument("sequence " + std::to_string(seq) + " is outside the KV cache (" +
                           std::to_string(shape_.n_seq) + " sequences)");
  }
  if (length > shape_.max_positions) {
    return ResourceExhausted(std::to_string(length) + " positions are past the context of " +
                             std::to_string(shape_.max_positions));
  }
  lengths_[seq] = length;
  return Status::Ok();
}

Status KvCache::ImportPositions(uint32_t seq, uint32_t first, uint32_t count, const uint8_t* src) {
  DOCENT_RETURN_IF_ERROR(BeginPositions(seq, first, count));
  return PlacePositions(seq, first, count, src);
}

Status KvCache::PlacePositions(uint32_t seq, uint32_t first, uint32_t count, const uint8_t* src) {
  if (seq >= shape_.n_seq || first > lengths_[seq] || lengths_[seq] - first < count) {
    return InvalidArgument("positions " + std::to_string(first) + ".." +
                           std::to_string(first + count) + " are not inside sequence " +
                           std::to_string(seq));
  }
  const size_t kb = KeyRowBytes() * count, vb = ValueRowBytes() * count;
  for (uint32_t l = 0; l < shape_.n_layer; ++l) {
    std::memcpy(KeyBytes(seq, l, first), src, kb);
    src += kb;
    std::memcpy(ValueBytes(seq, l, first), src, vb);
    src += vb;
  }
  return Status::Ok();
}

void KvCache::RotateKeys(uint32_t seq, uint32_t first, uint32_t count, const RopeParams& rope,
                         int64_t delta) {
  assert(seq < shape_.n_seq && first + count <= lengths_[seq] && "RotateKeys out of range");
  const size_t dim = shape_.head_dim_k;
  assert(dim <= kMaxHeadDim && "head size");
  // Every key turns by the same angles: computed once.
  const RopeTurn turn = MakeRopeTurn(rope, delta);
  float head[kMaxHeadDim];
  for (uint32_t l = 0; l < shape_.n_layer; ++l) {
    for (uint32_t pos = first; pos < first + count; ++pos) {
      for (uint32_t h = 0; h < shape_.n_head_kv; ++h) {
        const size_t o = KeyOffset(seq, l, pos, h);
        const std::span<float> x(head, dim);
        if (storage_ == KvStorage::kF16) {
          for (size_t i = 0; i < dim; ++i) head[i] = HalfToFloat(k16_[o + i]);
          ApplyRopeTurn(turn, x);
          for (size_t i = 0; i < dim; ++i) k16_[o + i] = FloatToHalf(head[i]);
        } else if (storage_ == KvStorage::kQ8_0) {
          uint8_t* block = &k8_[o / 32 * kQ8BlockBytes];
          DequantizeRowQ8_0(block, head, static_cast<int64_t>(dim));
          ApplyRopeTurn(turn, x);
          QuantizeRowQ8_0(head, block, static_cast<int64_t>(dim));
        } else {
          ApplyRopeTurn(turn, std::span<float>(&k32_[o], dim));
        }
      }
    }
  }
}

float KvCache::DotKey(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
                      std::span<const float> q) const {
  assert(q.size() == shape_.head_dim_k && "query width");
  const size_t o = KeyOffset(seq, layer, pos, head);
  float sum = 0.0f;
  if (storage_ == KvStorage::kF16) {
    for (size_t i = 0; i < q.size(); ++i) sum += HalfToFloat(k16_[o + i]) * RoundToHalf(q[i]);
  } else if (storage_ == KvStorage::kQ8_0) {
    uint8_t q8[kMaxHeadDim / 32 * kQ8BlockBytes];
    assert(q.size() <= kMaxHeadDim && "head size");
    QuantizeRowQ8_0(q.data(), q8, static_cast<int64_t>(q.size()));
    return DotKeyQ8(seq, layer, pos, head, q8);
  } else {
    for (size_t i = 0; i < q.size(); ++i) sum += k32_[o + i] * q[i];
  }
  return sum;
}

float KvCache::DotKeyQ8(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head,
                        const uint8_t* q8) const {
  assert(storage_ == KvStorage::kQ8_0 && "DotKeyQ8 needs a Q8_0 cache");
  const size_t o = KeyOffset(seq, layer, pos, head);
  const size_t bytes = shape_.head_dim_k / 32 * kQ8BlockBytes;
  const auto dot = DotQ8_0(GgmlType::kQ8_0, std::span(&k8_[o / 32 * kQ8BlockBytes], bytes),
                           std::span<const uint8_t>(q8, bytes), shape_.head_dim_k);
  return dot.ok() ? *dot : 0.0f;
}

void KvCache::AddValue(uint32_t seq, uint32_t layer, uint32_t pos, uint32_t head, float weight,
                       std::span<float> out) const {
  assert(out.size() == shape_.head_dim_v && "value width");
  const size_t o = ValueOffset(seq, layer, pos, head);
  if (storage_ == KvStorage::kF16) {
    const float w = RoundToHalf(weight);
    for (size_t i = 0; i < out.size(); ++i) out[i] += w * HalfToFloat(v16_[o + i]);
  } else if (storage_ == KvStorage::kQ8_0) {
    float v[kMaxHeadDim];
    assert(out.size() <= kMaxHeadDim && "head size");
    DequantizeRowQ8_0(&v8_[o / 32 * kQ8BlockBytes], v, static_cast<int64_t>(out.size()));
    for (size_t i = 0; i < out.size(); ++i) out[i] += weight * v[i];
  } else {
    for (size_t i = 0; i < out.size(); ++i) out[i] += weight * v32_[o + i];
  }
}

}  // namespace docent::llm
