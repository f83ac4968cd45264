// Reading a retrieval test set in BEIR format: corpus.jsonl, queries.jsonl, qrels/test.tsv.
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "docent/util/status.h"

namespace docent::eval {

struct BeirDoc {
  std::string id;
  std::string title;
  std::string text;
};

struct BeirQuery {
  std::string id;
  std::string text;
  std::vector<std::string> answers;  // gold answer strings, when the set has them
};

// query id -> (doc id -> graded relevance)
using Qrels = std::unordered_map<std::string, std::unordered_map<std::string, int>>;

struct BeirSet {
  std::vector<BeirDoc> corpus;
  std::vector<BeirQuery> queries;  // only the queries that have judgements, in file order
  Qrels qrels;
};

// Errors name the file and line of the first malformed record.
Result<BeirSet> LoadBeir(const std::filesystem::path& dir);

}  // namespace docent::eval
