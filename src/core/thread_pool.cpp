#include "core/thread_pool.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/log.h"

namespace hf {

namespace {
int g_default_threads = 0;
// Chunks per thread: enough that a late thread's share can be taken over by the others, few
// enough that claiming stays negligible next to the work.
constexpr int kChunksPerThread = 4;

void run_chunk(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int64_t grain, int chunks, int i) {
  int64_t units = (n + grain - 1) / grain;
  int64_t begin = units * i / chunks * grain, end = std::min(n, units * (i + 1) / chunks * grain);
  if (begin < end) fn(begin, end);
}
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i) workers_.emplace_back([this] { worker_loop(); });
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

void ThreadPool::run_claims(const Job& job) {
  const uint64_t id = uint64_t(job.id) << 32;
  for (;;) {
    uint64_t t = ticket_.load(std::memory_order_acquire);
    // A newer job, or nothing left: a chunk is only run while its job's caller still waits.
    if ((t & ~uint64_t(0xffffffff)) != id || int(t & 0xffffffff) >= job.chunks) return;
    if (!ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) continue;
    run_chunk(*job.fn, job.n, job.grain, job.chunks, int(t & 0xffffffff));
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int chunks = static_cast<int>(std::min<int64_t>(int64_t(size()) * kChunksPerThread, (n + grain - 1) / grain));
  if (size() == 1 || chunks <= 1) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(call_mutex_);
  Job job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = Job{&fn, n, grain, chunks, job_.id + 1};
    job = job_;
    done_.store(0, std::memory_order_relaxed);
    ticket_.store(uint64_t(job.id) << 32, std::memory_order_release);
    generation_++;
  }
  wake_.notify_all();
  run_claims(job);
  while (done_.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    // Spin a little: the next parallel_for usually follows within microseconds.
    for (int spin = 0; spin < 20000 && generation_.load(std::memory_order_acquire) == seen; ++spin) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (stop_) return;
      job = job_;
    }
    if (job.fn) run_claims(job);
  }
}

ThreadPool& ThreadPool::global() {
  static ThreadPool* pool = [] {
    int n = g_default_threads;
    if (n <= 0)
      n = threads_from_env(std::getenv("HF_NUM_THREADS"),
                           static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    return new ThreadPool(n);  // never destroyed: workers may outlive static destructors
  }();
  return *pool;
}

void ThreadPool::set_default_threads(int threads) { g_default_threads = threads; }

int ThreadPool::threads_from_env(const char* value, int cores) {
  if (!value || !*value) return cores;
  char* end = nullptr;
  errno = 0;
  const long long asked = std::strtoll(value, &end, 10);
  if (*end != '\0' || errno == ERANGE || asked < 1) {
    warn("HF_NUM_THREADS='" + std::string(value) + "' is not a number of threads >= 1; using the " +
         std::to_string(cores) + " cores of this machine");
    return cores;
  }
  if (asked > cores) {
    warn("HF_NUM_THREADS=" + std::string(value) + " is more than the " + std::to_string(cores) +
         " cores of this machine; using " + std::to_string(cores));
    return cores;
  }
  return static_cast<int>(asked);
}

}  // namespace hf
