// `docent warm` under kill -9: the passage KV store it leaves opens, every entry in it reads
// back whole and equal to the passage's KV computed afresh, and a second warm resumes, skipping
// what is stored. The kill waits on warm's own progress lines, never on a clock.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "docent/answer/model_service.h"
#include "docent/engine/chunk_kv_store.h"
#include "docent/llm/gguf_file.h"
#include "docent/llm/model.h"
#include "docent/llm/tokenizer.h"
#include "docent/rag/context_assembly.h"
#include "docent/search/bm25_search.h"
#include "docent/store/store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace docent {
namespace {

namespace fs = std::filesystem;

std::string StoriesPath() {
  return (testing::SharedDir() / "models/stories260K.gguf").string();
}

TEST(WarmTest, KillDuringWarmLeavesAStoreThatLoadsAndIsCorrect) {
  testing::TempDir dir;
  const std::string data = (dir / "data").string();
  // Many short passages, so the kill lands while warm is busy.
  for (int d = 0; d < 200; ++d) {
    dir.Write("docs/story" + std::to_string(d) + ".md",
              "# Story " + std::to_string(d) + "\n\nLily and Tom found " + std::to_string(d) +
                  " red balls in the park. They played until the sun went down.\n");
  }
  const auto added = testing::RunDocent({"add", "--data", data, (dir / "docs").string()});
  ASSERT_EQ(added.exit_code, 0) << added.err;

  {
    testing::Child warm({DOCENT_BINARY, "warm", "--data", data, "--model", StoriesPath()});
    int lines = 0;
    while (auto line = warm.ReadLine()) {
      ASSERT_NE(line->find("warm: "), std::string::npos) << *line;
      if (line->find("passages (") != std::string::npos && ++lines == 5) break;
    }
    ASSERT_EQ(lines, 5);
    warm.Kill9();
    EXPECT_EQ(warm.Wait(), -9);
  }

  // The store opens; every entry in it is whole and is the passage's KV as computed now.
  auto kv_store = engine::ChunkKvStore::Open(fs::path(data) / "chunk-kv", uint64_t{1} << 30);
  ASSERT_TRUE(kv_store.ok()) << kv_store.status().ToString();
  for (const auto& e : fs::directory_iterator(fs::path(data) / "chunk-kv")) {
    EXPECT_EQ(e.path().extension(), ".kv") << "left behind: " << e.path();
  }
  const uint64_t stored = (*kv_store)->stats().entries;
  EXPECT_GE(stored, 5u) << "each progress line follows a stored passage";
  EXPECT_LT(stored, 200u) << "the kill came after warm was done";

  auto file = llm::GgufFile::Open(StoriesPath());
  ASSERT_TRUE(file.ok());
  auto tokenizer = llm::Tokenizer::FromGguf(*file);
  ASSERT_TRUE(tokenizer.ok());
  const rag::PassageKvSource source =
      answer::KvSourceFor(*file, llm::KvStorage::kF16, kv_store->get());
  const llm::ChatFamily family = llm::ChatFamilyOf(*file);
  auto model = llm::Model::FromFile(std::move(file).value());
  ASSERT_TRUE(model.ok());
  auto docs = store::Store::Open(data);
  ASSERT_TRUE(docs.ok());
  auto passages = search::ListPassages(**docs);
  ASSERT_TRUE(passages.ok());
  ASSERT_EQ(passages->size(), 200u);
  uint64_t checked = 0;
  for (const search::Passage& p : *passages) {
    const engine::ChunkKvKey key = rag::PassageKvKey(source, **tokenizer, family, p);
    if (!(*kv_store)->Contains(key)) continue;
    auto entry = (*kv_store)->Get(key);
    ASSERT_NE(entry, nullptr) << p.doc_path;
    auto fresh = rag::ComputePassageKv(**model, 0, **tokenizer, family, p);
    ASSERT_TRUE(fresh.ok());
    EXPECT_TRUE(
        std::equal(entry->kv().begin(), entry->kv().end(), fresh->kv.begin(), fresh->kv.end()))
        << p.doc_path;
    EXPECT_EQ(entry->first_pos(), fresh->body_first);
    ++checked;
  }
  EXPECT_EQ(checked, stored);

  // A second warm finishes the job and skips what the first stored.
  const auto again = testing::RunDocent({"warm", "--data", data, "--model", StoriesPath()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(again.out, m,
                                std::regex("done: ([0-9]+) computed, ([0-9]+) already stored")))
      << again.out;
  EXPECT_EQ(std::stoull(m[2]), stored);
  EXPECT_EQ(std::stoull(m[1]) + stored, 200u);
}

// Warm computes the passages that answers used most before the others: after questions
// about one story (late in the canonical order), a warm stopped at its first progress line
// has stored that story's passage.
TEST(WarmTest, TheMostRetrievedPassagesComeFirst) {
  testing::TempDir dir;
  const std::string data = (dir / "data").string();
  for (int d = 0; d < 40; ++d) {
    dir.Write("docs/story" + std::to_string(d) + ".md",
              "# Story " + std::to_string(d) + "\n\nLily and Tom found " + std::to_string(d) +
                  " red balls in the park." + (d == 33 ? " A zeppelin flew over them." : "") +
                  "\n");
  }
  ASSERT_EQ(testing::RunDocent({"add", "--data", data, (dir / "docs").string()}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    const auto asked = testing::RunDocent({"ask", "--data", data, "what flew over? zeppelin"});
    ASSERT_EQ(asked.exit_code, 0) << asked.err;
    ASSERT_NE(asked.out.find("zeppelin"), std::string::npos) << asked.out;
  }
  {
    testing::Child warm({DOCENT_BINARY, "warm", "--data", data, "--model", StoriesPath()});
    bool progressed = false;
    while (auto line = warm.ReadLine()) {
      if (line->find("passages (") != std::string::npos) {
        progressed = true;
        break;
      }
    }
    ASSERT_TRUE(progressed);
    warm.Kill9();
    warm.Wait();
  }
  auto kv_store = engine::ChunkKvStore::Open(fs::path(data) / "chunk-kv", uint64_t{1} << 30);
  ASSERT_TRUE(kv_store.ok()) << kv_store.status().ToString();
  EXPECT_LT((*kv_store)->stats().entries, 40u) << "the kill came after warm was done";
  auto file = llm::GgufFile::Open(StoriesPath());
  ASSERT_TRUE(file.ok());
  auto tokenizer = llm::Tokenizer::FromGguf(*file);
  ASSERT_TRUE(tokenizer.ok());
  const rag::PassageKvSource source =
      answer::KvSourceFor(*file, llm::KvStorage::kF16, kv_store->get());
  auto docs = store::Store::Open(data);
  ASSERT_TRUE(docs.ok());
  auto passages = search::ListPassages(**docs);
  ASSERT_TRUE(passages.ok());
  ASSERT_EQ(passages->size(), 40u);
  const search::Passage& first = passages->front();
  EXPECT_NE(first.text.find("zeppelin"), std::string::npos) << first.text;
  EXPECT_EQ(first.score, 2);
  EXPECT_TRUE((*kv_store)->Contains(
      rag::PassageKvKey(source, **tokenizer, llm::ChatFamilyOf(*file), first)));
}

}  // namespace
}  // namespace docent
