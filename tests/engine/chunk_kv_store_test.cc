// The on-disk passage KV store: entries read back as written and after a restart, damaged or
// torn files are never used, the budget evicts the least recently used, keys separate every
// input they cover, and two writers on one directory are safe.
#include "docent/engine/chunk_kv_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace docent::engine {
namespace {

namespace fs = std::filesystem;

ChunkKvKey Key(uint32_t n) {
  const std::array<uint8_t, 16> model{};
  const std::vector<uint32_t> tokens = {n, n + 1};
  return MakeChunkKvKey(model, "f16", "default", tokens);
}

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
  return out;
}

TEST(ChunkKvStoreTest, AnEntryReadsBackAsWrittenAndSurvivesARestart) {
  testing::TempDir dir;
  const std::vector<uint32_t> tokens = {5, 6, 7};
  const std::vector<uint8_t> kv = Bytes(1000, 3);
  {
    auto store = ChunkKvStore::Open(dir / "kv", 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->Get(Key(1)), nullptr);
    ASSERT_TRUE((*store)->Put(Key(1), tokens, 42, kv).ok());
    auto e = (*store)->Get(Key(1));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(std::vector<uint32_t>(e->tokens().begin(), e->tokens().end()), tokens);
    EXPECT_EQ(e->first_pos(), 42u);
    EXPECT_EQ(std::vector<uint8_t>(e->kv().begin(), e->kv().end()), kv);
    const ChunkKvStats s = (*store)->stats();
    EXPECT_EQ(s.entries, 1u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 1u);
  }
  auto reopened = ChunkKvStore::Open(dir / "kv", 1 << 20);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->stats().entries, 1u);
  auto e = (*reopened)->Get(Key(1));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(e->kv().begin(), e->kv().end()), kv);
}

TEST(ChunkKvStoreTest, DamagedTornAndLeftoverFilesAreNeverUsed) {
  testing::TempDir dir;
  auto store = ChunkKvStore::Open(dir / "kv", 1 << 20);
  ASSERT_TRUE(store.ok());
  const std::vector<uint32_t> tokens = {1, 2};
  ASSERT_TRUE((*store)->Put(Key(1), tokens, 0, Bytes(500, 1)).ok());
  ASSERT_TRUE((*store)->Put(Key(2), tokens, 0, Bytes(500, 2)).ok());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "kv")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 2u);
  // One byte of a payload flipped; the other file cut short.
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(300);
    f.put('\x7f');
  }
  fs::resize_file(files[1], 200);
  EXPECT_EQ((*store)->Get(Key(1)), nullptr);
  EXPECT_EQ((*store)->Get(Key(2)), nullptr);
  EXPECT_FALSE(fs::exists(files[0]));
  EXPECT_FALSE(fs::exists(files[1]));
  EXPECT_EQ((*store)->stats().entries, 0u);
  // A writer that died before its rename leaves a temporary file: removed at open.
  std::ofstream(dir / "kv" / "abc.kv.tmp.1.2") << "partial";
  auto again = ChunkKvStore::Open(dir / "kv", 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(fs::exists(dir / "kv" / "abc.kv.tmp.1.2"));
}

TEST(ChunkKvStoreTest, TheBudgetEvictsTheLeastRecentlyUsed) {
  testing::TempDir dir;
  // Room for two 1,000-byte entries (each has a 56-byte header and 8 bytes of tokens).
  auto store = ChunkKvStore::Open(dir / "kv", 2200);
  ASSERT_TRUE(store.ok());
  const std::vector<uint32_t> tokens = {1, 2};
  ASSERT_TRUE((*store)->Put(Key(1), tokens, 0, Bytes(1000, 1)).ok());
  ASSERT_TRUE((*store)->Put(Key(2), tokens, 0, Bytes(1000, 2)).ok());
  ASSERT_NE((*store)->Get(Key(1)), nullptr);  // 1 is now more recent than 2
  ASSERT_TRUE((*store)->Put(Key(3), tokens, 0, Bytes(1000, 3)).ok());
  EXPECT_TRUE((*store)->Contains(Key(1)));
  EXPECT_FALSE((*store)->Contains(Key(2)));
  EXPECT_TRUE((*store)->Contains(Key(3)));
  const ChunkKvStats s = (*store)->stats();
  EXPECT_EQ(s.entries, 2u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_LE(s.bytes, 2200u);
  // An entry bigger than the whole budget is not kept (and evicts nothing).
  ASSERT_TRUE((*store)->Put(Key(4), tokens, 0, Bytes(5000, 4)).ok());
  EXPECT_FALSE((*store)->Contains(Key(4)));
  EXPECT_EQ((*store)->stats().entries, 2u);
}

TEST(ChunkKvStoreTest, KeysSeparateEveryInput) {
  const std::array<uint8_t, 16> a{}, b{1};
  const std::vector<uint32_t> t1 = {1, 2, 3}, t2 = {1, 2, 4};
  const ChunkKvKey base = MakeChunkKvKey(a, "f16", "hr", t1);
  EXPECT_EQ(base, MakeChunkKvKey(a, "f16", "hr", t1));
  EXPECT_NE(base, MakeChunkKvKey(b, "f16", "hr", t1));
  EXPECT_NE(base, MakeChunkKvKey(a, "q8_0", "hr", t1));
  EXPECT_NE(base, MakeChunkKvKey(a, "f16", "finance", t1));
  EXPECT_NE(base, MakeChunkKvKey(a, "f16", "hr", t2));
  // Length prefixes: moving a byte between parts changes the key.
  EXPECT_NE(MakeChunkKvKey(a, "f1", "6hr", t1), base);
}

TEST(ChunkKvStoreTest, TwoWritersOnOneDirectoryAreSafe) {
  testing::TempDir dir;
  auto one = ChunkKvStore::Open(dir / "kv", 1 << 24);
  auto two = ChunkKvStore::Open(dir / "kv", 1 << 24);
  ASSERT_TRUE(one.ok() && two.ok());
  const std::vector<uint32_t> tokens = {9, 9};
  auto write = [&](ChunkKvStore& s) {
    for (uint32_t i = 0; i < 40; ++i) {
      EXPECT_TRUE(s.Put(Key(i), tokens, i, Bytes(4000, static_cast<uint8_t>(i))).ok());
    }
  };
  std::thread a([&] { write(**one); });
  std::thread b([&] { write(**two); });
  a.join();
  b.join();
  for (uint32_t i = 0; i < 40; ++i) {
    auto e = (*one)->Get(Key(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->first_pos(), i);
    EXPECT_EQ(std::vector<uint8_t>(e->kv().begin(), e->kv().end()),
              Bytes(4000, static_cast<uint8_t>(i)));
  }
  for (const auto& e : fs::directory_iterator(dir / "kv")) {
    EXPECT_EQ(e.path().extension(), ".kv") << e.path();
  }
}

// A background write is readable at once (from memory until it is on disk), is on disk after
// Flush, and one still queued when the store closes is written first.
TEST(ChunkKvStoreTest, BackgroundWritesAreReadableAtOnceAndDrainedAtClose) {
  testing::TempDir dir;
  const std::vector<uint32_t> tokens = {4, 5, 6};
  {
    auto store = ChunkKvStore::Open(dir / "kv", 1 << 24);
    ASSERT_TRUE(store.ok());
    (*store)->PutInBackground(Key(1), tokens, 2, Bytes(3000, 1));
    auto e = (*store)->Get(Key(1));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->first_pos(), 2u);
    EXPECT_EQ(std::vector<uint8_t>(e->kv().begin(), e->kv().end()), Bytes(3000, 1));
    (*store)->Flush();
    EXPECT_TRUE((*store)->Contains(Key(1)));
    for (uint32_t i = 2; i < 10; ++i) (*store)->PutInBackground(Key(i), tokens, i, Bytes(3000, 2));
  }
  auto reopened = ChunkKvStore::Open(dir / "kv", 1 << 24);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->stats().entries, 9u);
  auto e = (*reopened)->Get(Key(9));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->first_pos(), 9u);
}

}  // namespace
}  // namespace docent::engine
