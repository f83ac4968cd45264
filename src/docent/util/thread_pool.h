// A persistent pool of worker threads for the inference engine's data-parallel steps.
//
// One decoded token runs a few hundred parallel steps (every matrix product of every layer),
// each a few microseconds to a millisecond long, so waking threads through a condition
// variable per step would cost as much as the work. Workers are created once; between steps
// they spin on an atomic step counter for a short while (a pause instruction per turn) and
// only then sleep on it (std::atomic::wait, a futex), so back-to-back steps start within
// nanoseconds and an idle server burns no CPU.
//
//   ThreadPool pool(2);  // the caller plus one worker
//   pool.ParallelFor(n_tasks, [&](int64_t task, int thread) { ... });
//
// ParallelFor hands tasks out from an atomic counter, so which thread runs a task varies from
// run to run: a task's result must depend only on the task (the engine's kernels guarantee
// that), never on the thread. A step ends when its tasks are done, not when every worker has
// looked in: on a machine busy with other work, a worker that is not scheduled in time simply
// misses the step and the others (the caller at least) do its share, instead of the whole
// step waiting a scheduler time slice for it. ParallelFor calls come from one thread at a
// time (the engine owns its pool); the pool itself is not reentrant.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <vector>

namespace docent {

class ThreadPool {
 public:
  // n_threads counts the calling thread: ThreadPool(1) runs everything inline.
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs fn(task, thread) for every task in [0, n_tasks) and returns when all have finished.
  // thread is in [0, size()): 0 is the caller. fn must not throw.
  template <typename Fn>
  void ParallelFor(int64_t n_tasks, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    Run(
        n_tasks, [](void* ctx, int64_t task, int thread) { (*static_cast<F*>(ctx))(task, thread); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  using TaskFn = void (*)(void* ctx, int64_t task, int thread);

  void Run(int64_t n_tasks, TaskFn fn, void* ctx);
  void WorkerLoop(int thread);
  // Claims and runs tasks of the open step, if any, until none are left.
  void Drain(int thread);

  std::vector<std::thread> workers_;
  // The open step's function, written by Run while no step is open (claim_ closed) and read
  // by a worker only after it has claimed a task of that step.
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  uint32_t step_id_ = 0;  // Run's thread only
  // One word, so a task is claimed with one compare-and-swap that also proves which step it
  // belongs to: step id (24 bits, 0 = no step open) | task count (20 bits) | next task (20).
  alignas(64) std::atomic<uint64_t> claim_{0};
  alignas(64) std::atomic<int64_t> completed_{0};  // tasks of the open step finished
  alignas(64) std::atomic<uint64_t> wake_{0};      // bumped per step; workers watch it
  std::atomic<int> sleepers_{0};                   // workers blocked in wake_.wait
  std::atomic<bool> stop_{false};
};

}  // namespace docent
