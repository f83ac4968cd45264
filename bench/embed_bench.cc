// docent's embedding speed on token ids, the half of bench/embed_vs_llamacpp.mjs that times
// docent (bench/llamacpp_embed_speed.mjs times llama.cpp on the same ids):
//   passages_per_s  every passage of the ids file embedded one after another (each its own
//                   forward pass, all its tokens at once), after one warm-up passage;
//   query_ms        the median time to embed the query ids (a short question), of `reps` runs.
//
// usage: embed_bench MODEL.gguf --ids FILE [--query-ids FILE] [--threads 2] [--reps 20]
// The ids files hold one sequence per line, comma-separated, framed as the model reads them
// (BOS / CLS first, EOS / SEP last). Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "docent/llm/embedder.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::vector<int32_t>> ReadIds(const std::string& path) {
  std::vector<std::vector<int32_t>> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<int32_t> ids;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) ids.push_back(std::atoi(field.c_str()));
    if (!ids.empty()) out.push_back(std::move(ids));
  }
  return out;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: embed_bench MODEL.gguf --ids FILE [--query-ids FILE] "
                 "[--threads 2] [--reps 20]\n");
    return 2;
  }
  std::string model = argv[1], ids_path, query_path;
  int threads = 2, reps = 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--ids")
      ids_path = argv[i + 1];
    else if (flag == "--query-ids")
      query_path = argv[i + 1];
    else if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--reps")
      reps = std::atoi(argv[i + 1]);
  }
  auto embedder = docent::llm::Embedder::Load(model, threads);
  if (!embedder.ok()) {
    std::fprintf(stderr, "%s\n", embedder.status().ToString().c_str());
    return 1;
  }
  const auto passages = ReadIds(ids_path);
  if (passages.empty()) {
    std::fprintf(stderr, "no passages in %s\n", ids_path.c_str());
    return 2;
  }
  auto embed = [&](const std::vector<int32_t>& ids) {
    auto out = (*embedder)->PoolIds(ids);
    if (!out.ok()) {
      std::fprintf(stderr, "%s\n", out.status().ToString().c_str());
      std::exit(1);
    }
  };
  embed(passages[0]);  // warm-up: pages of the weights, tables
  const auto t0 = Clock::now();
  size_t tokens = 0;
  for (const auto& p : passages) {
    embed(p);
    tokens += p.size();
  }
  const double seconds = Seconds(t0);
  double query_ms = 0;
  if (!query_path.empty()) {
    const auto queries = ReadIds(query_path);
    std::vector<double> times;
    for (int r = 0; r < reps && !queries.empty(); ++r) {
      const auto q0 = Clock::now();
      embed(queries[static_cast<size_t>(r) % queries.size()]);
      times.push_back(Seconds(q0) * 1000);
    }
    std::sort(times.begin(), times.end());
    if (!times.empty()) query_ms = times[times.size() / 2];
  }
  std::printf(
      "{\"passages_per_s\": %.3f, \"tokens_per_s\": %.1f, \"query_ms\": %.3f, \"passages\": %zu, "
      "\"threads\": %d}\n",
      static_cast<double>(passages.size()) / seconds, static_cast<double>(tokens) / seconds,
      query_ms, passages.size(), threads);
  return 0;
}
