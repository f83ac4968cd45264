// The thread pool runs every task exactly once, on every thread it has, and returns only
// when all are done, through many back-to-back steps (the engine's pattern) and after idling.
#include "docent/util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <vector>

namespace docent {
namespace {

TEST(ThreadPoolTest, RunsEachTaskOnceAndWaitsForAll) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> runs(static_cast<size_t>(n));
      pool.ParallelFor(n, [&](int64_t task, int thread) {
        EXPECT_GE(thread, 0);
        EXPECT_LT(thread, threads);
        runs[static_cast<size_t>(task)].fetch_add(1);
      });
      // Checked after ParallelFor returns: a task still running would show as 0.
      for (int64_t t = 0; t < n; ++t) EXPECT_EQ(runs[static_cast<size_t>(t)].load(), 1) << t;
    }
  }
}

TEST(ThreadPoolTest, ManyBackToBackStepsSeeEachOthersWrites) {
  // Each step reads what the previous step wrote: a step that began before the previous one
  // ended, or a worker reading a stale step, would break the running sums.
  ThreadPool pool(3);
  std::vector<int64_t> a(64, 0);
  std::vector<int64_t> b(64, 0);
  for (int step = 0; step < 20000; ++step) {
    std::vector<int64_t>& from = step % 2 ? a : b;
    std::vector<int64_t>& to = step % 2 ? b : a;
    pool.ParallelFor(64, [&](int64_t t, int) { to[t] = from[t] + t; });
  }
  // Step k writes (k + 1) * t: a last at step 19998, b at 19999.
  for (int64_t t = 0; t < 64; ++t) {
    EXPECT_EQ(a[t], 19999 * t) << t;
    EXPECT_EQ(b[t], 20000 * t) << t;
  }
}

TEST(ThreadPoolTest, EveryThreadTakesPartWhenTasksBlock) {
  // Tasks that wait for each other can only finish if all threads run them at once.
  ThreadPool pool(3);
  std::atomic<int> arrived{0};
  std::set<int> threads_seen;
  std::vector<int> thread_of(3, -1);
  pool.ParallelFor(3, [&](int64_t task, int thread) {
    thread_of[task] = thread;
    arrived.fetch_add(1);
    while (arrived.load() < 3) {
    }
  });
  for (int t : thread_of) threads_seen.insert(t);
  EXPECT_EQ(threads_seen.size(), 3u);
}

}  // namespace
}  // namespace docent
