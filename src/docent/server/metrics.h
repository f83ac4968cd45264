// Prometheus metrics for the server: request counts and latency histograms by route and
// status, plus gauges sampled when /metrics is scraped.
// Thread safety: every method may be called from any thread; one mutex guards the tables.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace docent::server {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (Prometheus "le" labels).
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

  void ObserveRequest(const std::string& route, int status, double seconds);
  void AddCounter(const std::string& name, double delta);
  // A gauge whose value is read at scrape time (documents, queue depth, RSS); a name ending in
  // _total is exposed as a counter (a count read from its owner, which only grows).
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  // Exposition text of its own (histograms of another module), rendered at scrape time.
  void AddSection(std::function<std::string()> render);

  // The exposition text for GET /metrics.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // GUARDED_BY(mu_)
  std::map<std::string, Histogram> latency_;                  // GUARDED_BY(mu_), by route
  std::map<std::string, double> counters_;                    // GUARDED_BY(mu_)
  std::vector<Gauge> gauges_;                                 // GUARDED_BY(mu_)
  std::vector<std::function<std::string()>> sections_;        // GUARDED_BY(mu_)
};

// A sample value with full precision, and a bucket bound as written ("0.0025").
std::string PrometheusNumber(double v);
std::string PrometheusBound(double v);

// The process's resident set size in bytes, from /proc/self/statm (0 when unreadable).
double ProcessRssBytes();

// What the C library's allocator holds, over all its arenas (glibc's mallinfo2): bytes in
// blocks the program has not freed, and bytes freed but kept by the allocator. RSS that grows
// while the first stays flat is the allocator's fragmentation, not a structure of docent's.
struct HeapBytes {
  double in_use = 0;
  double free_held = 0;
};
HeapBytes ProcessHeapBytes();

}  // namespace docent::server
