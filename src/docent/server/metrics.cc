// Prometheus text exposition (version 0.0.4) of the server's counters and histograms.
#include "docent/server/metrics.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace docent::server {

std::string PrometheusNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string PrometheusBound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void Metrics::ObserveRequest(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddCounter(const std::string& name, double delta) {
  std::lock_guard lock(mu_);
  counters_[name] += delta;
}

void Metrics::AddSection(std::function<std::string()> render) {
  std::lock_guard lock(mu_);
  sections_.push_back(std::move(render));
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# HELP docent_http_requests_total HTTP requests by route and status.\n"
         "# TYPE docent_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "docent_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP docent_http_request_duration_seconds HTTP request latency by route.\n"
         "# TYPE docent_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = "route=\"" + route + "\"";
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out << "docent_http_request_duration_seconds_bucket{" << label << ",le=\""
          << PrometheusBound(kLatencyBuckets[i]) << "\"} " << h.buckets[i] << "\n";
    }
    out << "docent_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << h.count
        << "\n";
    out << "docent_http_request_duration_seconds_sum{" << label << "} " << PrometheusNumber(h.sum)
        << "\n";
    out << "docent_http_request_duration_seconds_count{" << label << "} " << h.count << "\n";
  }
  for (const auto& [name, v] : counters_) {
    out << "# TYPE " << name << " counter\n" << name << " " << PrometheusNumber(v) << "\n";
  }
  for (const Gauge& g : gauges_) {
    // Read at scrape time, but a count that only grows is a counter to Prometheus (its rate()
    // handles restarts): the name says which, by the convention of the _total suffix.
    const char* type = g.name.ends_with("_total") ? " counter\n" : " gauge\n";
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << type
        << g.name << " " << PrometheusNumber(g.read()) << "\n";
  }
  for (const auto& render : sections_) out << render();
  return out.str();
}

double ProcessRssBytes() {
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

HeapBytes ProcessHeapBytes() {
  const struct mallinfo2 m = mallinfo2();
  return {static_cast<double>(m.uordblks + m.hblkhd), static_cast<double>(m.fordblks)};
}

}  // namespace docent::server
