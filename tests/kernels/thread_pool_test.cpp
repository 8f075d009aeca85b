// The pool the kernels run on: every index covered exactly once, chunk boundaries on the grain,
// calls from several threads at once, and many tiny calls in a row (the decode pattern).
#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace hf {
namespace {

TEST(ThreadPool, CoversEveryIndexOnceOnGrainBoundaries) {
  ThreadPool pool(3);
  for (int64_t n : {1, 2, 7, 64, 1001}) {
    std::vector<std::atomic<int>> hits(n);
    pool.parallel_for(
        n,
        [&](int64_t b, int64_t e) {
          EXPECT_EQ(b % 4, 0);
          for (int64_t i = b; i < e; ++i) hits[i]++;
        },
        4);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n " << n << " index " << i;
  }
}

TEST(ThreadPool, ManySmallCallsAndConcurrentCallers) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  auto work = [&] {
    for (int call = 0; call < 2000; ++call)
      pool.parallel_for(16, [&](int64_t b, int64_t e) { total += e - b; });
  };
  std::thread other(work);
  work();
  other.join();
  EXPECT_EQ(total.load(), 2 * 2000 * 16);
}

}  // namespace
}  // namespace hf
