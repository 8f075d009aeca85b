// ThreadPool: HF_NUM_THREADS is checked (a bad value is a warning and every core, never atoi's 0
// or a negative pool; more than the cores is capped), and parallel_for covers [0, n) exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/thread_pool.h"
#include "hf/diagnostics.h"

namespace hf {
namespace {

class ThreadsFromEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_diagnostics();
    set_diagnostics_handler([this](DiagnosticLevel, std::string_view m) { warnings.emplace_back(m); });
  }
  void TearDown() override { reset_diagnostics(); }
  std::vector<std::string> warnings;
};

TEST_F(ThreadsFromEnv, UnsetOrEmptyIsEveryCoreSilently) {
  EXPECT_EQ(ThreadPool::threads_from_env(nullptr, 8), 8);
  EXPECT_EQ(ThreadPool::threads_from_env("", 8), 8);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(ThreadsFromEnv, AWholeNumberWithinTheCoresIsTaken) {
  EXPECT_EQ(ThreadPool::threads_from_env("1", 8), 1);
  EXPECT_EQ(ThreadPool::threads_from_env("8", 8), 8);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(ThreadsFromEnv, BadValuesWarnAndUseEveryCore) {
  for (const char* bad : {"abc", "0", "-1", "4x", " ", "99999999999999999999999", "2.5"}) {
    warnings.clear();
    EXPECT_EQ(ThreadPool::threads_from_env(bad, 8), 8) << bad;
    ASSERT_EQ(warnings.size(), 1u) << bad;
    EXPECT_NE(warnings[0].find("HF_NUM_THREADS='" + std::string(bad) + "' is not a number of threads"),
              std::string::npos) << warnings[0];
  }
}

TEST_F(ThreadsFromEnv, MoreThanTheCoresIsCappedWithAWarning) {
  EXPECT_EQ(ThreadPool::threads_from_env("100000", 8), 8);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HF_NUM_THREADS=100000 is more than the 8 cores"), std::string::npos) << warnings[0];
}

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1000);
  pool.parallel_for(1000, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
  }, 7);
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

}  // namespace
}  // namespace hf
