// The generation side of /metrics, from the scheduler's stats: throughput (tokens per second
// over the last 10 s, and running totals for rate()), queue depth and running requests, the
// batch-size histogram, time-to-first-token and inter-token latency histograms, KV cache
// use, and the prefix cache's size and hit rate.
#pragma once

#include <string>
#include <vector>

#include "docent/engine/scheduler.h"
#include "docent/remote/generator_pool.h"

namespace docent::server {

// Prometheus exposition text for `stats`.
std::string RenderGenerationMetrics(const engine::SchedulerStats& stats);

// A front node's remote generators (remote/generator_pool.h), one series per generator by its
// URL: up (1 healthy, 0 taken out), in-flight requests, requests, errors and retries, and the
// answer latency histogram.
std::string RenderGeneratorMetrics(const std::vector<remote::GeneratorState>& generators);

}  // namespace docent::server
