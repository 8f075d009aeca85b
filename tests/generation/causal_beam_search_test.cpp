// Beam search for decoder-only models (generation/causal_beam_search.h and generate() with
// num_beams > 1). Expectations are derived independently: on tiny-qwen2 each beam's score is
// recomputed from one uncached forward of the whole sequence; on a small random model built
// here the search is exhaustive and must match brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "fixture_util.h"
#include "generation/causal_beam_search.h"
#include "generation/logits_processors.h"
#include "generation/stopping_criteria.h"
#include "hf/error.h"
#include "hf/generation.h"
#include "hf/streamers.h"

using namespace hf;
using namespace hf::generation;

namespace {

// --- a random model whose logits are a pure function of the attended ids ---------------------

uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct RandomTable {
  int vocab = 8;
  uint64_t seed = 1;
  float spread = 4.0f;
  std::vector<float> logits(const std::vector<int32_t>& attended) const {
    uint64_t h = mix(seed);
    for (int32_t id : attended) h = mix(h ^ static_cast<uint64_t>(id + 1));
    std::vector<float> out(vocab);
    for (int v = 0; v < vocab; ++v) out[v] = spread * (static_cast<float>(mix(h + v) >> 40) / float(1 << 24) * 2 - 1);
    return out;
  }
};

class TableCache : public KVCache {
 public:
  TableCache(int batch, int64_t capacity) : capacity_(capacity), ids_(batch), mask_(batch) {}
  int batch() const override { return static_cast<int>(ids_.size()); }
  int64_t capacity() const override { return capacity_; }
  int64_t length() const override { return ids_.empty() ? 0 : static_cast<int64_t>(ids_[0].size()); }
  void reorder(std::span<const int32_t> rows) override {
    std::vector<std::vector<int32_t>> ids;
    std::vector<std::vector<uint8_t>> mask;
    for (int32_t r : rows) {
      ids.push_back(ids_.at(r));
      mask.push_back(mask_.at(r));
    }
    ids_ = std::move(ids);
    mask_ = std::move(mask);
  }
  void truncate(int64_t) override {}
  int64_t capacity_;
  std::vector<std::vector<int32_t>> ids_;
  std::vector<std::vector<uint8_t>> mask_;
};

class TableLM : public CausalLM {
 public:
  explicit TableLM(RandomTable t) : table_(t) {
    cfg_.vocab_size = t.vocab;
    cfg_.max_position_embeddings = 64;
  }
  const ModelConfig& config() const override { return cfg_; }
  std::unique_ptr<KVCache> new_cache(int batch, int64_t capacity) const override {
    return std::make_unique<TableCache>(batch, capacity);
  }
  Tensor forward(const ForwardInput& in, KVCache& kv) const override {
    auto& c = static_cast<TableCache&>(kv);
    const int64_t past = c.length(), total = past + in.seq;
    if (total > c.capacity_) throw InputError("table: cache full");
    Tensor out = Tensor::zeros(DType::F32, {in.batch, table_.vocab});
    for (int b = 0; b < in.batch; ++b) {
      std::vector<int32_t> attended;
      for (int s = 0; s < in.seq; ++s) {
        c.ids_[b].push_back(in.input_ids[b * in.seq + s]);
        c.mask_[b].push_back(in.attention_mask.empty() ? 1 : in.attention_mask[b * total + past + s]);
      }
      for (int64_t j = 0; j < total; ++j)
        if (c.mask_[b][j]) attended.push_back(c.ids_[b][j]);
      auto l = table_.logits(attended);
      std::copy(l.begin(), l.end(), out.mutable_data_as<float>() + b * table_.vocab);
    }
    return out;
  }
  int64_t weight_bytes() const override { return 0; }
  int64_t num_parameters() const override { return 0; }

 private:
  RandomTable table_;
  ModelConfig cfg_;
};

std::vector<float> log_softmax(std::vector<float> x) {
  const float m = *std::max_element(x.begin(), x.end());
  double sum = 0;
  for (float v : x) sum += std::exp(static_cast<double>(v - m));
  const float lse = m + static_cast<float>(std::log(sum));
  for (float& v : x) v -= lse;
  return x;
}

// Brute force: every continuation of `steps` tokens, scored sum of log-probs / steps^penalty.
std::vector<std::pair<float, std::vector<int32_t>>> all_continuations(const RandomTable& t, const std::vector<int32_t>& prompt,
                                                                       int steps, float penalty) {
  std::vector<std::pair<float, std::vector<int32_t>>> out;
  std::function<void(std::vector<int32_t>&, double)> walk = [&](std::vector<int32_t>& seq, double sum) {
    if (static_cast<int>(seq.size() - prompt.size()) == steps) {
      out.push_back({static_cast<float>(sum / std::pow(steps, penalty)), seq});
      return;
    }
    const auto lp = log_softmax(t.logits(seq));
    for (int v = 0; v < t.vocab; ++v) {
      seq.push_back(v);
      walk(seq, sum + lp[v]);
      seq.pop_back();
    }
  };
  std::vector<int32_t> seq = prompt;
  walk(seq, 0);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

BeamSearchOutput run_table(const TableLM& lm, const std::vector<std::vector<int32_t>>& prompts, BeamSearchOptions o) {
  std::vector<std::vector<uint8_t>> mask;
  for (const auto& p : prompts) mask.emplace_back(p.size(), 1);
  GenerationConfig c = GenerationConfig{.do_sample = false}.with_defaults();
  const auto processors = build_logits_processors(c, static_cast<int>(prompts[0].size()), o.max_length);
  GenerationConfig stop = c;
  stop.eos_token_id = o.eos_token_id;
  const auto criteria = build_stopping_criteria(stop, o.max_length);
  return causal_beam_search(lm, prompts, mask, processors, criteria, o);
}

}  // namespace

TEST(CausalBeamSearchExhaustive, WideEnoughBeamsFindTheBruteForceBest) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    RandomTable t{.vocab = 8, .seed = seed};
    TableLM lm(t);
    const std::vector<int32_t> prompt = {5, 2};
    BeamSearchOptions o;
    o.num_beams = 64;  // 8^2: every 2-token prefix stays alive, so the search is exact
    o.max_length = 5;  // 3 new tokens, no eos
    o.num_return_sequences = 64;
    o.length_penalty = 1.0f;
    auto r = run_table(lm, {prompt}, o);
    const auto brute = all_continuations(t, prompt, 3, 1.0f);
    ASSERT_EQ(r.sequences.size(), 64u);
    EXPECT_EQ(r.sequences[0], brute[0].second);
    for (int i = 0; i < 64; ++i) EXPECT_NEAR(r.sequences_scores[i], brute[i].first, 1e-4) << i;
  }
}

TEST(CausalBeamSearchExhaustive, NarrowBeamsScoreWhatTheyReturn) {
  RandomTable t{.vocab = 8, .seed = 11};
  TableLM lm(t);
  BeamSearchOptions o;
  o.num_beams = 3;
  o.max_length = 6;
  o.num_return_sequences = 3;
  o.length_penalty = 0.5f;
  auto r = run_table(lm, {{1, 2, 3}}, o);
  const auto brute = all_continuations(t, {1, 2, 3}, 3, 0.5f);
  for (int i = 0; i < 3; ++i) {
    const auto it = std::find_if(brute.begin(), brute.end(), [&](const auto& b) { return b.second == r.sequences[i]; });
    ASSERT_NE(it, brute.end());
    EXPECT_NEAR(r.sequences_scores[i], it->first, 1e-5);
    if (i) { EXPECT_GE(r.sequences_scores[i - 1], r.sequences_scores[i]); }
  }
  EXPECT_GE(brute[0].first + 1e-6, r.sequences_scores[0]);
}

TEST(CausalBeamSearchExhaustive, EarlyStoppingTrueStopsSoonerAndNeverScoresBetter) {
  // With a frequent eos (token 0) the hypothesis slots fill early: early_stopping=true stops
  // then, false goes on while a running beam may still beat the worst kept hypothesis.
  int differing = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    RandomTable t{.vocab = 6, .seed = seed, .spread = 2.0f};
    TableLM lm(t);
    BeamSearchOptions o;
    o.num_beams = 2;
    o.max_length = 10;
    o.eos_token_id = {0};
    o.early_stopping = EarlyStopping::True;
    auto early = run_table(lm, {{3}}, o);
    o.early_stopping = EarlyStopping::False;
    auto late = run_table(lm, {{3}}, o);
    EXPECT_LE(early.steps, late.steps) << seed;
    EXPECT_GE(late.sequences_scores[0] + 1e-6, early.sequences_scores[0]) << seed;
    differing += early.sequences != late.sequences;
  }
  EXPECT_GT(differing, 0);
}

TEST(CausalBeamSearchExhaustive, GeneratePassesEarlyStoppingAndLengthPenalty) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    RandomTable t{.vocab = 6, .seed = seed, .spread = 2.0f};
    TableLM lm(t);
    BeamSearchOptions o;
    o.num_beams = 2;
    o.max_length = 10;
    o.eos_token_id = {0};
    o.length_penalty = 0.7f;
    o.early_stopping = EarlyStopping::True;
    auto early = run_table(lm, {{3}}, o);
    o.early_stopping = EarlyStopping::False;
    auto late = run_table(lm, {{3}}, o);
    if (early.sequences == late.sequences) continue;
    auto model = AutoModelForCausalLM(std::make_shared<TableLM>(t), GenerationConfig{});
    GenerationConfig call{.max_new_tokens = 9, .early_stopping = true, .do_sample = false, .num_beams = 2,
                          .length_penalty = 0.7f, .pad_token_id = 0, .eos_token_id = std::vector<int32_t>{0}};
    EXPECT_EQ(model.generate(std::vector<std::vector<int32_t>>{{3}}, call).sequences, early.sequences);
    call.early_stopping = false;
    EXPECT_EQ(model.generate(std::vector<std::vector<int32_t>>{{3}}, call).sequences, late.sequences);
    return;
  }
  FAIL() << "no seed where early_stopping changes the result";
}

TEST(CausalBeamSearchExhaustive, LeftPaddedRowsMatchTheirAloneResult) {
  RandomTable t{.vocab = 8, .seed = 5};
  auto model = AutoModelForCausalLM(std::make_shared<TableLM>(t), GenerationConfig{});
  const GenerationConfig call{.max_new_tokens = 4, .do_sample = false, .num_beams = 3, .num_return_sequences = 2,
                              .pad_token_id = 7};
  auto both = model.generate(std::vector<std::vector<int32_t>>{{1, 2, 3, 4}, {6}}, call);
  ASSERT_EQ(both.sequences.size(), 4u);
  auto a = model.generate(std::vector<std::vector<int32_t>>{{1, 2, 3, 4}}, call);
  auto b = model.generate(std::vector<std::vector<int32_t>>{{6}}, call);
  EXPECT_EQ(both.new_tokens()[0], a.new_tokens()[0]);
  EXPECT_EQ(both.new_tokens()[1], a.new_tokens()[1]);
  EXPECT_EQ(both.new_tokens()[2], b.new_tokens()[0]);
  EXPECT_EQ(both.new_tokens()[3], b.new_tokens()[1]);
}

// --- tiny-qwen2 ---------------------------------------------------------------------------

namespace {

AutoModelForCausalLM qwen() { return AutoModelForCausalLM(fixture::model(), fixture::model_generation_config()); }

// The generated part of a returned row: up to and including the first eos.
std::vector<int32_t> generated(const std::vector<int32_t>& row, size_t prompt_len, const std::vector<int32_t>& eos) {
  std::vector<int32_t> g;
  for (size_t i = prompt_len; i < row.size(); ++i) {
    g.push_back(row[i]);
    if (std::find(eos.begin(), eos.end(), row[i]) != eos.end()) break;
  }
  return g;
}

// Sum of log_softmax(raw logits) → processors over the generated tokens, from one uncached
// forward of the whole sequence, divided by generated_len^penalty.
float rescore(const std::vector<int32_t>& prompt, const std::vector<int32_t>& gen, const LogitsProcessorList& processors,
              float penalty) {
  std::vector<int32_t> seq = prompt;
  seq.insert(seq.end(), gen.begin(), gen.end());
  const auto& m = *fixture::model();
  auto cache = m.new_cache(1, static_cast<int64_t>(seq.size()));
  ForwardInput in;
  in.seq = static_cast<int>(seq.size());
  in.input_ids = seq;
  in.all_positions = true;
  Tensor logits = m.forward(in, *cache);
  const int64_t V = logits.dim(-1);
  double sum = 0;
  for (size_t t = 0; t < gen.size(); ++t) {
    const size_t pos = prompt.size() + t - 1;  // the logits that predict seq[pos + 1]
    const float* row = logits.data_as<float>() + pos * V;
    auto lp = log_softmax(std::vector<float>(row, row + V));
    apply_processors(processors, std::span<const int32_t>(seq.data(), pos + 1), lp);
    sum += lp[gen[t]];
  }
  return static_cast<float>(sum / std::pow(static_cast<double>(gen.size()), penalty));
}

struct QwenRun {
  std::vector<int32_t> prompt;
  GenerationConfig resolved;
  int max_length;
  BeamSearchOutput out;
};

QwenRun run_qwen(const std::vector<int32_t>& prompt, GenerationConfig call) {
  QwenRun r{prompt, call.merged_over(fixture::model_generation_config()).with_defaults(), 0, {}};
  r.max_length = static_cast<int>(prompt.size()) + *r.resolved.max_new_tokens;
  const auto processors = build_logits_processors(r.resolved, static_cast<int>(prompt.size()), r.max_length);
  const auto criteria = build_stopping_criteria(r.resolved, r.max_length);
  BeamSearchOptions o;
  o.num_beams = *r.resolved.num_beams;
  o.length_penalty = *r.resolved.length_penalty;
  o.max_length = r.max_length;
  o.num_return_sequences = *r.resolved.num_return_sequences;
  o.eos_token_id = *r.resolved.eos_token_id;
  o.pad_token_id = *r.resolved.pad_token_id;
  r.out = causal_beam_search(*fixture::model(), {prompt}, {std::vector<uint8_t>(prompt.size(), 1)}, processors, criteria, o);
  return r;
}

}  // namespace

TEST(CausalBeamSearchQwen, ScoresAreTheRecomputedLogProbsAndSorted) {
  for (const char* name : {"plain_en", "chat_zh"}) {
    for (float rep : {1.0f, 1.1f}) {
      SCOPED_TRACE(std::string(name) + " repetition_penalty " + std::to_string(rep));
      const auto prompt = fixture::ids_of(fixture::find_case(name)["input_ids"]);
      const GenerationConfig call{.max_new_tokens = 10, .do_sample = false, .num_beams = 4, .num_return_sequences = 4,
                                  .repetition_penalty = rep, .length_penalty = 0.8f};
      auto r = run_qwen(prompt, call);
      const auto processors = build_logits_processors(r.resolved, static_cast<int>(prompt.size()), r.max_length);
      ASSERT_EQ(r.out.sequences.size(), 4u);
      for (size_t i = 0; i < 4; ++i) {
        const auto gen = generated(r.out.sequences[i], prompt.size(), *r.resolved.eos_token_id);
        EXPECT_NEAR(r.out.sequences_scores[i], rescore(prompt, gen, processors, 0.8f), 1e-4) << i;
        if (i) { EXPECT_GE(r.out.sequences_scores[i - 1], r.out.sequences_scores[i]); }
      }
      // generate() returns the same rows.
      auto g = qwen().generate(std::vector<std::vector<int32_t>>{prompt}, call);
      EXPECT_EQ(g.sequences, r.out.sequences);

      // The best beam scores at least as well as the greedy continuation, scored the same way.
      GenerationConfig greedy_call = call;
      greedy_call.num_beams = 1;
      greedy_call.num_return_sequences = 1;
      auto greedy = qwen().generate(std::vector<std::vector<int32_t>>{prompt}, greedy_call);
      const auto ggen = generated(greedy.sequences[0], prompt.size(), *r.resolved.eos_token_id);
      EXPECT_GE(r.out.sequences_scores[0] + 1e-4, rescore(prompt, ggen, processors, 0.8f));
    }
  }
}

TEST(CausalBeamSearchQwen, BatchOfTwoLengthsGivesEachPromptsBeams) {
  const auto a = fixture::ids_of(fixture::find_case("plain_en")["input_ids"]);
  const auto b = fixture::ids_of(fixture::find_case("plain_zh")["input_ids"]);
  const GenerationConfig call{.max_new_tokens = 6, .do_sample = false, .num_beams = 3, .num_return_sequences = 2,
                              .repetition_penalty = 1.0f};
  auto both = qwen().generate(std::vector<std::vector<int32_t>>{a, b}, call);
  ASSERT_EQ(both.sequences.size(), 4u);  // batch × num_return_sequences
  auto alone_a = qwen().generate(std::vector<std::vector<int32_t>>{a}, call);
  auto alone_b = qwen().generate(std::vector<std::vector<int32_t>>{b}, call);
  const auto eos = *fixture::model_generation_config().eos_token_id;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(generated(both.sequences[i], both.prompt_length, eos),
              generated(alone_a.sequences[i], alone_a.prompt_length, eos));
    EXPECT_EQ(generated(both.sequences[2 + i], both.prompt_length, eos),
              generated(alone_b.sequences[i], alone_b.prompt_length, eos));
  }
}

TEST(CausalBeamSearchQwen, OneBeamIsStillGreedy) {
  const auto& c = fixture::find_case("plain_en");
  const auto& g = c["greedy"];
  auto out = qwen().generate({fixture::ids_of(c["input_ids"])}, {.max_new_tokens = g["max_new_tokens"].get<int>(),
                                                                 .do_sample = false, .num_beams = 1, .repetition_penalty = 1.0f});
  EXPECT_EQ(out.new_tokens()[0], fixture::ids_of(g["ids"]));
}

TEST(CausalBeamSearchQwen, BadCombinationsAreClearErrors) {
  const std::vector<std::vector<int32_t>> ids = {{1, 2, 3}};
  struct CountingStreamer : BaseStreamer {
    int puts = 0;
    void put(std::span<const int32_t>, int) override { ++puts; }
    void end() override {}
  } streamer;
  try {
    qwen().generate(ids, {.max_new_tokens = 2, .do_sample = false, .num_beams = 2, .streamer = &streamer});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("`streamer` cannot be used with beam search (yet!)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(streamer.puts, 0);
  EXPECT_THROW(qwen().generate(ids, {.max_new_tokens = 2, .do_sample = true, .num_beams = 2}), InputError);
  EXPECT_THROW(qwen().generate(ids, {.max_new_tokens = 2, .do_sample = false, .num_beams = 2, .num_return_sequences = 3}),
               InputError);
}
