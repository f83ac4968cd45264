// Search and ingest benchmark. Builds a synthetic mixed Korean/English corpus, indexes it in
// docent's store and in a stock FTS5 table (unicode61 tokenizer) and runs the same queries on
// both, single-threaded. Prints medians over several runs beside the stock baseline.
//
//   search_bench [--chunks 100000] [--queries 1000] [--runs 3] [--ingest-mb 20] [--work DIR]
//                [--ingest-only]
// --ingest-only skips the search part (for quick iterations on the ingest path). Ingest also
// reports CPU seconds beside wall seconds: the difference is mostly time waiting on fsync.
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "docent/eval/metrics.h"
#include "docent/indexer/indexer.h"
#include "docent/search/bm25_search.h"
#include "docent/store/store.h"
#include "synthetic_corpus.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using docent::bench::SyntheticCorpus;

namespace {

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double Median(std::vector<double> v) {
  return docent::eval::Percentile(std::move(v), 50);
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void Exec(sqlite3* db, const char* sql) {
  Check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql);
}

struct StockFts {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* query = nullptr;

  explicit StockFts(const fs::path& path) {
    Check(sqlite3_open(path.c_str(), &db), db, "open");
    Exec(db,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
         "CREATE VIRTUAL TABLE IF NOT EXISTS t USING fts5(title, body, tokenize='unicode61')");
    Check(sqlite3_prepare_v2(db, "INSERT INTO t(title, body) VALUES(?1, ?2)", -1, &insert, nullptr),
          db, "prep");
    Check(sqlite3_prepare_v2(
              db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t, 2.0, 1.0), rowid LIMIT 10",
              -1, &query, nullptr),
          db, "prep");
  }
  ~StockFts() {
    sqlite3_finalize(insert);
    sqlite3_finalize(query);
    sqlite3_close(db);
  }
  void Insert(const std::string& title, const std::string& body) {
    sqlite3_bind_text(insert, 1, title.data(), static_cast<int>(title.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    Check(sqlite3_step(insert), db, "insert");
    sqlite3_reset(insert);
  }
  // The same words, OR-ed, as docent does; unicode61 splits them itself.
  int Search(const std::string& q) {
    std::string expr;
    size_t start = 0;
    while (start < q.size()) {
      size_t sp = q.find(' ', start);
      if (sp == std::string::npos) sp = q.size();
      if (sp > start) {
        if (!expr.empty()) expr += " OR ";
        expr += '"' + q.substr(start, sp - start) + '"';
      }
      start = sp + 1;
    }
    sqlite3_bind_text(query, 1, expr.data(), static_cast<int>(expr.size()), SQLITE_TRANSIENT);
    int n = 0;
    while (sqlite3_step(query) == SQLITE_ROW) ++n;
    sqlite3_reset(query);
    return n;
  }
};

long Flag(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], name)) return std::atol(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const long n_chunks = Flag(argc, argv, "--chunks", 100000);
  const long n_queries = Flag(argc, argv, "--queries", 1000);
  const long runs = Flag(argc, argv, "--runs", 3);
  const long ingest_mb = Flag(argc, argv, "--ingest-mb", 20);
  fs::path work = fs::temp_directory_path();
  bool ingest_only = false;
  for (int i = 1; i < argc; ++i) {
    if (i + 1 < argc && !std::strcmp(argv[i], "--work")) work = argv[i + 1];
    if (!std::strcmp(argv[i], "--ingest-only")) ingest_only = true;
  }
  std::string tmpl = (work / "docent-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  fs::path dir = tmpl;

  SyntheticCorpus corpus(42);
  std::mt19937_64 rng(7);

  if (!ingest_only) {
    // --- Build both indexes from the same chunks (10 chunks per document).
    auto store_or = docent::store::Store::Open(dir / "docent", {.durable = false});
    if (!store_or.ok()) {
      std::fprintf(stderr, "%s\n", store_or.status().ToString().c_str());
      return 1;
    }
    auto& store = **store_or;
    StockFts stock(dir / "stock.db");
    std::printf("building %ld chunks ...\n", n_chunks);
    double docent_build_ms = 0, stock_build_ms = 0;
    Exec(stock.db, "BEGIN");
    for (long d = 0; d * 10 < n_chunks; ++d) {
      const docent::store::DocumentToPut put =
          docent::bench::SyntheticDocument(corpus, rng, d, n_chunks);
      auto t0 = Clock::now();
      if (!store.PutDocument(put).ok()) return 1;
      auto t1 = Clock::now();
      for (const auto& c : put.chunked.chunks) stock.Insert(put.title, c.text);
      auto t2 = Clock::now();
      docent_build_ms += Ms(t0, t1);
      stock_build_ms += Ms(t1, t2);
    }
    Exec(stock.db, "COMMIT");
    std::printf("index build: docent %.1f s, stock FTS5 %.1f s\n", docent_build_ms / 1e3,
                stock_build_ms / 1e3);

    // docent ranks on an in-memory term index built from the store on first search (the store
    // stays the source of truth); time that build on its own rather than inside one query.
    {
      auto t0 = Clock::now();
      docent::search::SearchOptions build;
      build.index = docent::search::IndexUse::kBuild;  // as `docent serve` does at start
      if (!docent::search::SearchBm25(store, docent::store::kDefaultWorkspaceId, "warmup", build)
               .ok())
        return 1;
      std::printf("term index build from the store (first search): %.1f s\n",
                  Ms(t0, Clock::now()) / 1e3);
    }

    // --- Queries: the same 1,000 for both engines, fixed seed.
    std::mt19937_64 qrng(1234);
    std::vector<std::string> queries;
    for (long i = 0; i < n_queries; ++i) queries.push_back(corpus.Query(qrng));
    std::vector<double> d50, d99, s50, s99;
    for (long r = 0; r < runs; ++r) {
      std::vector<double> dl, sl;
      for (const auto& q : queries) {
        auto t0 = Clock::now();
        auto res = docent::search::SearchBm25(store, docent::store::kDefaultWorkspaceId, q);
        auto t1 = Clock::now();
        stock.Search(q);
        auto t2 = Clock::now();
        if (!res.ok()) return 1;
        dl.push_back(Ms(t0, t1));
        sl.push_back(Ms(t1, t2));
      }
      d50.push_back(docent::eval::Percentile(dl, 50));
      d99.push_back(docent::eval::Percentile(dl, 99));
      s50.push_back(docent::eval::Percentile(sl, 50));
      s99.push_back(docent::eval::Percentile(sl, 99));
    }
    std::printf("\nsearch, %ld chunks, %ld queries x %ld runs, 1 thread (median of runs)\n",
                n_chunks, n_queries, runs);
    std::printf("  %-22s p50 %7.2f ms   p99 %7.2f ms\n", "docent (own tokenizer)", Median(d50),
                Median(d99));
    std::printf("  %-22s p50 %7.2f ms   p99 %7.2f ms\n", "stock FTS5 unicode61", Median(s50),
                Median(s99));
    std::printf("  ratio docent/stock    p50 %.2fx      p99 %.2fx\n", Median(d50) / Median(s50),
                Median(d99) / Median(s99));
  }

  // --- Ingest: plain text files through the whole path (read, extract, chunk, commit).
  // Its own seed, so the files are the same whatever --chunks and --ingest-only say.
  std::mt19937_64 file_rng(99);
  fs::create_directories(dir / "files");
  std::vector<fs::path> files;
  uint64_t total = 0;
  for (int f = 0; total < static_cast<uint64_t>(ingest_mb) << 20; ++f) {
    fs::path p = dir / "files" / ("doc" + std::to_string(f) + ".txt");
    std::ofstream out(p);
    std::string body;
    for (int para = 0; para < 40; ++para) body += corpus.Chunk(file_rng, 800) + "\n\n";
    out << body;
    total += body.size();
    files.push_back(p);
  }
  std::vector<double> docent_mbs, stock_mbs, docent_cpu, docent_wall, stock_cpu, stock_wall;
  for (long r = 0; r < runs; ++r) {
    fs::path data = dir / ("ingest" + std::to_string(r));
    auto s = docent::store::Store::Open(data);
    if (!s.ok()) return 1;
    const double c0 = CpuSeconds();
    auto t0 = Clock::now();
    bool all_added = true;
    const docent::Status run =
        docent::indexer::IndexFiles(**s, files, {}, {}, [&](const docent::indexer::FileResult& r) {
          all_added = all_added && r.outcome == docent::indexer::Outcome::kAdded;
        });
    if (!run.ok() || !all_added) return 1;
    auto t1 = Clock::now();
    docent_cpu.push_back(CpuSeconds() - c0);
    docent_wall.push_back(Ms(t0, t1) / 1e3);
    docent_mbs.push_back(total / 1e6 / (Ms(t0, t1) / 1e3));
    StockFts st(dir / ("stock-ingest" + std::to_string(r) + ".db"));
    Exec(st.db, "PRAGMA synchronous=FULL");
    const double c2 = CpuSeconds();
    auto t2 = Clock::now();
    for (const auto& p : files) {
      std::ifstream in(p);
      std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      Exec(st.db, "BEGIN");
      st.Insert(p.filename().string(), body);
      Exec(st.db, "COMMIT");
    }
    auto t3 = Clock::now();
    stock_cpu.push_back(CpuSeconds() - c2);
    stock_wall.push_back(Ms(t2, t3) / 1e3);
    stock_mbs.push_back(total / 1e6 / (Ms(t2, t3) / 1e3));
  }
  std::printf(
      "\ningest, %.1f MB of plain text in %zu files, 1 thread, durable commits (median of %ld)\n",
      total / 1e6, files.size(), runs);
  std::printf("  %-22s %6.2f MB/s  (wall %.2f s, CPU %.2f s)\n", "docent add path",
              Median(docent_mbs), Median(docent_wall), Median(docent_cpu));
  std::printf(
      "  %-22s %6.2f MB/s  (wall %.2f s, CPU %.2f s; insert only: no extraction or chunking)\n",
      "stock FTS5 unicode61", Median(stock_mbs), Median(stock_wall), Median(stock_cpu));
  std::printf("  ratio docent/stock     %.2fx\n", Median(docent_mbs) / Median(stock_mbs));
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
