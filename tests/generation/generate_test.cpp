// generate() on a fake model: lengths, batching with left padding, per-row stopping,
// num_return_sequences, seeding, cancellation, concurrency and bad input.
#include <gtest/gtest.h>

#include <thread>

#include "fake_lm.h"
#include "hf/error.h"
#include "hf/generation.h"
#include "hf/streamers.h"

using hf::GenerationConfig;
using testing_fake::FakeLM;

namespace {
// What FakeLM greedily produces after `prompt`, computed independently of generate().
std::vector<int32_t> expected_greedy(std::vector<int32_t> seq, int n, int vocab = 50) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    int64_t sum = 0;
    for (int32_t t : seq) sum += t;
    int32_t next = static_cast<int32_t>((sum + 7 * static_cast<int64_t>(seq.size())) % vocab);
    out.push_back(next);
    seq.push_back(next);
  }
  return out;
}
hf::BatchEncoding one(std::vector<int32_t> ids) {
  hf::BatchEncoding b;
  b.input_ids = {std::move(ids)};
  return b;
}
}  // namespace

TEST(Generate, GreedyMaxNewTokens) {
  FakeLM lm;
  auto out = hf::generate(lm, one({3, 4, 5}), {.max_new_tokens = 6});
  ASSERT_EQ(out.sequences.size(), 1u);
  EXPECT_EQ(out.prompt_length, 3);
  EXPECT_EQ(out.new_tokens()[0], expected_greedy({3, 4, 5}, 6));
  EXPECT_EQ(lm.forwards.load(), 6);  // one prefill + one per further token
}

TEST(Generate, UntouchedMaxLengthMeansTwentyNewTokens) {
  FakeLM lm;
  auto out = hf::generate(lm, one({1, 2, 3, 4, 5}), {});
  EXPECT_EQ(out.new_tokens()[0].size(), 20u);
  auto total = hf::generate(lm, one({1, 2, 3, 4, 5}), {.max_length = 8});
  EXPECT_EQ(total.sequences[0].size(), 8u);  // an explicit max_length counts the prompt
}

TEST(Generate, StopsOnEosAndKeepsIt) {
  FakeLM lm;
  auto expect = expected_greedy({3, 4, 5}, 10);
  const int32_t eos = expect[3];
  auto out = hf::generate(lm, one({3, 4, 5}), {.max_new_tokens = 10, .eos_token_id = std::vector<int32_t>{eos}});
  auto got = out.new_tokens()[0];
  ASSERT_LE(got.size(), 4u);
  EXPECT_EQ(got.back(), eos);
  EXPECT_EQ(got, std::vector<int32_t>(expect.begin(), expect.begin() + got.size()));
}

TEST(Generate, BatchRowsEqualSingleRunsAndStopIndependently) {
  FakeLM lm;
  const std::vector<int32_t> a{3, 4, 5, 6, 7}, b{9, 2};
  auto ea = expected_greedy(a, 8), eb = expected_greedy(b, 8);
  const int32_t eos = eb[2];  // row b stops after 3 tokens (if row a does not hit it first)
  hf::BatchEncoding in;
  in.input_ids = {a, b};
  auto out = hf::generate(lm, in, {.max_new_tokens = 8, .pad_token_id = 0, .eos_token_id = std::vector<int32_t>{eos}});
  EXPECT_EQ(out.prompt_length, 5);
  EXPECT_EQ(out.sequences[1][0], 0);  // left padding
  EXPECT_EQ(out.sequences[1][2], 0);
  auto na = out.new_tokens()[0], nb = out.new_tokens()[1];
  EXPECT_EQ(na.size(), nb.size());  // one tensor: finished rows are filled with pad
  size_t stop_b = std::find(eb.begin(), eb.end(), eos) - eb.begin();
  for (size_t i = 0; i < nb.size(); ++i) EXPECT_EQ(nb[i], i <= stop_b ? eb[i] : 0) << i;
  size_t stop_a = std::find(ea.begin(), ea.end(), eos) - ea.begin();
  for (size_t i = 0; i < na.size(); ++i) EXPECT_EQ(na[i], i <= stop_a ? ea[i] : 0) << i;
}

TEST(Generate, SamplingIsReproduciblePerSeed) {
  FakeLM lm;
  GenerationConfig c{.max_new_tokens = 30, .do_sample = true, .seed = 42, .top_k = 0};
  auto x = hf::generate(lm, one({1, 2}), c).sequences;
  auto y = hf::generate(lm, one({1, 2}), c).sequences;
  EXPECT_EQ(x, y);
  c.seed = 43;
  auto z = hf::generate(lm, one({1, 2}), c).sequences;
  EXPECT_NE(x, z);  // two candidates per step (p = 0.73 / 0.27) over 30 steps
}

TEST(Generate, NumReturnSequencesRepeatsEachRow) {
  FakeLM lm;
  hf::BatchEncoding in;
  in.input_ids = {{1, 2}, {3}};
  auto out = hf::generate(lm, in, {.max_new_tokens = 4, .do_sample = true, .num_return_sequences = 3, .seed = 1});
  ASSERT_EQ(out.sequences.size(), 6u);
  EXPECT_EQ(out.sequences[2][0], 1);
  EXPECT_EQ(out.sequences[3][0], 0);  // second input, padded (pad = 0 by default here)
  EXPECT_EQ(out.sequences[5][1], 3);
}

TEST(Generate, PromptLongerThanContextNamesBothLengths) {
  FakeLM lm(50, 8);
  try {
    hf::generate(lm, one(std::vector<int32_t>(12, 1)), {.max_new_tokens = 2});
    FAIL();
  } catch (const hf::InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("12 tokens"), std::string::npos) << m;
    EXPECT_NE(m.find("8 tokens"), std::string::npos) << m;
  }
}

TEST(Generate, BadInput) {
  FakeLM lm;
  EXPECT_THROW(hf::generate(lm, hf::BatchEncoding{}, {}), hf::InputError);
  EXPECT_THROW(hf::generate(lm, one({}), {}), hf::InputError);
  EXPECT_THROW(hf::generate(lm, one({1}), {.do_sample = true, .temperature = 0.0f}), hf::InputError);
  EXPECT_THROW(hf::generate(lm, one({1}), {.stop_strings = std::vector<std::string>{"x"}}), hf::InputError);
}

TEST(Generate, StopTokenCancelsFromAnotherThread) {
  FakeLM lm;
  lm.delay_ms = 2;
  std::stop_source stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stop.request_stop();
  });
  auto out = hf::generate(lm, one({1}), {.max_new_tokens = 5000, .stop_token = stop.get_token()});
  canceller.join();
  EXPECT_LT(out.new_tokens()[0].size(), 5000u);
  EXPECT_GE(out.new_tokens()[0].size(), 1u);
}

TEST(Generate, ConcurrentCallsOnOneModel) {
  auto lm = std::make_shared<FakeLM>();
  hf::AutoModelForCausalLM model(lm, GenerationConfig{});
  std::vector<std::thread> threads;
  std::vector<std::vector<int32_t>> results(8);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] { results[t] = model.generate({{t + 1, t + 2}}, {.max_new_tokens = 40}).new_tokens()[0]; });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(results[t], expected_greedy({t + 1, t + 2}, 40)) << t;
}

TEST(Generate, ModelGenerationConfigIsTheBase) {
  auto lm = std::make_shared<FakeLM>();
  hf::AutoModelForCausalLM model(lm, GenerationConfig{.max_new_tokens = 3});
  EXPECT_EQ(model.generate({{1, 2}}).new_tokens()[0].size(), 3u);
  EXPECT_EQ(model.generate({{1, 2}}, {.max_new_tokens = 5}).new_tokens()[0].size(), 5u);
}

namespace {
struct RecordingStreamer : hf::BaseStreamer {
  std::vector<std::pair<std::vector<int32_t>, int>> puts;
  int ends = 0;
  void put(std::span<const int32_t> ids, int batch) override { puts.emplace_back(std::vector<int32_t>(ids.begin(), ids.end()), batch); }
  void end() override { ++ends; }
};
}  // namespace

TEST(Generate, StreamerGetsPromptThenEachStepThenEnd) {
  FakeLM lm;
  RecordingStreamer s;
  auto out = hf::generate(lm, one({3, 4}), {.max_new_tokens = 3, .streamer = &s});
  ASSERT_EQ(s.puts.size(), 4u);
  EXPECT_EQ(s.puts[0].first, (std::vector<int32_t>{3, 4}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.puts[i + 1].first, std::vector<int32_t>{out.new_tokens()[0][i]});
  EXPECT_EQ(s.ends, 1);
  RecordingStreamer t;
  EXPECT_THROW(hf::generate(lm, one({}), {.streamer = &t}), hf::InputError);
  EXPECT_EQ(t.ends, 1);  // the stream ends even on error, so consumers never hang
}
