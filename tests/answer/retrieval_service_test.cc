// Which retrieval a question gets: BM25 without an embedding model, hybrid once the store's
// vectors are the model's, BM25 again (and a note saying why) while a different model is
// being re-embedded; the model of record moves only when every chunk has the new model's
// vector, and the old vectors go then. Synthetic tiny-bert models (two seeds: two models).
#include "docent/answer/retrieval_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/model_files.h"
#include "support/temp_dir.h"

namespace docent::answer {
namespace {

using ::testing::HasSubstr;

store::DocumentToPut Doc(std::string source, const std::string& body) {
  store::DocumentToPut d;
  d.source = std::move(source);
  d.title = "Policy";
  d.format = "md";
  d.content_hash = d.source;
  text::Chunk c;
  c.text = body;
  c.char_end = static_cast<uint32_t>(body.size());
  d.chunked.full_text = body;
  d.chunked.chunks.push_back(std::move(c));
  d.size_bytes = static_cast<int64_t>(body.size());
  return d;
}

// A store holding one document, and two synthetic embedding models (two seeds: two models).
struct TwoModels {
  testing::TempDir dir;
  std::filesystem::path model_a = testing::WriteSynthShape(dir.path(), "tiny-bert", "f16", 1);
  std::filesystem::path model_b = testing::WriteSynthShape(dir.path(), "tiny-bert", "q8_0", 2);
  std::unique_ptr<store::Store> store;
  TwoModels() {
    auto opened = store::Store::Open(dir.path() / "data");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store = std::move(*opened);
    EXPECT_TRUE(
        store->PutDocument(Doc("/a.md", "Employees receive 15 days of annual leave.")).ok());
  }
};

// A workspace's graph is built when first searched and leaves memory with the workspace; a
// search of the removed workspace fails without bringing an empty graph back.
TEST(RetrievalServiceTest, ARemovedWorkspacesGraphLeavesMemory) {
  testing::TempDir dir;
  const auto model = testing::WriteSynthShape(dir.path(), "tiny-bert");
  auto store = store::Store::Open(dir.path() / "data");
  ASSERT_TRUE(store.ok());
  store::Store& s = **store;
  auto hr = s.CreateWorkspace("hr");
  ASSERT_TRUE(hr.ok()) << hr.status().ToString();
  store::DocumentToPut doc = Doc("/leave.md", "Employees receive 15 days of annual leave.");
  doc.workspace_id = hr->id;
  ASSERT_TRUE(s.PutDocument(doc).ok());
  ASSERT_TRUE(s.PutDocument(Doc("/pw.md", "Laptops need a password of twelve characters.")).ok());
  RetrievalServiceOptions o;
  o.embed_model = model.string();
  auto service = RetrievalService::Open(s, o);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  ASSERT_EQ(*(*service)->EmbedPending(), 2);
  ASSERT_TRUE((*service)->WarmIndexes().ok());
  EXPECT_EQ((*service)->graphs(), 2u);
  auto dense = (*service)->Options(search::Retrieval::kDense, 5);
  ASSERT_TRUE(dense.ok());
  auto found = search::Retrieve(s, hr->id, "annual leave", *dense);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->size(), 1u);

  ASSERT_TRUE(s.RemoveWorkspace("hr").ok());
  (*service)->DropWorkspace(hr->id);
  EXPECT_EQ((*service)->graphs(), 1u);
  EXPECT_FALSE(search::Retrieve(s, hr->id, "annual leave", *dense).ok());
  EXPECT_EQ((*service)->graphs(), 1u);
  // The other workspace still searches.
  auto rest = search::Retrieve(s, store::kDefaultWorkspaceId, "password", *dense);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->size(), 1u);
}

// Two processes on one store with different models (a server on A, then `docent add
// --embed-model B` beside it): B's re-embedding makes B the store's model, and A, whose model
// the store had, does not re-embed back to A (which would drop B's vectors, and so on): it
// searches with BM25 and says why.
TEST(RetrievalServiceTest, AProcessWhoseModelWasReplacedDoesNotUndoIt) {
  TwoModels t;
  const auto& model_a = t.model_a;
  const auto& model_b = t.model_b;
  store::Store& s = *t.store;
  RetrievalServiceOptions oa, ob;
  oa.embed_model = model_a.string();
  ob.embed_model = model_b.string();
  auto a = RetrievalService::Open(s, oa);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(*(*a)->EmbedPending(), 1);
  ASSERT_TRUE((*a)->dense_ready());

  auto b = RetrievalService::Open(s, ob);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(*(*b)->EmbedPending(), 1);
  ASSERT_TRUE((*b)->dense_ready());
  const std::string fb = (*b)->embedder()->fingerprint();
  EXPECT_EQ((*s.EmbeddingModel())->fingerprint, fb);

  // A new upload reaches A's pass: it embeds nothing, and B stays the store's model.
  ASSERT_TRUE(s.PutDocument(Doc("/b.md", "Laptops need a password of twelve characters.")).ok());
  auto again = (*a)->EmbedPending();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("another docent process"));
  EXPECT_FALSE((*a)->dense_ready());
  EXPECT_THAT((*a)->note(), HasSubstr("BM25"));
  EXPECT_EQ((*a)->Options(std::nullopt, 5)->mode, search::Retrieval::kBm25);
  EXPECT_EQ((*s.EmbeddingModel())->fingerprint, fb);
  EXPECT_EQ(s.LoadEmbeddings(store::kDefaultWorkspaceId, fb)->size(), 1u);
  EXPECT_TRUE(
      s.LoadEmbeddings(store::kDefaultWorkspaceId, (*a)->embedder()->fingerprint())->empty());
  // B, still the store's model, embeds the new chunk.
  ASSERT_EQ(*(*b)->EmbedPending(), 1);
  EXPECT_EQ(s.LoadEmbeddings(store::kDefaultWorkspaceId, fb)->size(), 2u);
}

TEST(RetrievalServiceTest, DenseOnlyOnceTheStoresVectorsAreTheModels) {
  TwoModels t;
  const testing::TempDir& dir = t.dir;
  const auto& model_a = t.model_a;
  const auto& model_b = t.model_b;
  store::Store& s = *t.store;
  ASSERT_TRUE(s.PutDocument(Doc("/b.md", "Laptops need a password of twelve characters.")).ok());

  // No model at all: BM25, and asking for dense says what is missing.
  auto none = RetrievalService::Open(s, {});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ((*none)->embedder(), nullptr);
  EXPECT_EQ((*none)->Options(std::nullopt, 5)->mode, search::Retrieval::kBm25);
  auto refused = (*none)->Options(search::Retrieval::kDense, 5);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("--embed-model"));

  // Model A named, nothing embedded yet: BM25 with a note; after the pass, hybrid by default.
  RetrievalServiceOptions oa;
  oa.embed_model = model_a.string();
  auto a = RetrievalService::Open(s, oa);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE((*a)->dense_ready());
  EXPECT_THAT((*a)->note(), HasSubstr("BM25"));
  EXPECT_EQ((*a)->Options(search::Retrieval::kHybrid, 5)->mode, search::Retrieval::kBm25);
  auto embedded = (*a)->EmbedPending();
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  EXPECT_EQ(*embedded, 2);
  EXPECT_TRUE((*a)->dense_ready());
  EXPECT_EQ((*a)->note(), "");
  auto options = (*a)->Options(std::nullopt, 5);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->mode, search::Retrieval::kHybrid);
  auto found = search::Retrieve(s, store::kDefaultWorkspaceId, "annual leave", *options);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->size(), 2u);  // both chunks: BM25 finds one, the vectors both
  auto dense = (*a)->Options(search::Retrieval::kDense, 5);
  ASSERT_TRUE(dense.ok());
  auto dense_found = search::Retrieve(s, store::kDefaultWorkspaceId, "annual leave", *dense);
  ASSERT_TRUE(dense_found.ok());
  EXPECT_EQ(dense_found->size(), 2u);
  auto recorded = s.EmbeddingModel();
  ASSERT_TRUE(recorded.ok() && recorded->has_value());
  EXPECT_EQ((*recorded)->fingerprint, (*a)->embedder()->fingerprint());
  EXPECT_EQ((*recorded)->dimensions, 128);

  // A command naming no model uses the recorded one.
  auto again = RetrievalService::Open(s, {});
  ASSERT_TRUE(again.ok());
  ASSERT_NE((*again)->embedder(), nullptr);
  EXPECT_TRUE((*again)->dense_ready());

  // Model B: not ready until every chunk is re-embedded; then it is the model of record and
  // A's vectors are gone.
  RetrievalServiceOptions ob;
  ob.embed_model = model_b.string();
  auto b = RetrievalService::Open(s, ob);
  ASSERT_TRUE(b.ok());
  ASSERT_NE((*b)->embedder()->fingerprint(), (*a)->embedder()->fingerprint());
  EXPECT_FALSE((*b)->dense_ready());
  EXPECT_THAT((*b)->note(), HasSubstr("until every chunk is re-embedded"));
  EXPECT_EQ((*b)->Options(std::nullopt, 5)->mode, search::Retrieval::kBm25);
  ASSERT_EQ(*(*b)->EmbedPending(), 2);
  EXPECT_TRUE((*b)->dense_ready());
  EXPECT_EQ((*s.EmbeddingModel())->fingerprint, (*b)->embedder()->fingerprint());
  EXPECT_TRUE(
      s.LoadEmbeddings(store::kDefaultWorkspaceId, (*a)->embedder()->fingerprint())->empty());
  EXPECT_EQ(s.LoadEmbeddings(store::kDefaultWorkspaceId, (*b)->embedder()->fingerprint())->size(),
            2u);

  // The recorded model's file replaced by other weights (same path): not adopted silently.
  RetrievalServiceOptions oa_again;
  oa_again.embed_model = model_a.string();
  ASSERT_EQ(*(*RetrievalService::Open(s, oa_again))->EmbedPending(), 2);  // A again
  ASSERT_EQ(testing::WriteSynthShape(dir.path(), "tiny-bert", "f16", 5), model_a);
  auto swapped = RetrievalService::Open(s, {});
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  EXPECT_EQ((*swapped)->embedder(), nullptr);
  EXPECT_THAT((*swapped)->note(), HasSubstr("hash differs"));
  EXPECT_EQ((*swapped)->Options(std::nullopt, 5)->mode, search::Retrieval::kBm25);

  // A reranker where an embedding model belongs is refused.
  const auto reranker = testing::WriteSynthShape(dir.path(), "tiny-bert-reranker");
  RetrievalServiceOptions wrong;
  wrong.embed_model = reranker.string();
  auto bad = RetrievalService::Open(s, wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("is a reranker"));
}

}  // namespace
}  // namespace docent::answer
