// BEIR loader: JSON lines for corpus and queries, a TSV (with header) for judgements.
#include "docent/eval/beir.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace docent::eval {
namespace {

Status ForEachLine(const std::filesystem::path& path,
                   const std::function<Status(const std::string&, size_t)>& fn) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + path.string());
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    DOCENT_RETURN_IF_ERROR(fn(line, n).WithContext(path.string() + ":" + std::to_string(n)));
  }
  return Status::Ok();
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace

Result<BeirSet> LoadBeir(const std::filesystem::path& dir) {
  BeirSet set;
  DOCENT_RETURN_IF_ERROR(
      ForEachLine(dir / "qrels" / "test.tsv", [&](const std::string& line, size_t n) {
        std::istringstream ss(line);
        std::string qid, did, score;
        std::getline(ss, qid, '\t');
        std::getline(ss, did, '\t');
        std::getline(ss, score, '\t');
        if (n == 1 && qid == "query-id") return Status::Ok();
        if (qid.empty() || did.empty() || score.empty())
          return Corrupt("want query-id, corpus-id, score");
        int rel = 0;
        try {
          rel = std::stoi(score);
        } catch (...) {
          return Corrupt("score '" + score + "' is not a number");
        }
        set.qrels[qid][did] = rel;
        return Status::Ok();
      }));
  DOCENT_RETURN_IF_ERROR(ForEachLine(dir / "corpus.jsonl", [&](const std::string& line, size_t) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Corrupt("not a JSON object");
    BeirDoc d{StringField(j, "_id"), StringField(j, "title"), StringField(j, "text")};
    if (d.id.empty()) return Corrupt("document without _id");
    set.corpus.push_back(std::move(d));
    return Status::Ok();
  }));
  DOCENT_RETURN_IF_ERROR(ForEachLine(dir / "queries.jsonl", [&](const std::string& line, size_t) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Corrupt("not a JSON object");
    BeirQuery q{StringField(j, "_id"), StringField(j, "text"), {}};
    if (auto a = j.find("answers"); a != j.end() && a->is_array()) {
      for (const auto& s : *a) {
        if (s.is_string()) q.answers.push_back(s.get<std::string>());
      }
    }
    if (set.qrels.count(q.id)) set.queries.push_back(std::move(q));
    return Status::Ok();
  }));
  return set;
}

}  // namespace docent::eval
