// DecoderLM::forward_sequences (a server's continuous batching: several sequences, each with its
// own cache, in one pass) against forward() of each sequence alone, on tiny-qwen2: one sequence
// in prefill while others decode or feed a few tokens, cache depths all different.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/error.h"

namespace hf {
namespace {

const std::string kQwen2Dir = HF_FIXTURES "/tiny-qwen2";

std::shared_ptr<const CausalLM> model() {
  static auto m = load_causal_lm(kQwen2Dir);
  return m;
}
std::vector<int32_t> case_ids(int i) {
  static const json e = read_json_file(kQwen2Dir + "/expected.json");
  return e["cases"][i]["input_ids"].get<std::vector<int32_t>>();
}

Tensor run(KVCache& cache, std::span<const int32_t> ids) {
  ForwardInput in;
  in.seq = static_cast<int>(ids.size());
  in.input_ids = ids;
  return model()->forward(in, cache);
}

// Largest |a - b| over one row of logits.
double row_diff(const Tensor& a, int64_t row_a, const Tensor& b, int64_t row_b) {
  const int64_t V = model()->config().vocab_size;
  double worst = 0;
  for (int64_t i = 0; i < V; ++i)
    worst = std::max(worst, double(std::abs(a.data_as<float>()[row_a * V + i] - b.data_as<float>()[row_b * V + i])));
  return worst;
}

// A sequence of the test: its history (already in its cache) and the tokens of this pass.
struct Seq {
  std::vector<int32_t> history, step;
};

TEST(ForwardSequences, MixedPrefillAndDecodeEqualEachSequenceAlone) {
  const std::vector<int32_t> zh = case_ids(1), mixed = case_ids(2), chat = case_ids(3), multi = case_ids(5);
  std::vector<int32_t> long_prompt = case_ids(6);  // 1540 tokens: longer than a prefill chunk
  long_prompt.resize(700);
  const std::vector<Seq> seqs = {
      {{}, chat},                                            // prefill
      {zh, {42}},                                            // decode one token
      {mixed, {7, 8, 9}},                                    // a few tokens after a history
      {multi, {1000}},                                       // decode at another depth
      {{}, long_prompt},                                     // prefill past one chunk
  };
  std::vector<std::unique_ptr<KVCache>> batched, alone;
  std::vector<SequenceInput> inputs;
  for (const Seq& s : seqs) {
    batched.push_back(model()->new_cache(1, 1024));
    alone.push_back(model()->new_cache(1, 1024));
    if (!s.history.empty()) {
      run(*batched.back(), s.history);
      run(*alone.back(), s.history);
    }
    inputs.push_back({s.step, batched.back().get()});
  }
  Tensor together = model()->forward_sequences(inputs);
  ASSERT_EQ(together.shape(), (std::vector<int64_t>{int64_t(seqs.size()), model()->config().vocab_size}));
  for (size_t i = 0; i < seqs.size(); ++i) {
    Tensor single = run(*alone[i], seqs[i].step);
    EXPECT_LT(row_diff(together, i, single, 0), 1e-4) << "sequence " << i;
    EXPECT_EQ(batched[i]->length(), alone[i]->length()) << "sequence " << i;
  }
  // A second pass, every sequence decoding one token: the first pass left the right keys/values.
  std::vector<int32_t> next = {11, 12, 13, 14, 15};
  for (size_t i = 0; i < seqs.size(); ++i) inputs[i].input_ids = std::span<const int32_t>(&next[i], 1);
  together = model()->forward_sequences(inputs);
  for (size_t i = 0; i < seqs.size(); ++i) {
    Tensor single = run(*alone[i], std::span<const int32_t>(&next[i], 1));
    EXPECT_LT(row_diff(together, i, single, 0), 1e-4) << "sequence " << i << ", second pass";
  }
}

// Phi-3's longrope re-encodes a sequence that outgrows the original context: in a multi-sequence
// pass it must do so for that sequence alone, and the greedy continuation stays the reference's.
TEST(ForwardSequences, LongropeSequenceCrossingTheOriginalContextReencodes) {
  static auto phi3 = load_causal_lm(HF_FIXTURES "/tiny-phi3");
  const json e = read_json_file(HF_FIXTURES "/tiny-phi3/expected.json");
  json crossing;
  for (const auto& c : e["cases"])
    if (c["name"] == "cross_original_max_58") crossing = c;
  ASSERT_TRUE(crossing.is_object());
  const auto prompt = crossing["input_ids"].get<std::vector<int32_t>>();
  const auto want = crossing["greedy"]["ids"].get<std::vector<int32_t>>();
  const std::vector<int32_t> other = {1, 15043, 29892};  // a second sequence decoding beside it
  auto a = phi3->new_cache(1, 128), b = phi3->new_cache(1, 128);
  std::vector<int32_t> a_in = prompt, b_in = other, got;
  const int64_t V = phi3->config().vocab_size;
  for (size_t step = 0; step < want.size(); ++step) {
    Tensor logits = phi3->forward_sequences(std::vector<SequenceInput>{{a_in, a.get()}, {b_in, b.get()}});
    const float* row = logits.data_as<float>();
    got.push_back(int32_t(std::max_element(row, row + V) - row));
    a_in = {got.back()};
    b_in = {int32_t(std::max_element(row + V, row + 2 * V) - (row + V))};
  }
  EXPECT_EQ(got, want);
}

TEST(ForwardSequences, BadInputsAreInputErrors) {
  auto a = model()->new_cache(1, 8), b = model()->new_cache(2, 8), small = model()->new_cache(1, 2);
  const std::vector<int32_t> ids = {1, 2, 3}, none, oov = {int32_t(model()->config().vocab_size)};
  auto fails = [&](std::vector<SequenceInput> in, const std::string& needle) {
    try {
      model()->forward_sequences(in);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  fails({}, "no sequences");
  fails({{ids, a.get()}, {ids, a.get()}}, "shares its cache with sequence 0");
  fails({{ids, b.get()}}, "single-row cache");
  fails({{ids, nullptr}}, "single-row cache");
  fails({{none, a.get()}}, "no new tokens");
  fails({{ids, small.get()}}, "KV cache full");
  fails({{oov, a.get()}}, "");
  EXPECT_EQ(a->length(), 0);  // nothing half-done
}

}  // namespace
}  // namespace hf
