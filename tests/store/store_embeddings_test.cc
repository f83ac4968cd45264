// The store's chunk vectors: written, read back exactly, keyed by model so two never mix,
// gone with their chunks, a new id for every write, versions that move (and a term index that
// stays current), the model of record, and the upgrade of a version-4 store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "docent/search/bm25_search.h"
#include "docent/store/store.h"
#include "support/temp_dir.h"

namespace docent::store {
namespace {

DocumentToPut Doc(std::string source, std::vector<std::string> bodies, std::string hash) {
  DocumentToPut d;
  d.source = std::move(source);
  d.title = "Handbook";
  d.format = "md";
  d.content_hash = std::move(hash);
  for (const std::string& body : bodies) {
    text::Chunk c;
    c.text = body;
    c.char_begin = static_cast<uint32_t>(d.chunked.full_text.size());
    d.chunked.full_text += body;
    c.char_end = static_cast<uint32_t>(d.chunked.full_text.size());
    d.chunked.chunks.push_back(std::move(c));
  }
  d.size_bytes = static_cast<int64_t>(d.chunked.full_text.size());
  return d;
}

int64_t Version(Store& s) {
  auto ws = s.FindWorkspace(kDefaultWorkspace);
  return ws.ok() && ws->has_value() ? (*ws)->version : -1;
}

TEST(StoreEmbeddingsTest, VectorsRoundTripPerModelAndGoWithTheirChunks) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  int64_t doc = 0;
  ASSERT_TRUE(
      s.PutDocument(Doc("/a.md", {"annual leave days", "laptop password"}, "h1"), &doc).ok());
  ASSERT_TRUE(s.PutDocument(Doc("/b.md", {"travel budget"}, "h2")).ok());
  ASSERT_EQ(*s.CountChunksToEmbed("m1"), 3);
  auto pending = s.ChunksToEmbed("m1", 0, 2);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].body, "annual leave days");
  EXPECT_EQ((*pending)[0].workspace_id, kDefaultWorkspaceId);
  EXPECT_LT((*pending)[0].chunk_id, (*pending)[1].chunk_id);

  // The term index, built, stays current across a vector write; the version moves.
  ASSERT_TRUE(s.WarmTermIndex(kDefaultWorkspaceId).ok());
  const int64_t before = Version(s);
  const std::vector<std::pair<int64_t, std::vector<float>>> vectors = {
      {(*pending)[0].chunk_id, {0.6f, 0.8f, 0.0f}}, {(*pending)[1].chunk_id, {0.0f, 0.0f, 1.0f}}};
  ASSERT_TRUE(s.PutEmbeddings("m1", vectors).ok());
  EXPECT_GT(Version(s), before);
  {
    auto session = s.Read(kDefaultWorkspaceId, /*with_index=*/true);
    ASSERT_TRUE(session.ok());
    EXPECT_NE((*session)->index(), nullptr) << "a vector write dropped the term index";
  }
  EXPECT_EQ(*s.CountChunksToEmbed("m1"), 1);
  EXPECT_EQ(*s.CountChunksToEmbed("m2"), 3) << "another model's vectors count for nothing";

  auto rows = s.LoadEmbeddings(kDefaultWorkspaceId, "m1");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].chunk_id, vectors[0].first);
  EXPECT_EQ((*rows)[0].vector, vectors[0].second);
  EXPECT_EQ((*rows)[1].vector, vectors[1].second);
  // Above an id, only the newer rows carry values; all are listed.
  auto newer = s.LoadEmbeddings(kDefaultWorkspaceId, "m1", (*rows)[0].id);
  ASSERT_TRUE(newer.ok());
  ASSERT_EQ(newer->size(), 2u);
  EXPECT_TRUE((*newer)[0].vector.empty());
  EXPECT_EQ((*newer)[1].vector, vectors[1].second);
  EXPECT_TRUE(s.LoadEmbeddings(kDefaultWorkspaceId, "m2")->empty());

  // Writing a chunk's vector again gives it a new id.
  ASSERT_TRUE(s.PutEmbeddings("m1",
                              std::vector<std::pair<int64_t, std::vector<float>>>{
                                  {vectors[0].first, {1.0f, 0.0f, 0.0f}}})
                  .ok());
  rows = s.LoadEmbeddings(kDefaultWorkspaceId, "m1");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->back().chunk_id, vectors[0].first);
  EXPECT_GT(rows->back().id, (*newer)[1].id);
  EXPECT_EQ(rows->back().vector, (std::vector<float>{1.0f, 0.0f, 0.0f}));

  // Removing the document removes its chunks' vectors.
  ASSERT_TRUE(s.RemoveDocument(doc).ok());
  EXPECT_TRUE(s.LoadEmbeddings(kDefaultWorkspaceId, "m1")->empty());
  EXPECT_TRUE(s.CheckIntegrity().ok());
  // A vector for a chunk that is gone is skipped, not an error.
  EXPECT_TRUE(s.PutEmbeddings("m1", vectors).ok());
  EXPECT_TRUE(s.LoadEmbeddings(kDefaultWorkspaceId, "m1")->empty());
}

TEST(StoreEmbeddingsTest, ModelOfRecordAndDroppingOtherModels) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  EXPECT_FALSE(s.EmbeddingModel()->has_value());
  ASSERT_TRUE(s.PutDocument(Doc("/a.md", {"annual leave days"}, "h1")).ok());
  const int64_t chunk = (*s.ChunksToEmbed("m1", 0, 1))[0].chunk_id;
  const std::vector<std::pair<int64_t, std::vector<float>>> v = {{chunk, {1.0f}}};
  ASSERT_TRUE(s.PutEmbeddings("m1", v).ok());
  ASSERT_TRUE(s.PutEmbeddings("m2", v).ok());
  ASSERT_TRUE(s.SetEmbeddingModel({"e5", "/models/e5.gguf", "m2", 1, 0}).ok());
  auto model = s.EmbeddingModel();
  ASSERT_TRUE(model.ok() && model->has_value());
  EXPECT_EQ((*model)->name, "e5");
  EXPECT_EQ((*model)->path, "/models/e5.gguf");
  EXPECT_EQ((*model)->fingerprint, "m2");
  EXPECT_GT((*model)->set_at, 0);
  ASSERT_TRUE(s.DropOtherEmbeddings("m2").ok());
  EXPECT_TRUE(s.LoadEmbeddings(kDefaultWorkspaceId, "m1")->empty());
  EXPECT_EQ(s.LoadEmbeddings(kDefaultWorkspaceId, "m2")->size(), 1u);
  // Adopting a model records it and drops every other model's vectors at once.
  ASSERT_TRUE(s.PutEmbeddings("m3", v).ok());
  ASSERT_TRUE(s.AdoptEmbeddingModel({"bge", "/models/bge.gguf", "m3", 1, 0}).ok());
  EXPECT_EQ((*s.EmbeddingModel())->fingerprint, "m3");
  EXPECT_TRUE(s.LoadEmbeddings(kDefaultWorkspaceId, "m2")->empty());
  EXPECT_EQ(s.LoadEmbeddings(kDefaultWorkspaceId, "m3")->size(), 1u);
}

TEST(StoreEmbeddingsTest, AVersion4StoreGainsTheVectorTables) {
  testing::TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutDocument(Doc("/a.md", {"annual leave days"}, "h1")).ok());
  }
  // Back to version 4: what a store written before vectors looks like.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "docent.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE chunk_embeddings; DROP TABLE embedding_model; "
                         "PRAGMA user_version=4;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->CountChunksToEmbed("m1"), 1);
  auto found = search::SearchBm25(**store, kDefaultWorkspaceId, "annual leave");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1u);
  EXPECT_TRUE((*store)->CheckIntegrity().ok());
}

}  // namespace
}  // namespace docent::store
