// The generation side of /metrics, from the scheduler's stats: throughput (tokens per second
// over the last 10 s, and running totals for rate()), queue depth and running requests, the
// batch-size histogram, time-to-first-token and inter-token latency histograms, KV cache
// use, and the prefix cache's size and hit rate.
#pragma once

#include <string>

#include "docent/engine/scheduler.h"

namespace docent::server {

// Prometheus exposition text for `stats`.
std::string RenderGenerationMetrics(const engine::SchedulerStats& stats);

}  // namespace docent::server
