// Seq2seq generation (greedy and beam search) against tests/fixtures/tiny-marian-zh-en/expected.json:
// every case token for token, beam scores and hypotheses, the padded batch, and the generate()
// variants (num_beams, length_penalty, early_stopping, max_new_tokens, renormalize_logits);
// plus beam search on a hand-made model whose result is worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "generation/beam_search.h"
#include "generation/sampling.h"
#include "hf/error.h"
#include "hf/seq2seq.h"
#include "hf/streamers.h"
#include "models/marian_expected.h"
#include "tokenizers/marian/marian_tokenizer.h"

using namespace hf;
using hf::test::kTinyMarian;
using hf::test::marian_expected;

namespace {

const AutoModelForSeq2SeqLM& model() {
  static const AutoModelForSeq2SeqLM m = AutoModelForSeq2SeqLM::from_pretrained(kTinyMarian.string());
  return m;
}

std::string decode(const std::vector<int32_t>& ids) {
  static const auto tok = make_marian_tokenizer(kTinyMarian);
  return tok->decode(ids, true, false);
}

BatchEncoding case_encoding(const json& c) { return {{c["input_ids"].get<std::vector<int32_t>>()}, {}}; }

const json& find_case(const std::string& name) {
  for (const auto& c : marian_expected()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

}  // namespace

TEST(Seq2SeqGenerate, GenerationConfigFromTheModelFolder) {
  const GenerationConfig& g = model().generation_config();
  EXPECT_EQ(g.num_beams, 6);
  EXPECT_EQ(g.max_length, 40);
  EXPECT_EQ(g.decoder_start_token_id, 3289);
  EXPECT_EQ(g.forced_eos_token_id, 0);
  EXPECT_EQ(g.renormalize_logits, true);
}

TEST(Seq2SeqGenerate, GreedyEveryCase) {
  for (const auto& c : marian_expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto out = model().generate(case_encoding(c), {.num_beams = 1});
    ASSERT_EQ(out.sequences.size(), 1u);
    EXPECT_EQ(out.sequences[0], c["greedy"]["sequence"].get<std::vector<int32_t>>());
    EXPECT_EQ(decode(out.sequences[0]), c["greedy"]["text"].get<std::string>());
  }
}

TEST(Seq2SeqGenerate, BeamEveryCase) {
  for (const auto& c : marian_expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto& e = c["beam"];
    auto out = model().generate(case_encoding(c));  // the model's num_beams = 6
    ASSERT_EQ(out.sequences.size(), 1u);
    EXPECT_EQ(out.sequences[0], e["sequence"].get<std::vector<int32_t>>());
    EXPECT_EQ(decode(out.sequences[0]), e["text"].get<std::string>());
    EXPECT_NEAR(out.sequences_scores[0], e["sequence_score"].get<double>(), 1e-4);
    ASSERT_EQ(out.hypotheses[0].size(), e["hypotheses"].size());
    for (size_t i = 0; i < out.hypotheses[0].size(); ++i) {
      EXPECT_EQ(out.hypotheses[0][i].sequence, e["hypotheses"][i]["sequence"].get<std::vector<int32_t>>()) << i;
      EXPECT_NEAR(out.hypotheses[0][i].score, e["hypotheses"][i]["score"].get<double>(), 1e-4) << i;
    }
  }
}

TEST(Seq2SeqGenerate, GreedyProcessedScoresOfEveryStep) {
  // Replays each greedy sequence through the decoder and the model's logits processors
  // (bad_words → forced_eos → log_softmax): the top-5 processed scores of every step.
  const GenerationConfig cfg = model().generation_config().with_defaults();
  const auto processors = generation::build_logits_processors(cfg, 1, *cfg.max_length);
  for (const auto& c : marian_expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = c["input_ids"].get<std::vector<int32_t>>();
    const auto seq = c["greedy"]["sequence"].get<std::vector<int32_t>>();
    auto state = model().model().encode(1, static_cast<int>(ids.size()), ids, {}, 1, 40);
    const auto& steps = c["greedy"]["steps_top5"];
    ASSERT_EQ(steps.size(), seq.size() - 1);
    for (size_t t = 0; t + 1 < seq.size(); ++t) {
      std::vector<int32_t> prefix(seq.begin(), seq.begin() + t + 1);
      std::vector<float> scores = model().model().decode(std::vector<int32_t>{seq[t]}, *state).to_f32();
      generation::apply_processors(processors, prefix, scores);
      for (size_t i = 0; i < steps[t]["ids"].size(); ++i) {
        const double expected = steps[t]["scores"][i].get<double>();
        const float got = scores[steps[t]["ids"][i].get<int>()];
        if (expected <= -1e300) EXPECT_TRUE(std::isinf(got) && got < 0) << "step " << t;
        else EXPECT_NEAR(got, expected, 1e-3) << "step " << t << " rank " << i;
      }
      EXPECT_EQ(generation::argmax(scores), seq[t + 1]) << "step " << t;
    }
  }
}

TEST(Seq2SeqGenerate, NumReturnSequencesGivesTheHypothesesBestFirst) {
  const auto& c = find_case("weather");
  auto out = model().generate(case_encoding(c), {.num_return_sequences = 6});
  ASSERT_EQ(out.sequences.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    auto expected = c["beam"]["hypotheses"][i]["sequence"].get<std::vector<int32_t>>();
    expected.resize(out.sequences[i].size(), 3289);  // rows are padded to the longest
    EXPECT_EQ(out.sequences[i], expected) << i;
    EXPECT_NEAR(out.sequences_scores[i], c["beam"]["hypotheses"][i]["score"].get<double>(), 1e-4);
  }
}

TEST(Seq2SeqGenerate, PaddedBatchGreedyAndBeam) {
  const auto& b = marian_expected()["batch"];
  BatchEncoding in{b["input_ids"].get<std::vector<std::vector<int32_t>>>(),
                   b["attention_mask"].get<std::vector<std::vector<int32_t>>>()};
  auto greedy = model().generate(in, {.num_beams = 1});
  EXPECT_EQ(greedy.sequences, b["greedy"]["sequences"].get<std::vector<std::vector<int32_t>>>());
  auto beam = model().generate(in);
  EXPECT_EQ(beam.sequences, b["beam"]["sequences"].get<std::vector<std::vector<int32_t>>>());
  for (size_t i = 0; i < beam.sequences_scores.size(); ++i)
    EXPECT_NEAR(beam.sequences_scores[i], b["beam"]["sequence_scores"][i].get<double>(), 1e-4);
  for (size_t i = 0; i < beam.sequences.size(); ++i)
    EXPECT_EQ(decode(beam.sequences[i]), b["beam"]["texts"][i].get<std::string>());
}

TEST(Seq2SeqGenerate, UnpaddedRowsOfDifferentLengthsArePaddedForTheEncoder) {
  const auto& b = marian_expected()["batch"];
  BatchEncoding in;
  for (const auto& row : b["input_ids"]) {
    auto ids = row.get<std::vector<int32_t>>();
    while (!ids.empty() && ids.back() == 3289) ids.pop_back();
    in.input_ids.push_back(ids);
  }
  EXPECT_EQ(model().generate(in, {.num_beams = 1}).sequences, b["greedy"]["sequences"].get<std::vector<std::vector<int32_t>>>());
}

TEST(Seq2SeqGenerate, Variants) {
  for (const auto& v : marian_expected()["generate_variants"]) {
    const auto& kw = v["kwargs"];
    SCOPED_TRACE(v["case"].get<std::string>() + " " + kw.dump());
    GenerationConfig cfg;
    std::optional<BeamEarlyStopping> es;
    if (kw.contains("num_beams")) cfg.num_beams = kw["num_beams"].get<int>();
    if (kw.contains("length_penalty")) cfg.length_penalty = kw["length_penalty"].get<float>();
    if (kw.contains("max_new_tokens")) cfg.max_new_tokens = kw["max_new_tokens"].get<int>();
    if (kw.contains("renormalize_logits")) cfg.renormalize_logits = kw["renormalize_logits"].get<bool>();
    if (kw.contains("early_stopping"))
      es = kw["early_stopping"].is_string() ? BeamEarlyStopping::Never
           : kw["early_stopping"].get<bool>() ? BeamEarlyStopping::True : BeamEarlyStopping::False;
    auto out = generate(model().model(), case_encoding(find_case(v["case"])), cfg, model().generation_config(), es);
    EXPECT_EQ(out.sequences[0], v["sequence"].get<std::vector<int32_t>>());
    EXPECT_EQ(decode(out.sequences[0]), v["text"].get<std::string>());
    if (v.contains("sequence_score")) { EXPECT_NEAR(out.sequences_scores[0], v["sequence_score"].get<double>(), 1e-4); }
  }
}

namespace {
struct Recorder : BaseStreamer {
  std::vector<std::vector<int32_t>> puts;
  bool ended = false;
  void put(std::span<const int32_t> ids, int) override { puts.emplace_back(ids.begin(), ids.end()); }
  void end() override { ended = true; }
};
}  // namespace

TEST(Seq2SeqGenerate, StreamerGetsTheStartTokenThenEachStep) {
  const auto& c = find_case("weather");
  Recorder rec;
  GenerationConfig cfg{.num_beams = 1};
  cfg.streamer = &rec;
  auto out = model().generate(case_encoding(c), cfg);
  std::vector<int32_t> streamed;
  for (const auto& p : rec.puts) streamed.insert(streamed.end(), p.begin(), p.end());
  EXPECT_EQ(streamed, out.sequences[0]);
  EXPECT_TRUE(rec.ended);
  cfg.num_beams = 2;
  EXPECT_THROW(model().generate(case_encoding(c), cfg), InputError);
}

TEST(Seq2SeqGenerate, BadInput) {
  EXPECT_THROW(model().generate(BatchEncoding{}), InputError);
  EXPECT_THROW(model().generate(BatchEncoding{{{}}, {}}), InputError);
  EXPECT_THROW(model().generate(BatchEncoding{{{5, 0}}, {{1}}}), InputError);
  EXPECT_THROW(model().generate(BatchEncoding{{{5, 0}}, {}}, {.num_beams = 2, .num_return_sequences = 3}), InputError);
}

// A model with fixed next-token log-probabilities, V = 3 (token 2 = eos), depending only on the
// last token: after the prompt token 0: p(1) = 0.6, p(2) = 0.4; after 1: p(1) = 0.1, p(2) = 0.9.
class TableModel : public generation::BeamSearchModel {
 public:
  Tensor next_logits(const std::vector<std::vector<int32_t>>& seqs) override {
    Tensor t = Tensor::zeros(DType::F32, {static_cast<int64_t>(seqs.size()), 3});
    for (size_t r = 0; r < seqs.size(); ++r) {
      float* row = t.mutable_data_as<float>() + r * 3;
      const bool after_one = seqs[r].back() == 1;
      row[0] = -INFINITY;
      row[1] = std::log(after_one ? 0.1f : 0.6f);
      row[2] = std::log(after_one ? 0.9f : 0.4f);
    }
    ++calls;
    return t;
  }
  void reorder(std::span<const int32_t> rows) override { reorders.emplace_back(rows.begin(), rows.end()); }
  int calls = 0;
  std::vector<std::vector<int32_t>> reorders;
};

namespace {
// TableModel's search with two beams, eos 2, max_length 10, the given length_penalty / early_stopping.
generation::BeamSearchOutput table_search(float length_penalty, generation::EarlyStopping early, TableModel& m) {
  generation::StoppingCriteriaList criteria;
  criteria.push_back(std::make_unique<generation::EosTokenCriteria>(std::vector<int32_t>{2}));
  criteria.push_back(std::make_unique<generation::MaxLengthCriteria>(10));
  generation::BeamSearchOptions o;
  o.num_beams = 2;
  o.max_length = 10;
  o.num_return_sequences = 2;
  o.eos_token_id = {2};
  o.length_penalty = length_penalty;
  o.early_stopping = early;
  return generation::beam_search(m, {{0}}, {}, criteria, o);
}
// Sum of log-probs of [0, 1 × ones, 2]: log .6, then log .1 per further 1, then log .9.
double ends_after_ones(int ones) { return std::log(0.6) + (ones - 1) * std::log(0.1) + std::log(0.9); }
}  // namespace

TEST(BeamSearch, HandComputedTwoBeams) {
  // Step 1 (only beam 0 expands): candidates 1 (log .6), 2 (log .4). Rank 1 ends with eos:
  // hypothesis [0, 2] score log(.4)/1 = -0.916. Running: [0, 1] (log .6), padding beam -1e9.
  // Step 2: [0,1,2] log(.6)+log(.9) = -0.616 ranks first and ends: score -0.616/2 = -0.308;
  // [0,1,1] = log(.6)+log(.1) = -2.81 runs on. Both slots are full; the best running beam
  // (-2.81 / 2 = -1.40) cannot beat the worst kept (-0.916): done after 2 steps.
  TableModel m;
  auto out = table_search(1.0f, generation::EarlyStopping::False, m);
  EXPECT_EQ(m.calls, 2);
  EXPECT_EQ(out.steps, 2);
  ASSERT_EQ(out.sequences.size(), 2u);
  EXPECT_EQ(out.sequences[0], (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(out.sequences[1], (std::vector<int32_t>{0, 2, 0}));  // padded with pad_token_id
  EXPECT_NEAR(out.sequences_scores[0], (std::log(0.6) + std::log(0.9)) / 2, 1e-6);
  EXPECT_NEAR(out.sequences_scores[1], std::log(0.4), 1e-6);
  EXPECT_EQ(m.reorders[0], (std::vector<int32_t>{0, 0}));  // both running beams continue beam 0
}

TEST(BeamSearch, RejectsMoreReturnSequencesThanBeams) {
  TableModel m;
  generation::BeamSearchOptions o;
  o.num_beams = 2;
  o.num_return_sequences = 3;
  EXPECT_THROW(generation::beam_search(m, {{0}}, {}, {}, o), InputError);
}


TEST(BeamSearch, LengthPenaltyDividesByGeneratedLengthToThePower) {
  // length_penalty 2: [0,1,2] scores -0.616 / 2² = -0.154 at step 2, when the slots are full
  // (worst kept: [0,2] = log .4 = -0.916). early_stopping false: the best running beam [0,1,1]
  // (-2.81) could still reach -2.81 / 2² = -0.70 > -0.916, so step 3 runs: [0,1,1,2] = -2.92 / 3²
  // = -0.324 replaces [0,2]; then -5.12 / 3² = -0.57 < -0.324: done.
  TableModel m;
  auto out = table_search(2.0f, generation::EarlyStopping::False, m);
  EXPECT_EQ(out.steps, 3);
  EXPECT_EQ(out.sequences[0], (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(out.sequences[1], (std::vector<int32_t>{0, 1, 1, 2}));
  EXPECT_NEAR(out.sequences_scores[0], ends_after_ones(1) / 4, 1e-6);
  EXPECT_NEAR(out.sequences_scores[1], ends_after_ones(2) / 9, 1e-6);
}

TEST(BeamSearch, EarlyStoppingTrueStopsWhenTheSlotsAreFull) {
  // Same search, early_stopping true: both slots are full after step 2, so it stops there and
  // keeps [0,2] (-0.916) that false replaced.
  TableModel m;
  auto out = table_search(2.0f, generation::EarlyStopping::True, m);
  EXPECT_EQ(out.steps, 2);
  EXPECT_EQ(out.sequences[1], (std::vector<int32_t>{0, 2, 0}));
  EXPECT_NEAR(out.sequences_scores[1], std::log(0.4), 1e-6);
}

TEST(BeamSearch, EarlyStoppingNeverBoundsWithMaxLength) {
  // "never" with length_penalty > 0 bounds the running beam by max_length: -x / 9² stays above
  // every kept score, so the search runs to max_length (9 new tokens), and longer hypotheses keep
  // winning: (log .6 + 7 log .1 + log .9) / 9² = -0.2066 is the second best in the end.
  TableModel m;
  auto out = table_search(2.0f, generation::EarlyStopping::Never, m);
  EXPECT_EQ(out.steps, 9);
  EXPECT_NEAR(out.sequences_scores[0], ends_after_ones(1) / 4, 1e-6);
  EXPECT_EQ(out.sequences[1], (std::vector<int32_t>{0, 1, 1, 1, 1, 1, 1, 1, 1, 2}));
  EXPECT_NEAR(out.sequences_scores[1], ends_after_ones(8) / 81, 1e-6);
}
