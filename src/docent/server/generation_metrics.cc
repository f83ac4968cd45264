// Scheduler stats as Prometheus text (see generation_metrics.h).
#include "docent/server/generation_metrics.h"

#include <sstream>

#include "docent/server/metrics.h"

namespace docent::server {
namespace {

void Sample(std::ostringstream& out, const char* name, const char* type, const char* help,
            double value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n"
      << name << " " << PrometheusNumber(value) << "\n";
}

// One histogram's series; `labels` ("" or `key="value"`) go before each bucket's `le`.
void HistogramSeries(std::ostringstream& out, const char* name, const std::string& labels,
                     const engine::LatencyHistogram& h) {
  const std::string bucket = std::string(name) + "_bucket{" + labels + (labels.empty() ? "" : ",");
  const std::string tail = labels.empty() ? " " : "{" + labels + "} ";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.kBounds.size(); ++i) {
    cumulative += h.counts[i];
    out << bucket << "le=\"" << PrometheusBound(h.kBounds[i]) << "\"} " << cumulative << "\n";
  }
  out << bucket << "le=\"+Inf\"} " << h.count << "\n"
      << name << "_sum" << tail << PrometheusNumber(h.sum) << "\n"
      << name << "_count" << tail << h.count << "\n";
}

void Histogram(std::ostringstream& out, const char* name, const char* help,
               const engine::LatencyHistogram& h) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  HistogramSeries(out, name, "", h);
}

// A label value as Prometheus reads it: backslash, quote and newline escaped.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string RenderGenerationMetrics(const engine::SchedulerStats& s) {
  std::ostringstream out;
  Sample(out, "docent_generation_queue_depth", "gauge", "Generation requests waiting for a slot.",
         s.queued);
  Sample(out, "docent_generation_running", "gauge", "Generation requests holding a slot.",
         s.running);
  Sample(out, "docent_prompt_tokens_per_second", "gauge",
         "Prompt tokens computed per second over the last 10 s.", s.prompt_tokens_per_s);
  Sample(out, "docent_generation_tokens_per_second", "gauge",
         "Tokens generated per second over the last 10 s.", s.generated_tokens_per_s);
  Sample(out, "docent_prompt_tokens_total", "counter", "Prompt tokens of all generation requests.",
         static_cast<double>(s.prompt_tokens));
  Sample(out, "docent_prompt_cached_tokens_total", "counter",
         "Prompt tokens whose KV was reused (a slot or the prefix cache).",
         static_cast<double>(s.cached_prompt_tokens));
  Sample(out, "docent_generated_tokens_total", "counter", "Tokens generated.",
         static_cast<double>(s.generated_tokens));
  Sample(out, "docent_generation_cancelled_total", "counter",
         "Generations cancelled (client gone).",
         static_cast<double>(s.finished[static_cast<int>(engine::FinishReason::kCancelled)]));
  Sample(out, "docent_generation_timeouts_total", "counter",
         "Generations ended by the request timeout.",
         static_cast<double>(s.finished[static_cast<int>(engine::FinishReason::kTimeout)]));
  Sample(out, "docent_generation_steps_total", "counter", "Batched forward steps.",
         static_cast<double>(s.steps));

  out << "# HELP docent_generation_batch_size Sequences per batched forward step.\n"
         "# TYPE docent_generation_batch_size histogram\n";
  uint64_t cumulative = 0, weighted = 0;
  for (size_t n = 1; n < s.batch_size_counts.size(); ++n) {
    cumulative += s.batch_size_counts[n];
    weighted += n * s.batch_size_counts[n];
    out << "docent_generation_batch_size_bucket{le=\"" << n << "\"} " << cumulative << "\n";
  }
  out << "docent_generation_batch_size_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "docent_generation_batch_size_sum " << weighted << "\n"
      << "docent_generation_batch_size_count " << cumulative << "\n";

  Histogram(out, "docent_time_to_first_token_seconds",
            "From a request's arrival to its first generated token.", s.time_to_first_token);
  Histogram(out, "docent_inter_token_latency_seconds", "Between consecutive tokens of one request.",
            s.inter_token);

  Sample(out, "docent_kv_cache_positions_used", "gauge",
         "KV cache positions the slots hold (running or kept for reuse).",
         static_cast<double>(s.kv_positions_used));
  Sample(out, "docent_kv_cache_positions", "gauge", "KV cache positions: slots x context.",
         static_cast<double>(s.kv_positions));
  Sample(out, "docent_prefix_cache_bytes", "gauge", "Bytes the prefix cache's blocks hold.",
         static_cast<double>(s.prefix_cache.bytes));
  Sample(out, "docent_prefix_cache_capacity_bytes", "gauge", "The prefix cache's budget.",
         static_cast<double>(s.prefix_cache.capacity_bytes));
  Sample(out, "docent_prefix_cache_evictions_total", "counter",
         "Prefix cache blocks evicted to stay in budget.",
         static_cast<double>(s.prefix_cache.evicted_blocks));
  Sample(out, "docent_prefix_cache_prompt_tokens_total", "counter",
         "Prompt tokens copied from the prefix cache.",
         static_cast<double>(s.prefix_cache_prompt_tokens));
  // The share of prompt tokens not computed: what a shared prefix saves.
  Sample(out, "docent_prefix_hit_rate", "gauge",
         "Share of prompt tokens whose KV was reused rather than computed.",
         s.prompt_tokens
             ? static_cast<double>(s.cached_prompt_tokens) / static_cast<double>(s.prompt_tokens)
             : 0.0);
  return out.str();
}

std::string RenderGeneratorMetrics(const std::vector<remote::GeneratorState>& generators) {
  std::ostringstream out;
  auto series = [&](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const remote::GeneratorState& g : generators) {
      out << name << "{generator=\"" << LabelValue(g.url) << "\"} "
          << PrometheusNumber(static_cast<double>(value(g))) << "\n";
    }
  };
  series("docent_generator_up", "gauge", "1 while the generator is healthy, 0 while taken out.",
         [](const auto& g) { return g.healthy ? 1 : 0; });
  series("docent_generator_in_flight", "gauge", "Requests the generator is writing now.",
         [](const auto& g) { return g.in_flight; });
  series("docent_generator_max_concurrent", "gauge", "Requests it may write at once.",
         [](const auto& g) { return g.max_concurrent; });
  series("docent_generator_requests_total", "counter", "Answers started on it (retries too).",
         [](const auto& g) { return g.requests; });
  series("docent_generator_errors_total", "counter", "Requests and probes that failed on it.",
         [](const auto& g) { return g.errors; });
  series("docent_generator_retried_total", "counter",
         "Of its failed requests, those another generator took over.",
         [](const auto& g) { return g.retried; });
  const char* name = "docent_generator_answer_seconds";
  out << "# HELP " << name << " Whole answers written by the generator.\n# TYPE " << name
      << " histogram\n";
  for (const remote::GeneratorState& g : generators) {
    HistogramSeries(out, name, "generator=\"" + LabelValue(g.url) + "\"", g.latency);
  }
  return out.str();
}

}  // namespace docent::server
