// The persistent thread pool (see thread_pool.h).
#include "docent/util/thread_pool.h"

#include <algorithm>

namespace docent {
namespace {

// About a millisecond of spinning before a worker sleeps: long enough to bridge the gap
// between two steps of one token (and between tokens), short enough that an idle pool
// is soon quiet.
constexpr int kSpinTurns = 1 << 15;

constexpr int kTaskBits = 20;
constexpr uint64_t kTaskMask = (uint64_t{1} << kTaskBits) - 1;
constexpr int64_t kMaxTasksPerStep = int64_t{1} << kTaskBits;

uint64_t Pack(uint32_t step, int64_t n_tasks, int64_t next) {
  return uint64_t{step} << (2 * kTaskBits) | static_cast<uint64_t>(n_tasks) << kTaskBits |
         static_cast<uint64_t>(next);
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  wake_.fetch_add(1);
  wake_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void ThreadPool::Run(int64_t n_tasks, TaskFn fn, void* ctx) {
  if (workers_.empty() || n_tasks <= 1) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(ctx, t, 0);
    return;
  }
  // Steps with more tasks than one claim word counts run as several steps.
  for (int64_t base = 0; base < n_tasks; base += kMaxTasksPerStep) {
    const int64_t count = std::min(kMaxTasksPerStep - 1, n_tasks - base);
    struct Offset {
      TaskFn fn;
      void* ctx;
      int64_t base;
    } offset{fn, ctx, base};
    if (base == 0 && count == n_tasks) {
      fn_ = fn;
      ctx_ = ctx;
    } else {
      fn_ = [](void* c, int64_t task, int thread) {
        auto* o = static_cast<Offset*>(c);
        o->fn(o->ctx, o->base + task, thread);
      };
      ctx_ = &offset;
    }
    step_id_ = (step_id_ + 1) & 0xffffffu;
    if (step_id_ == 0) step_id_ = 1;
    completed_.store(0, std::memory_order_relaxed);
    claim_.store(Pack(step_id_, count, 0), std::memory_order_release);
    // seq_cst, ordered before the load of sleepers_: a worker that goes to sleep after that
    // load reads the new wake_ first and does not sleep (see WorkerLoop).
    wake_.fetch_add(1);
    if (sleepers_.load() > 0) wake_.notify_all();
    Drain(0);
    while (completed_.load(std::memory_order_acquire) != count) CpuRelax();
    claim_.store(0, std::memory_order_release);  // closed: no worker can claim from it now
  }
}

void ThreadPool::Drain(int thread) {
  uint64_t v = claim_.load(std::memory_order_acquire);
  for (;;) {
    const uint64_t step = v >> (2 * kTaskBits);
    const uint64_t n = (v >> kTaskBits) & kTaskMask;
    const uint64_t next = v & kTaskMask;
    if (step == 0 || next >= n) return;
    if (claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      // The claim succeeded against this step's word, so the step is still open and fn_ and
      // ctx_ are its own (Run changes them only after every claimed task completed).
      fn_(ctx_, static_cast<int64_t>(next), thread);
      completed_.fetch_add(1, std::memory_order_release);
      v = claim_.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::WorkerLoop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t wake = wake_.load(std::memory_order_acquire);
    for (int turn = 0; wake == seen && turn < kSpinTurns; ++turn) {
      CpuRelax();
      wake = wake_.load(std::memory_order_acquire);
    }
    if (wake == seen) {
      sleepers_.fetch_add(1);
      wake_.wait(seen);
      sleepers_.fetch_sub(1);
      continue;
    }
    if (stop_.load()) return;
    seen = wake;
    Drain(thread);
  }
}

}  // namespace docent
