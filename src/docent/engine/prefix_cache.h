// The prefix cache: keys and values of prompt prefixes, kept after their requests are gone,
// so a later request that starts the same way (a system prompt, a conversation's earlier
// turns, the same passages in the same order) copies them into its slot instead of
// computing them again.
//
// The cache holds fixed-size blocks of consecutive positions. A block is named by its
// tokens and everything before it (a hash chain, as in vLLM's automatic prefix caching):
// block i of two prompts is the same block only if their first (i + 1) * block_tokens tokens
// are. Each block also stores its tokens and its parent, so a lookup compares tokens, never
// trusts a hash alone. A lookup walks the chain from the first block and stops at the first
// one missing.
//
// Every chain belongs to a scope (a workspace, or 0 for plain chat): a lookup finds only its
// own scope's blocks, so one team's prompts never shorten another's, and the time to a first
// token reveals nothing across scopes.
//
// The memory is bounded: inserting beyond max_bytes evicts the least recently used block
// first. A lookup touches its whole chain, so a block is never more recent than its parent,
// and among equals the deeper goes first: eviction always takes a leaf, and a chain never
// loses a block in its middle.
//
// Positions are opaque bytes (llm::KvCache::ExportPositions), so the copies are bit-exact and
// a request served from the cache computes the same logits as one that computed its prefix.
// Not thread-safe: the scheduler's worker owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace docent::engine {

struct PrefixCacheOptions {
  uint32_t block_tokens = 64;
  uint64_t max_bytes = uint64_t{256} << 20;  // 0: no cache
};

struct PrefixCacheStats {
  uint64_t blocks = 0;
  uint64_t bytes = 0;
  uint64_t capacity_bytes = 0;
  uint64_t lookups = 0;
  uint64_t hits = 0;  // lookups that found at least one block
  uint64_t inserted_blocks = 0;
  uint64_t evicted_blocks = 0;
};

class PrefixCache {
 public:
  // `position_bytes`: one position's keys and values over all layers.
  PrefixCache(size_t position_bytes, const PrefixCacheOptions& options);

  uint32_t block_tokens() const { return options_.block_tokens; }
  size_t block_bytes() const { return block_bytes_; }

  // The longest chain of `scope`'s cached blocks that `tokens` starts with, at most `limit`
  // tokens long: the blocks' data in order (each block_bytes, valid until the next Insert).
  std::vector<const uint8_t*> Lookup(uint64_t scope, std::span<const uint32_t> tokens,
                                     size_t limit);

  // Caches every whole block of `tokens` not cached yet; `copy(first, count, dst)` writes
  // positions first..first+count-1 into dst. Blocks already there are only touched.
  using CopyOut = std::function<void(uint32_t first, uint32_t count, uint8_t* dst)>;
  void Insert(uint64_t scope, std::span<const uint32_t> tokens, const CopyOut& copy);

  PrefixCacheStats Stats() const;

 private:
  struct Block {
    uint64_t scope = 0;
    uint64_t parent = 0;  // key of the block before (0 for the first)
    uint32_t depth = 0;   // 0 for the first block
    uint32_t children = 0;
    uint64_t last_used = 0;
    std::vector<uint32_t> tokens;
    std::unique_ptr<uint8_t[]> data;
  };
  // The key of block `depth` of a chain whose previous block has key `parent`.
  static uint64_t Key(uint64_t scope, uint64_t parent, uint32_t depth,
                      std::span<const uint32_t> tokens);
  // The cached block of `scope` for these tokens after `parent`, or null.
  Block* Find(uint64_t scope, uint64_t key, uint64_t parent, uint32_t depth,
              std::span<const uint32_t> tokens);
  // Frees the least recently used leaf; false when there is none.
  bool EvictOne();

  const PrefixCacheOptions options_;
  const size_t block_bytes_;
  std::unordered_map<uint64_t, Block> blocks_;
  uint64_t clock_ = 0;
  PrefixCacheStats stats_;
};

}  // namespace docent::engine
