// The eval run: index the corpus, search each query, score the ranking and the answer.
#include "docent/eval/runner.h"

#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "docent/eval/beir.h"
#include "docent/eval/metrics.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/store/store.h"
#include "docent/text/chunker.h"
#include "docent/util/utf8.h"

namespace docent::eval {
namespace {

constexpr const char* kSourcePrefix = "beir:";

// Removes the temporary store however the run ends.
struct ScopedDir {
  std::filesystem::path path;
  ~ScopedDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

Status IndexCorpus(store::Store& store, int64_t workspace_id, const std::vector<BeirDoc>& corpus) {
  for (const BeirDoc& d : corpus) {
    ingest::ExtractedDocument doc;
    doc.title = d.title;
    doc.format = "beir";
    doc.blocks.push_back({ingest::BlockKind::kParagraph, 0, d.text, 0, 0, ""});
    store::DocumentToPut put;
    put.workspace_id = workspace_id;
    put.source = kSourcePrefix + d.id;
    put.title = d.title;
    put.format = "beir";
    put.size_bytes = static_cast<int64_t>(d.title.size() + d.text.size());
    put.content_hash = store::ContentHash(d.title + '\0' + d.text);
    put.chunked = text::ChunkDocument(doc);
    if (put.chunked.chunks.empty()) continue;
    DOCENT_ASSIGN_OR_RETURN(auto outcome, store.PutDocument(put));
    (void)outcome;
  }
  return Status::Ok();
}

}  // namespace

Result<EvalReport> RunEval(const std::filesystem::path& dir, const EvalOptions& options) {
  DOCENT_ASSIGN_OR_RETURN(BeirSet set, LoadBeir(dir));
  if (set.queries.empty()) return InvalidArgument(dir.string() + ": no judged queries");

  std::filesystem::path base =
      options.work_dir.empty() ? std::filesystem::temp_directory_path() : options.work_dir;
  std::string tmpl = (base / "docent-eval-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return IOError("cannot create a temporary folder in " + base.string());
  ScopedDir scoped{tmpl};

  EvalReport report;
  auto t0 = std::chrono::steady_clock::now();
  DOCENT_ASSIGN_OR_RETURN(auto store, store::Store::Open(scoped.path, {.durable = false}));
  // One transaction around the whole corpus would be faster still, but going through
  // PutDocument measures the same path users take.
  DOCENT_ASSIGN_OR_RETURN(const store::WorkspaceInfo ws, store->EnsureWorkspace(options.workspace));
  DOCENT_RETURN_IF_ERROR(IndexCorpus(*store, ws.id, set.corpus));
  report.index_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report.documents = set.corpus.size();

  std::ofstream misses;
  if (!options.misses_path.empty()) {
    misses.open(options.misses_path);
    if (!misses) return IOError("cannot write " + options.misses_path.string());
  }
  std::vector<double> latencies;
  size_t with_answers = 0, answered_gold = 0, refused = 0, answered = 0;
  double answer_chars = 0;
  size_t n =
      options.max_queries ? std::min(options.max_queries, set.queries.size()) : set.queries.size();
  search::SearchOptions search_options;
  search_options.k = 200;  // chunks; several may belong to one document
  for (size_t qi = 0; qi < n; ++qi) {
    const BeirQuery& q = set.queries[qi];
    auto s0 = std::chrono::steady_clock::now();
    DOCENT_ASSIGN_OR_RETURN(auto passages,
                            search::SearchBm25(*store, ws.id, q.text, search_options));
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count());
    std::vector<std::string> ranked;
    std::unordered_set<std::string> seen;
    for (const auto& p : passages) {
      std::string id = p.doc_path.substr(std::char_traits<char>::length(kSourcePrefix));
      if (seen.insert(id).second) ranked.push_back(std::move(id));
    }
    const Judgements& rel = set.qrels[q.id];
    report.ndcg10 += NdcgAtK(ranked, rel, 10);
    report.recall10 += RecallAtK(ranked, rel, 10);
    report.recall100 += RecallAtK(ranked, rel, 100);
    report.mrr10 += MrrAtK(ranked, rel, 10);
    if (!q.answers.empty()) {
      ++with_answers;
      std::vector<search::Passage> top(passages.begin(),
                                       passages.begin() + std::min<size_t>(passages.size(), 8));
      rag::StoreTermStatistics stats(*store, ws.id);
      rag::ExtractiveAnswer a = rag::AnswerExtractively(q.text, top, stats);
      bool hit = false;
      for (const std::string& gold : q.answers) {
        if (a.found && a.text.find(gold) != std::string::npos) {
          hit = true;
          break;
        }
      }
      answered_gold += hit;
      refused += !a.found;
      if (a.found) {
        answer_chars += static_cast<double>(util::CountCodePoints(a.text));
        ++answered;
      }
      if (!hit && misses) {
        nlohmann::json line = {{"id", q.id},
                               {"question", q.text},
                               {"gold", q.answers},
                               {"found", a.found},
                               {"answer", a.text},
                               {"top_is_relevant", !ranked.empty() && rel.count(ranked[0]) > 0},
                               {"top", top.empty() ? "" : top[0].text}};
        misses << line.dump() << '\n';
      }
    }
  }
  report.queries = n;
  double dn = static_cast<double>(n);
  report.ndcg10 /= dn;
  report.recall10 /= dn;
  report.recall100 /= dn;
  report.mrr10 /= dn;
  if (with_answers) {
    report.answer_contains_gold = static_cast<double>(answered_gold) / with_answers;
    report.refused = static_cast<double>(refused) / with_answers;
    report.answer_chars_mean = answered ? answer_chars / static_cast<double>(answered) : 0.0;
  }
  report.p50_ms = Percentile(latencies, 50);
  report.p99_ms = Percentile(latencies, 99);
  return report;
}

}  // namespace docent::eval
