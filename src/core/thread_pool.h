#pragma once
// A pool of persistent workers for data-parallel kernels. parallel_for splits [0, n) into one
// contiguous chunk per thread; the caller's thread works too, so a pool of N runs N chunks.
// Workers spin briefly before sleeping: decode issues thousands of small parallel_for calls per
// second, and waking a sleeping thread costs more than the work of one matrix-vector slice.
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
  // Safe to call from several threads at once (calls are serialised); not re-entrant.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain = 1);

  // The process-wide pool: HF_NUM_THREADS, else the number of cores. set_default_threads() before
  // first use changes it (the CLI's --threads).
  static ThreadPool& global();
  static void set_default_threads(int threads);

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0, job_grain_ = 1;
  int job_chunks_ = 0;
};

}  // namespace hf
