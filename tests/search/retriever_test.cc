// Reciprocal rank fusion on a hand-computed case, near-duplicate detection, and collapse
// through Retrieve (BM25) on a store holding the same paragraph in two documents.
#include "docent/search/retriever.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace docent::search {
namespace {

Passage P(int64_t chunk) {
  Passage p;
  p.chunk_id = chunk;
  return p;
}

TEST(RetrieverTest, ReciprocalRankFusionByHand) {
  // BM25: A(1) B(2) C(3); dense: C(1) A(2) D(3); k = 60.
  //   A = 1/61 + 1/62 = 0.0325217   C = 1/63 + 1/61 = 0.0322661
  //   B = 1/62 = 0.0161290          D = 1/63 = 0.0158730
  RetrievalOptions o;
  const auto fused = FuseReciprocalRank({P(1), P(2), P(3)}, {P(3), P(1), P(4)}, o);
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].chunk_id, 1);
  EXPECT_EQ(fused[1].chunk_id, 3);
  EXPECT_EQ(fused[2].chunk_id, 2);
  EXPECT_EQ(fused[3].chunk_id, 4);
  EXPECT_NEAR(fused[0].score, 1.0 / 61 + 1.0 / 62, 1e-12);
  EXPECT_NEAR(fused[1].score, 1.0 / 63 + 1.0 / 61, 1e-12);
  EXPECT_NEAR(fused[3].score, 1.0 / 63, 1e-12);
  // Weights: dense twice as heavy puts C first (2/61 + 1/63 > 1/61 + 2/62).
  o.dense_weight = 2.0;
  const auto weighted = FuseReciprocalRank({P(1), P(2), P(3)}, {P(3), P(1), P(4)}, o);
  EXPECT_EQ(weighted[0].chunk_id, 3);
  // Equal scores: the better single rank first, then the lower chunk id.
  o.dense_weight = 1.0;
  const auto tied = FuseReciprocalRank({P(8)}, {P(5)}, o);
  EXPECT_EQ(tied[0].chunk_id, 5);
}

TEST(RetrieverTest, NearDuplicates) {
  const std::string entry =
      "Ensures a value is in the entry by inserting the default if empty, and returns a mutable "
      "reference to the value in the entry.";
  EXPECT_TRUE(NearDuplicate(entry, entry));
  EXPECT_TRUE(NearDuplicate(entry,
                            "  ENSURES a value is in the entry by inserting the default "
                            "if empty, and returns a mutable\nreference to the value in "
                            "the entry."));
  EXPECT_FALSE(NearDuplicate(entry,
                             "Ensures a value is in the entry by inserting the result "
                             "of the default function if empty."));
  EXPECT_FALSE(NearDuplicate("annual leave", "sick leave"));
}

text::Chunk ChunkOf(const std::string& body, std::string& full) {
  text::Chunk c;
  c.text = body;
  c.char_begin = static_cast<uint32_t>(full.size());
  full += body;
  c.char_end = static_cast<uint32_t>(full.size());
  return c;
}

TEST(RetrieverTest, CopiesOfAParagraphFillOneResultNamingBothDocuments) {
  testing::TempDir dir;
  auto store = store::Store::Open(dir.path());
  ASSERT_TRUE(store.ok());
  const std::string paragraph =
      "Entry API: insert a value for the key or update the value already in the map, with one "
      "lookup.";
  struct Source {
    const char* path;
    const char* title;
    std::vector<std::string> bodies;
  };
  for (const Source& src :
       {Source{"/std/collections/hash_map/enum.Entry.html",
               "Entry in std::collections::hash_map",
               {paragraph}},
        Source{"/std/collections/struct.HashMap.html",
               "HashMap in std::collections",
               {paragraph, "HashMap insert: inserts a key-value pair into the map."}},
        Source{"/std/collections/btree_map.html",
               "BTreeMap",
               {"BTreeMap entry: an ordered map's entry API to insert or update a value."}}}) {
    store::DocumentToPut d;
    d.source = src.path;
    d.title = src.title;
    d.format = "html";
    d.content_hash = src.path;
    for (const std::string& b : src.bodies) {
      d.chunked.chunks.push_back(ChunkOf(b, d.chunked.full_text));
    }
    d.size_bytes = static_cast<int64_t>(d.chunked.full_text.size());
    ASSERT_TRUE((*store)->PutDocument(d).ok());
  }
  RetrievalOptions o;
  o.bm25.k = 3;
  auto got = Retrieve(**store, store::kDefaultWorkspaceId, "HashMap entry API insert or update", o);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u) << "the collapsed copy leaves room for another passage";
  size_t with_copy = 0;
  for (const Passage& p : *got) {
    if (p.text != paragraph) continue;
    ++with_copy;
    ASSERT_EQ(p.duplicates.size(), 1u);
    EXPECT_NE(p.duplicates[0].doc_id, p.doc_id);
  }
  EXPECT_EQ(with_copy, 1u) << "the paragraph appears once";
  // Without collapsing, both copies take a place.
  o.collapse_duplicates = false;
  auto all = Retrieve(**store, store::kDefaultWorkspaceId, "HashMap entry API insert or update", o);
  ASSERT_TRUE(all.ok());
  size_t copies = 0;
  for (const Passage& p : *all) copies += p.text == paragraph;
  EXPECT_EQ(copies, 2u);
  // Dense retrieval without an embedding model says what is missing.
  o.mode = Retrieval::kHybrid;
  auto hybrid = Retrieve(**store, store::kDefaultWorkspaceId, "entry", o);
  ASSERT_FALSE(hybrid.ok());
  EXPECT_EQ(hybrid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ParseRetrieval("hybrid").value(), Retrieval::kHybrid);
  EXPECT_FALSE(ParseRetrieval("vector").ok());
}

}  // namespace
}  // namespace docent::search
