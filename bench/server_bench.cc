// Load benchmark for `docent serve`: concurrent keep-alive clients on loopback send
// /v1/search and /v1/ask; prints throughput and p50/p99 beside the same calls made in-process
// without HTTP, measured in the same run (the ratio is the cost of the wire and the threads).
//
//   server_bench [--corpus examples|synthetic] [--chunks 100000] [--clients 16]
//                [--requests 200] [--work DIR]
#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "docent/eval/metrics.h"
#include "docent/indexer/indexer.h"
#include "docent/rag/extractive.h"
#include "docent/rag/store_term_statistics.h"
#include "docent/search/bm25_search.h"
#include "docent/server/server.h"
#include "docent/store/store.h"
#include "synthetic_corpus.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string FlagStr(int argc, char** argv, const char* name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], name)) return argv[i + 1];
  }
  return fallback;
}
long Flag(int argc, char** argv, const char* name, long fallback) {
  std::string v = FlagStr(argc, argv, name, "");
  return v.empty() ? fallback : std::atol(v.c_str());
}

const std::vector<std::string> kExampleQuestions = {
    "How many days of annual leave do new employees get?",
    "연차 휴가는 며칠인가요?",
    "What does error code E07 mean on the HB-200?",
    "법인카드 분실 시 어떻게 해야 하나요?",
    "How do I report a phishing email?",
    "VPN MFA",
    "What is the company's policy on stock options?",
    "재택근무 신청 방법",
};

struct Figures {
  double seconds = 0;
  std::vector<double> latencies_ms;
  int errors = 0;
};

// `clients` threads, each sending `requests` POSTs to `path`, cycling through `bodies`.
Figures Load(int port, const std::string& path, const std::vector<std::string>& bodies, int clients,
             int requests) {
  Figures f;
  std::mutex mu;
  std::atomic<int> errors{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client http("127.0.0.1", port);
      http.set_keep_alive(true);
      http.set_tcp_nodelay(true);
      std::vector<double> mine;
      for (int i = 0; i < requests; ++i) {
        const std::string& body = bodies[static_cast<size_t>(c * requests + i) % bodies.size()];
        auto s = Clock::now();
        auto r = http.Post(path, body, "application/json");
        mine.push_back(Ms(s, Clock::now()));
        if (!r || r->status != 200) ++errors;
      }
      std::lock_guard lock(mu);
      f.latencies_ms.insert(f.latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.errors = errors.load();
  return f;
}

void Report(const char* what, const Figures& http, const std::vector<double>& direct_ms) {
  double p50 = docent::eval::Percentile(http.latencies_ms, 50);
  double p99 = docent::eval::Percentile(http.latencies_ms, 99);
  double d50 = docent::eval::Percentile(direct_ms, 50);
  std::printf(
      "  %-12s %8.0f req/s   p50 %7.2f ms   p99 %7.2f ms   errors %d   "
      "(in-process p50 %.2f ms, HTTP/in-process p50 %.2fx)\n",
      what, static_cast<double>(http.latencies_ms.size()) / http.seconds, p50, p99, http.errors,
      d50, d50 > 0 ? p50 / d50 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string corpus_kind = FlagStr(argc, argv, "--corpus", "examples");
  const long n_chunks = Flag(argc, argv, "--chunks", 100000);
  const int clients = static_cast<int>(Flag(argc, argv, "--clients", 16));
  const int requests = static_cast<int>(Flag(argc, argv, "--requests", 200));
  fs::path work = FlagStr(argc, argv, "--work", fs::temp_directory_path().string());
  std::string tmpl = (work / "docent-server-bench-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 1;
  auto store_or = docent::store::Store::Open(tmpl, {.durable = false});
  if (!store_or.ok()) return 1;
  auto& store = **store_or;

  std::vector<std::string> questions;
  if (corpus_kind == "synthetic") {
    docent::bench::SyntheticCorpus corpus(42);
    std::mt19937_64 rng(7);
    for (long d = 0; d * 10 < n_chunks; ++d) {
      if (!store.PutDocument(docent::bench::SyntheticDocument(corpus, rng, d, n_chunks)).ok()) {
        return 1;
      }
    }
    std::mt19937_64 qrng(1234);
    for (int i = 0; i < 500; ++i) questions.push_back(corpus.Query(qrng));
  } else {
    std::vector<docent::indexer::FileResult> problems;
    for (const auto& f :
         docent::indexer::CollectFiles({DOCENT_SOURCE_DIR "/examples"}, &problems)) {
      (void)docent::indexer::IndexFile(store, f);
    }
    questions = kExampleQuestions;
  }
  auto stats = store.Stats();
  std::printf("corpus %s: %lld documents, %lld chunks; %d clients x %d requests, keep-alive\n",
              corpus_kind.c_str(), static_cast<long long>(stats->documents),
              static_cast<long long>(stats->chunks), clients, requests);

  // In-process baseline: the same work without HTTP, one thread.
  std::vector<double> direct_search, direct_ask;
  // Measure the steady state: the term index a server builds at start is built first.
  auto warm_t0 = Clock::now();
  if (!store.WarmTermIndex(docent::store::kDefaultWorkspaceId).ok()) return 1;
  std::printf("term index built in %.1f s\n", Ms(warm_t0, Clock::now()) / 1e3);
  for (size_t i = 0; i < std::min<size_t>(questions.size(), 200); ++i) {
    auto t0 = Clock::now();
    auto p = docent::search::SearchBm25(store, docent::store::kDefaultWorkspaceId, questions[i]);
    auto t1 = Clock::now();
    docent::search::SearchOptions so;
    so.k = 8;
    auto p8 =
        docent::search::SearchBm25(store, docent::store::kDefaultWorkspaceId, questions[i], so);
    docent::rag::StoreTermStatistics st(store, docent::store::kDefaultWorkspaceId);
    auto a = docent::rag::AnswerExtractively(questions[i], *p8, st);
    auto t2 = Clock::now();
    direct_search.push_back(Ms(t0, t1));
    direct_ask.push_back(Ms(t1, t2));
  }

  docent::server::ServerOptions options;
  options.port = 0;
  docent::server::Server server(store, options);
  if (!server.Start().ok()) return 1;
  std::vector<std::string> search_bodies, ask_bodies;
  for (const auto& q : questions) {
    search_bodies.push_back(nlohmann::json({{"query", q}}).dump());
    ask_bodies.push_back(nlohmann::json({{"question", q}}).dump());
  }
  Report("/v1/search", Load(server.port(), "/v1/search", search_bodies, clients, requests),
         direct_search);
  Report("/v1/ask", Load(server.port(), "/v1/ask", ask_bodies, clients, requests), direct_ask);
  server.Stop();
  server.Wait();
  fs::remove_all(tmpl);
  return 0;
}
