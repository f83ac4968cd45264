// Helpers for the ingest tests: extracting a fixture file and reading blocks back by kind.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "docent/ingest/extract.h"
#include "support/doc_writers.h"
#include "support/temp_dir.h"

namespace docent::ingest::test {

inline std::vector<Block> OfKind(const ExtractedDocument& doc, BlockKind kind) {
  std::vector<Block> out;
  for (const Block& b : doc.blocks) {
    if (b.kind == kind) out.push_back(b);
  }
  return out;
}

inline std::vector<std::string> Texts(const std::vector<Block>& blocks) {
  std::vector<std::string> out;
  for (const Block& b : blocks) out.push_back(b.text);
  return out;
}

inline std::vector<std::string> Texts(const ExtractedDocument& doc, BlockKind kind) {
  return Texts(OfKind(doc, kind));
}

// All block text joined, for "is this anywhere" checks.
inline std::string AllText(const ExtractedDocument& doc) {
  std::string out;
  for (const Block& b : doc.blocks) out += b.text + "\n";
  return out;
}

inline bool HasWarningContaining(const ExtractedDocument& doc, const std::string& part) {
  for (const std::string& w : doc.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

// Extracts a file written by a fixture writer; fails the test on a writer or extract error.
inline ExtractedDocument MustExtract(const std::filesystem::path& path, const Limits& limits = {}) {
  auto doc = ExtractFile(path, limits);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : ExtractedDocument{};
}

inline ExtractedDocument MustExtractBytes(std::string_view bytes, std::string_view name) {
  auto doc = ExtractBytes(bytes, name);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? *doc : ExtractedDocument{};
}

inline testing::DocItem Heading(int level, std::string text) {
  testing::DocItem item;
  item.kind = testing::DocItem::Kind::kHeading;
  item.level = level;
  item.text = std::move(text);
  return item;
}

inline testing::DocItem Para(std::string text) {
  testing::DocItem item;
  item.kind = testing::DocItem::Kind::kParagraph;
  item.text = std::move(text);
  return item;
}

inline testing::DocItem Table(std::vector<std::vector<std::string>> rows) {
  testing::DocItem item;
  item.kind = testing::DocItem::Kind::kTable;
  item.rows = std::move(rows);
  return item;
}

// The model most format tests write: Korean and English headings, paragraphs and a table.
inline testing::DocModel LeavePolicyModel() {
  testing::DocModel doc;
  doc.title = "휴가 규정 Leave policy";
  doc.items = {Heading(1, "연차 휴가"), Para("직원은 입사 1년 후 15일의 연차 휴가를 받는다."),
               Heading(2, "Sick leave"), Para("Sick leave needs a doctor's note after three days."),
               Table({{"이름", "부서", "일수"}, {"김민수", "영업", "15"}, {"Lee", "R&D", "20"}})};
  return doc;
}

}  // namespace docent::ingest::test
