// The BPE word cache: a thread's table holds what was put (across its growth and its reset when
// full), and a thread that saw a few words holds a few KiB, not the full table (a server runs a
// thread per connection).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tokenizers/models/word_cache.h"

namespace hf::tok {
namespace {

std::string word(int i) { return "w" + std::to_string(i); }

TEST(WordCache, HoldsEveryWordAcrossGrowth) {
  const WordCache cache;
  const int n = 20000;  // many doublings, below the reset
  for (int i = 0; i < n; ++i) {
    const int32_t ids[] = {i, -i, 7};
    cache.put(word(i), ids, 1 + i % 3);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<int32_t> out = {42};  // get appends
    ASSERT_TRUE(cache.get(word(i), out)) << word(i);
    const std::vector<int32_t> expected = std::vector<int32_t>{42, i, -i, 7};
    ASSERT_EQ(out, std::vector<int32_t>(expected.begin(), expected.begin() + 2 + i % 3)) << word(i);
  }
  std::vector<int32_t> out;
  EXPECT_FALSE(cache.get("never put", out));
  EXPECT_TRUE(out.empty());
}

TEST(WordCache, FullTableStartsOverAndStaysBounded) {
  const WordCache cache;
  const int n = 100000;  // past the table's limit more than once
  for (int i = 0; i < n; ++i) {
    const int32_t id = i;
    cache.put(word(i), &id, 1);
  }
  std::vector<int32_t> out;
  ASSERT_TRUE(cache.get(word(n - 1), out));
  EXPECT_EQ(out, std::vector<int32_t>{n - 1});
  out.clear();
  EXPECT_FALSE(cache.get(word(0), out));  // dropped at a reset
  EXPECT_LT(cache.thread_bytes(), size_t(4) << 20);
}

TEST(WordCache, AThreadThatSawFewWordsHoldsLittle) {
  const WordCache cache;
  size_t bytes = 0;
  std::thread([&] {
    for (int i = 0; i < 20; ++i) {
      const int32_t id = i;
      cache.put(word(i), &id, 1);
    }
    bytes = cache.thread_bytes();
  }).join();
  EXPECT_GT(bytes, 0u);
  EXPECT_LT(bytes, size_t(16) << 10);  // was 1.5 MiB per thread, allocated at the first word
}

}  // namespace
}  // namespace hf::tok
