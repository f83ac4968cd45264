// Blocks of cached positions named by hash chains (see prefix_cache.h).
#include "docent/engine/prefix_cache.h"

#include <xxhash.h>

#include <algorithm>

namespace docent::engine {

PrefixCache::PrefixCache(size_t position_bytes, const PrefixCacheOptions& options)
    : options_(options),
      block_bytes_(position_bytes * std::max<uint32_t>(options.block_tokens, 1)) {
  stats_.capacity_bytes = options.max_bytes;
}

uint64_t PrefixCache::Key(uint64_t scope, uint64_t parent, uint32_t depth,
                          std::span<const uint32_t> tokens) {
  // Seeded with the parent's key (with the scope, for a first block): the name covers every
  // token before the block and the scope too. Never 0, which stands for "no parent".
  const uint64_t seed = depth == 0 ? XXH3_64bits(&scope, sizeof scope) : parent ^ depth;
  const uint64_t h = XXH3_64bits_withSeed(tokens.data(), tokens.size_bytes(), seed);
  return h == 0 ? 1 : h;
}

PrefixCache::Block* PrefixCache::Find(uint64_t scope, uint64_t key, uint64_t parent, uint32_t depth,
                                      std::span<const uint32_t> tokens) {
  auto it = blocks_.find(key);
  if (it == blocks_.end()) return nullptr;
  Block& b = it->second;
  if (b.scope != scope || b.parent != parent || b.depth != depth ||
      !std::equal(tokens.begin(), tokens.end(), b.tokens.begin(), b.tokens.end())) {
    return nullptr;  // a hash collision: treated as a miss
  }
  return &b;
}

std::vector<const uint8_t*> PrefixCache::Lookup(uint64_t scope, std::span<const uint32_t> tokens,
                                                size_t limit) {
  std::vector<const uint8_t*> out;
  if (options_.max_bytes == 0) return out;
  ++stats_.lookups;
  const size_t bt = options_.block_tokens;
  const uint64_t now = ++clock_;
  uint64_t parent = 0;
  for (size_t first = 0; first + bt <= std::min(tokens.size(), limit); first += bt) {
    const auto block_tokens = tokens.subspan(first, bt);
    const uint32_t depth = static_cast<uint32_t>(first / bt);
    const uint64_t key = Key(scope, parent, depth, block_tokens);
    Block* b = Find(scope, key, parent, depth, block_tokens);
    if (b == nullptr) break;
    b->last_used = now;
    out.push_back(b->data.get());
    parent = key;
  }
  if (!out.empty()) ++stats_.hits;
  return out;
}

void PrefixCache::Insert(uint64_t scope, std::span<const uint32_t> tokens, const CopyOut& copy) {
  if (options_.max_bytes < block_bytes_) return;
  const size_t bt = options_.block_tokens;
  const uint64_t now = ++clock_;
  uint64_t parent = 0;
  for (size_t first = 0; first + bt <= tokens.size(); first += bt) {
    const auto block_tokens = tokens.subspan(first, bt);
    const uint32_t depth = static_cast<uint32_t>(first / bt);
    const uint64_t key = Key(scope, parent, depth, block_tokens);
    if (Block* b = Find(scope, key, parent, depth, block_tokens)) {
      b->last_used = now;
      parent = key;
      continue;
    }
    if (blocks_.count(key) != 0) return;  // a collision with another chain: stop here
    while (stats_.bytes + block_bytes_ > options_.max_bytes) {
      if (!EvictOne()) return;
    }
    // The parent may have just been evicted (it was the oldest leaf): then this chain
    // cannot continue.
    if (parent != 0 && blocks_.count(parent) == 0) return;
    Block b;
    b.scope = scope;
    b.parent = parent;
    b.depth = depth;
    b.last_used = now;
    b.tokens.assign(block_tokens.begin(), block_tokens.end());
    b.data = std::make_unique<uint8_t[]>(block_bytes_);
    copy(static_cast<uint32_t>(first), static_cast<uint32_t>(bt), b.data.get());
    if (parent != 0) ++blocks_.at(parent).children;
    blocks_.emplace(key, std::move(b));
    stats_.bytes += block_bytes_;
    ++stats_.blocks;
    ++stats_.inserted_blocks;
    parent = key;
  }
}

bool PrefixCache::EvictOne() {
  auto victim = blocks_.end();
  for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
    const Block& b = it->second;
    if (b.children != 0) continue;
    if (victim == blocks_.end() || b.last_used < victim->second.last_used ||
        (b.last_used == victim->second.last_used && b.depth > victim->second.depth)) {
      victim = it;
    }
  }
  if (victim == blocks_.end()) return false;
  if (victim->second.parent != 0) {
    auto p = blocks_.find(victim->second.parent);
    if (p != blocks_.end()) --p->second.children;
  }
  blocks_.erase(victim);
  stats_.bytes -= block_bytes_;
  --stats_.blocks;
  ++stats_.evicted_blocks;
  return true;
}

PrefixCacheStats PrefixCache::Stats() const {
  return stats_;
}

}  // namespace docent::engine
