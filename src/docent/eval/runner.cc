// The eval run: index the corpus, search each query, score the ranking and the answer.
#include "docent/eval/runner.h"

#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <unordered_set>

#include "docent/answer/retrieval_service.h"
#include "docent/eval/beir.h"
#include "docent/eval/metrics.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/retriever.h"
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

// Indexes the corpus into the workspace, leaving out the documents named in `leave_out`.
Status IndexCorpus(store::Store& store, int64_t workspace_id, const std::vector<BeirDoc>& corpus,
                   const std::unordered_set<std::string>& leave_out = {}) {
  for (const BeirDoc& d : corpus) {
    if (leave_out.contains(d.id)) continue;
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

// The extractive answer to `question` from the first passages retrieved, as `docent ask`
// reads them (rag::kDefaultAnswerPassages).
constexpr size_t kAnswerPassages = rag::kDefaultAnswerPassages;

rag::ExtractiveAnswer Answer(store::Store& store, int64_t workspace_id, const std::string& question,
                             const std::vector<search::Passage>& passages) {
  std::vector<search::Passage> top(passages.begin(),
                                   passages.begin() + std::min(passages.size(), kAnswerPassages));
  rag::StoreTermStatistics stats(store, workspace_id);
  return rag::AnswerExtractively(question, top, stats);
}

bool HoldsGold(std::string_view text, const std::vector<std::string>& answers) {
  return std::any_of(answers.begin(), answers.end(), [&](const std::string& gold) {
    return text.find(gold) != std::string_view::npos;
  });
}

// `count` of the queries with answers, drawn by a seeded Fisher-Yates over their indexes
// (mt19937_64 is specified exactly, and the draw below uses no library distribution, so the
// sample is the same with every standard library).
std::vector<size_t> SampleAnswerable(std::span<const BeirQuery> queries, size_t count) {
  std::vector<size_t> pool;
  for (size_t i = 0; i < queries.size(); ++i) {
    if (!queries[i].answers.empty()) pool.push_back(i);
  }
  std::mt19937_64 rng(20261207);
  count = std::min(count, pool.size());
  for (size_t i = 0; i < count; ++i) {
    size_t j = i + static_cast<size_t>(rng() % (pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  std::sort(pool.begin(), pool.end());
  return pool;
}

// The held-out pass (EvalOptions::unanswerable): a second workspace of the same store holds
// the corpus without the sampled questions' judged documents, and each is asked there.
// The questions of the held-out pass: drawn from those the run asked (--max-queries limits
// both passes).
std::vector<size_t> HeldOutSample(const BeirSet& set, size_t asked, const EvalOptions& options) {
  return SampleAnswerable(std::span<const BeirQuery>(set.queries.data(), asked),
                          options.unanswerable);
}

// Makes the held-out workspace: the corpus without the sampled questions' judged documents.
Result<int64_t> IndexHeldOut(store::Store& store, const BeirSet& set,
                             const std::vector<size_t>& sample, const EvalOptions& options) {
  std::unordered_set<std::string> leave_out;
  for (size_t qi : sample) {
    auto judged = set.qrels.find(set.queries[qi].id);
    if (judged == set.qrels.end()) continue;
    for (const auto& [doc, grade] : judged->second) {
      if (grade > 0) leave_out.insert(doc);
    }
  }
  const std::string name = options.workspace == "heldout" ? "heldout-2" : "heldout";
  DOCENT_ASSIGN_OR_RETURN(const store::WorkspaceInfo ws, store.EnsureWorkspace(name));
  DOCENT_RETURN_IF_ERROR(IndexCorpus(store, ws.id, set.corpus, leave_out));
  return ws.id;
}

Status AskWithoutTheirDocuments(store::Store& store, const BeirSet& set,
                                const std::vector<size_t>& sample, int64_t heldout,
                                search::RetrievalOptions retrieval, EvalReport& report) {
  if (sample.empty()) return Status::Ok();
  retrieval.bm25.k = static_cast<int>(kAnswerPassages);
  size_t refused = 0;
  for (size_t qi : sample) {
    const BeirQuery& q = set.queries[qi];
    DOCENT_ASSIGN_OR_RETURN(auto passages, search::Retrieve(store, heldout, q.text, retrieval));
    const rag::ExtractiveAnswer a = Answer(store, heldout, q.text, passages);
    refused += !a.found;
    report.unanswerable_answered_gold += a.found && HoldsGold(a.text, q.answers);
  }
  report.unanswerable = sample.size();
  report.unanswerable_refused = static_cast<double>(refused) / static_cast<double>(sample.size());
  return Status::Ok();
}

// Every judged query through one retrieval: ranking figures, answers, latency; a line in
// `misses` (when open) for each answer that missed its gold strings.
Status EvaluateRetrieval(store::Store& store, int64_t workspace_id, const BeirSet& set, size_t n,
                         search::RetrievalOptions retrieval, std::ofstream& misses,
                         EvalReport& report);

}  // namespace

Result<EvalReport> RunEval(const std::filesystem::path& dir, const EvalOptions& options) {
  DOCENT_ASSIGN_OR_RETURN(std::vector<EvalReport> reports, RunEvalModes(dir, options));
  if (reports.empty()) return InvalidArgument("no retrieval to evaluate");
  return reports.front();
}

Result<std::vector<EvalReport>> RunEvalModes(const std::filesystem::path& dir,
                                             const EvalOptions& options) {
  DOCENT_ASSIGN_OR_RETURN(BeirSet set, LoadBeir(dir));
  if (set.queries.empty()) return InvalidArgument(dir.string() + ": no judged queries");

  std::filesystem::path base =
      options.work_dir.empty() ? std::filesystem::temp_directory_path() : options.work_dir;
  std::string tmpl = (base / "docent-eval-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return IOError("cannot create a temporary folder in " + base.string());
  ScopedDir scoped{tmpl};

  EvalReport first;
  auto t0 = std::chrono::steady_clock::now();
  DOCENT_ASSIGN_OR_RETURN(auto store, store::Store::Open(scoped.path, {.durable = false}));
  // One transaction around the whole corpus would be faster still, but going through
  // PutDocument measures the same path users take.
  DOCENT_ASSIGN_OR_RETURN(const store::WorkspaceInfo ws, store->EnsureWorkspace(options.workspace));
  DOCENT_RETURN_IF_ERROR(IndexCorpus(*store, ws.id, set.corpus));
  first.index_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  first.documents = set.corpus.size();
  const size_t n =
      options.max_queries ? std::min(options.max_queries, set.queries.size()) : set.queries.size();
  std::vector<size_t> sample;
  int64_t heldout = 0;
  if (options.unanswerable > 0) {
    sample = HeldOutSample(set, n, options);
    if (!sample.empty()) {
      DOCENT_ASSIGN_OR_RETURN(heldout, IndexHeldOut(*store, set, sample, options));
    }
  }
  // The models, and the corpus's vectors (both workspaces) when an embedding model is given.
  answer::RetrievalServiceOptions ro;
  ro.embed_model = options.embed_model;
  ro.rerank_model = options.rerank_model;
  ro.threads = options.threads;
  ro.use_recorded_model = false;
  DOCENT_ASSIGN_OR_RETURN(auto service, answer::RetrievalService::Open(*store, ro));
  const auto e0 = std::chrono::steady_clock::now();
  DOCENT_RETURN_IF_ERROR(service->EmbedPending().status());
  first.embed_seconds =
      service->embedder()
          ? std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count()
          : 0.0;

  // The term indexes are built before any query is timed (the held-out workspace makes BM25
  // rank on them rather than in FTS5).
  DOCENT_RETURN_IF_ERROR(store->WarmAllTermIndexes());
  std::ofstream misses;
  if (!options.misses_path.empty()) {
    misses.open(options.misses_path);
    if (!misses) return IOError("cannot write " + options.misses_path.string());
  }
  std::vector<EvalReport> reports;
  for (search::Retrieval mode : options.retrievals) {
    EvalReport report = first;
    report.retrieval = mode;
    DOCENT_ASSIGN_OR_RETURN(search::RetrievalOptions retrieval, service->Options(mode, 200));
    if (retrieval.mode != mode) {
      return FailedPrecondition(std::string(search::RetrievalName(mode)) +
                                " retrieval is not ready: " + service->note());
    }
    DOCENT_RETURN_IF_ERROR(EvaluateRetrieval(*store, ws.id, set, n, retrieval, misses, report));
    if (!sample.empty()) {
      DOCENT_RETURN_IF_ERROR(
          AskWithoutTheirDocuments(*store, set, sample, heldout, retrieval, report));
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

namespace {

Status EvaluateRetrieval(store::Store& store, int64_t workspace_id, const BeirSet& set, size_t n,
                         search::RetrievalOptions retrieval, std::ofstream& misses,
                         EvalReport& report) {
  std::vector<double> latencies;
  size_t with_answers = 0, answered_gold = 0, first_gold = 0, refused = 0, answered = 0;
  double answer_chars = 0;
  retrieval.bm25.k = 200;  // chunks; several may belong to one document
  for (size_t qi = 0; qi < n; ++qi) {
    const BeirQuery& q = set.queries[qi];
    auto s0 = std::chrono::steady_clock::now();
    DOCENT_ASSIGN_OR_RETURN(auto passages,
                            search::Retrieve(store, workspace_id, q.text, retrieval));
    latencies.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count());
    std::vector<std::string> ranked;
    std::unordered_set<std::string> seen;
    // A passage's near-duplicates (retriever.h) hold the same text: their documents rank
    // right after its own.
    auto rank_doc = [&](const std::string& path) {
      std::string id = path.substr(std::char_traits<char>::length(kSourcePrefix));
      if (seen.insert(id).second) ranked.push_back(std::move(id));
    };
    for (const auto& p : passages) {
      rank_doc(p.doc_path);
      for (const search::PassageCopy& copy : p.duplicates) rank_doc(copy.doc_path);
    }
    static const Judgements kNone;
    const auto judged = set.qrels.find(q.id);
    const Judgements& rel = judged != set.qrels.end() ? judged->second : kNone;
    report.ndcg10 += NdcgAtK(ranked, rel, 10);
    report.recall10 += RecallAtK(ranked, rel, 10);
    report.recall100 += RecallAtK(ranked, rel, 100);
    report.mrr10 += MrrAtK(ranked, rel, 10);
    if (!q.answers.empty()) {
      ++with_answers;
      const rag::ExtractiveAnswer a = Answer(store, workspace_id, q.text, passages);
      const bool hit = a.found && HoldsGold(a.text, q.answers);
      first_gold += a.found && !a.sentences.empty() && HoldsGold(a.sentences[0].text, q.answers);
      answered_gold += hit;
      refused += !a.found;
      if (a.found) {
        answer_chars += static_cast<double>(util::CountCodePoints(a.text));
        ++answered;
      }
      if (!hit && misses) {
        nlohmann::json line = {{"retrieval", search::RetrievalName(retrieval.mode)},
                               {"id", q.id},
                               {"question", q.text},
                               {"gold", q.answers},
                               {"found", a.found},
                               {"answer", a.text},
                               {"top_is_relevant", !ranked.empty() && rel.count(ranked[0]) > 0},
                               {"top", passages.empty() ? "" : passages[0].text}};
        // Where the answer was to be had: the first of the passages read that holds a gold
        // string (1-based), or null when none does.
        line["gold_passage"] = nullptr;
        for (size_t r = 0; r < std::min(passages.size(), kAnswerPassages); ++r) {
          if (HoldsGold(passages[r].text, q.answers)) {
            line["gold_passage"] = r + 1;
            break;
          }
        }
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
    report.first_sentence_contains_gold = static_cast<double>(first_gold) / with_answers;
  }
  report.p50_ms = Percentile(latencies, 50);
  report.p99_ms = Percentile(latencies, 99);
  return Status::Ok();
}

}  // namespace

}  // namespace docent::eval
