// Proves the store's promise: a kill -9 at any instant during `docent add` leaves every
// document wholly in its old state or wholly in its new one, never a mix, the index in step
// with the chunks, and every file `add` reported before the kill stored in its new version.
// `add` commits in batches (here of 4 files), so a kill lands mid-batch too.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "docent/search/bm25_search.h"
#include "docent/store/store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

constexpr int kDocs = 24;

// A word only one version of one document holds. Letters only: the analyzer splits a
// mixed token like "mk1x2" into parts ("mk", "1") that every marker would share. Consonants
// only, so the English stemmer leaves it whole.
std::string Marker(int version, int doc) {
  auto letters = [](int n) {
    std::string out;
    for (char c : std::to_string(n)) out += "bcdfghjkmn"[c - '0'];
    return out;
  };
  return "zq" + letters(version) + "x" + letters(doc) + "q";
}

// About 7 KB: several chunks, so a torn write would show as a mix of versions.
std::string Body(int version, int doc) {
  std::string s = "# Document " + std::to_string(doc) + "\n\n";
  for (int p = 0; p < 12; ++p) {
    s += "Paragraph " + std::to_string(p) + " of version marker " + Marker(version, doc) +
         ". It repeats enough ordinary words to fill a chunk with plain text about policies, "
         "procedures, budgets and the schedule of the quarterly review meeting.\n\n";
  }
  return s;
}

std::string FileName(int doc) {
  return "doc" + std::to_string(100 + doc) + ".md";
}

TEST(CrashSafetyTest, KillDuringAddLeavesEachDocumentOldOrNew) {
  testing::TempDir dir;
  std::string data = (dir / "data").string();
  std::string docs = (dir / "docs").string();
  std::map<int, int> version_of;  // doc -> version the store must hold
  for (int d = 0; d < kDocs; ++d) {
    dir.Write("docs/" + FileName(d), Body(0, d));
    version_of[d] = 0;
  }
  auto first = testing::RunDocent({"add", "--data", data, docs});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;

  // Kill after a varying number of reported files; the child is then somewhere inside the
  // next batch's extraction, chunking or commit.
  const int kill_after[] = {0, 1, 3, 6, 10, 15, 21};
  int version = 0;
  int partial_batches = 0;
  for (int k : kill_after) {
    ++version;
    for (int d = 0; d < kDocs; ++d) dir.Write("docs/" + FileName(d), Body(version, d));
    testing::Child child({DOCENT_BINARY, "add", "--data", data, docs, "--batch-files", "4"});
    std::vector<int> reported;  // documents `add` said it stored
    for (int lines = 0; lines < k; ++lines) {
      auto line = child.ReadLine();
      if (!line) break;
      const size_t at = line->rfind("/doc");  // "added .../docs/doc1NN.md (k chunks)"
      ASSERT_NE(at, std::string::npos) << *line;
      reported.push_back(std::stoi(line->substr(at + 4)) - 100);
    }
    child.Kill9();
    child.Wait();

    auto store = store::Store::Open(data);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->CheckIntegrity().ok()) << (*store)->CheckIntegrity().ToString();
    auto listed = (*store)->ListDocuments(docent::store::kDefaultWorkspaceId);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), static_cast<size_t>(kDocs));
    int updated = 0;
    for (const auto& info : *listed) {
      int d = std::stoi(info.title.substr(info.title.find(' ') + 1));
      auto text = (*store)->DocumentText(info.id);
      ASSERT_TRUE(text.ok());
      bool has_old = text->find(Marker(version_of[d], d)) != std::string::npos;
      bool has_new = text->find(Marker(version, d)) != std::string::npos;
      ASSERT_NE(has_old, has_new) << "document " << d << " after kill at " << k;
      int now = has_new ? version : version_of[d];
      // The index must agree with the text: the held version's marker finds exactly this
      // document's chunks, and the other version's finds none.
      auto hits = search::SearchBm25(**store, docent::store::kDefaultWorkspaceId, Marker(now, d),
                                     search::SearchOptions::TopK(100));
      ASSERT_TRUE(hits.ok());
      EXPECT_EQ(hits->size(), static_cast<size_t>(info.chunk_count)) << "document " << d;
      for (const auto& h : *hits) EXPECT_EQ(h.doc_id, info.id);
      int other = has_new ? version_of[d] : version;
      auto stale = search::SearchBm25(**store, docent::store::kDefaultWorkspaceId, Marker(other, d),
                                      search::SearchOptions::TopK(100));
      ASSERT_TRUE(stale.ok());
      EXPECT_TRUE(stale->empty()) << "document " << d << " still indexed under its other version";
      version_of[d] = now;
      updated += has_new;
    }
    for (int d : reported) EXPECT_EQ(version_of[d], version) << "document " << d << " was reported";
    partial_batches += updated > 0 && updated < kDocs;
  }
  // The kills must have landed mid-batch, or the test proved nothing.
  EXPECT_GE(partial_batches, 2);
}

}  // namespace
}  // namespace docent
