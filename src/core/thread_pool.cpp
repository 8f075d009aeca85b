#include "core/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hf {

namespace {
int g_default_threads = 0;

void run_chunk(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int64_t grain, int chunks, int i) {
  int64_t units = (n + grain - 1) / grain;
  int64_t begin = units * i / chunks * grain, end = std::min(n, units * (i + 1) / chunks * grain);
  if (begin < end) fn(begin, end);
}
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_++;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int chunks = static_cast<int>(std::min<int64_t>(size(), (n + grain - 1) / grain));
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(call_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    job_n_ = n;
    job_grain_ = grain;
    job_chunks_ = chunks;
    pending_ = chunks - 1;
    generation_++;
  }
  wake_.notify_all();
  run_chunk(fn, n, grain, chunks, 0);
  while (pending_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    // Spin a little: the next parallel_for usually follows within microseconds.
    for (int spin = 0; spin < 20000 && generation_.load(std::memory_order_acquire) == seen; ++spin) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (stop_) return;
    }
    if (index < job_chunks_) {
      run_chunk(*job_, job_n_, job_grain_, job_chunks_, index);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

ThreadPool& ThreadPool::global() {
  static ThreadPool* pool = [] {
    int n = g_default_threads;
    if (n <= 0) {
      if (const char* env = std::getenv("HF_NUM_THREADS")) n = std::atoi(env);
    }
    if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return new ThreadPool(n);  // never destroyed: workers may outlive static destructors
  }();
  return *pool;
}

void ThreadPool::set_default_threads(int threads) { g_default_threads = threads; }

}  // namespace hf
