#pragma once
// A pool of persistent workers for data-parallel kernels. parallel_for splits [0, n) into a few
// contiguous chunks per thread that the threads claim one by one (the caller's thread works too):
// when a worker is late — descheduled on a busy machine — the others take its share instead of
// waiting for it. Workers spin briefly before sleeping: decode issues thousands of small
// parallel_for calls per second, and waking a sleeping thread costs more than the work of one
// matrix-vector slice.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hf {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // total threads including the caller's
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // fn(begin, end) over contiguous chunks of [0, n); chunk boundaries are multiples of `grain`.
  // Which thread runs which chunk is not fixed.
  // Safe to call from several threads at once (calls are serialised); not re-entrant.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain = 1);

  // The process-wide pool: HF_NUM_THREADS, else the number of cores. set_default_threads() before
  // first use changes it (the CLI's --threads).
  static ThreadPool& global();
  static void set_default_threads(int threads);

  // The pool size HF_NUM_THREADS asks for (`value`, null when unset) on a machine of `cores`:
  // a value that is not a whole number >= 1 is a warning and every core (a library must not fail
  // on its environment, and must not start atoi("abc") = 0 or -1 threads); more threads than
  // cores is capped with a warning (100000 would starve the machine).
  static int threads_from_env(const char* value, int cores);

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn = nullptr;
    int64_t n = 0, grain = 1;
    int chunks = 0;
    uint32_t id = 0;
  };
  void worker_loop();
  // Claims and runs chunks of `job` until none is left (or a newer job replaced it).
  void run_claims(const Job& job);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  Job job_;                        // guarded by mutex_
  std::atomic<uint64_t> ticket_{0};  // (job id << 32) | next unclaimed chunk
  std::atomic<int> done_{0};         // chunks of the current job finished
};

}  // namespace hf
