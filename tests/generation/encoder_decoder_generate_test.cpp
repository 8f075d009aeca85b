// generate() on BART (tests/fixtures/tiny-bart-cnn, its generation_config.json: forced BOS/EOS,
// min_length, no_repeat_ngram_size, length_penalty 2, early stopping) and T5 v1.0
// (tests/fixtures/tiny-t5) against expected.json: greedy and beam sequences token for token, beam
// scores and finished hypotheses within 1e-4, and padded batches equal to each input alone.
#include <gtest/gtest.h>

#include "hf/seq2seq.h"
#include "models/seq2seq_fixtures.h"

namespace fs = std::filesystem;
using namespace hf;

namespace {

const fs::path kBart = fs::path(HF_FIXTURES) / "tiny-bart-cnn";
const fs::path kT5 = fs::path(HF_FIXTURES) / "tiny-t5";

const json& expected(const fs::path& dir) { return hf::test::fixture_expected(dir); }

const AutoModelForSeq2SeqLM& model(const fs::path& dir) {
  static std::map<fs::path, AutoModelForSeq2SeqLM> cache;
  auto it = cache.find(dir);
  if (it == cache.end()) it = cache.emplace(dir, AutoModelForSeq2SeqLM::from_pretrained(dir.string())).first;
  return it->second;
}

// The fixture's recorded settings (T5 cases carry them; BART's come from generation_config.json).
GenerationConfig settings(const json& s) {
  GenerationConfig g;
  g.num_beams = s["num_beams"].get<int>();
  g.max_new_tokens = s["max_new_tokens"].get<int>();
  g.min_length = s["min_length"].get<int>();
  g.length_penalty = s["length_penalty"].get<float>();
  g.early_stopping = s["early_stopping"].get<bool>();
  g.no_repeat_ngram_size = s["no_repeat_ngram_size"].get<int>();
  return g;
}

BatchEncoding case_input(const json& c) { return {.input_ids = {c["input_ids"].get<std::vector<int32_t>>()}}; }

// Beam hypotheses are [sequence, score] pairs (BART) or {sequence, score} objects (T5).
void expect_hypotheses(const std::vector<Seq2SeqGenerateOutput::Hypothesis>& got, const json& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const json& h = want[i];
    const json& seq = h.is_object() ? h["sequence"] : h[0];
    const double score = (h.is_object() ? h["score"] : h[1]).get<double>();
    EXPECT_EQ(got[i].sequence, seq.get<std::vector<int32_t>>()) << "hypothesis " << i;
    EXPECT_NEAR(got[i].score, score, 1e-4) << "hypothesis " << i;
  }
}

BatchEncoding batch_of(const json& b) {
  BatchEncoding in;
  in.input_ids = b["input_ids"].get<std::vector<std::vector<int32_t>>>();
  in.attention_mask = b["attention_mask"].get<std::vector<std::vector<int32_t>>>();
  return in;
}

}  // namespace

TEST(BartGenerate, GreedyAndBeamOfEveryCase) {
  for (const auto& c : expected(kBart)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto greedy = model(kBart).generate(case_input(c), {.num_beams = 1});
    EXPECT_EQ(greedy.sequences.at(0), c["greedy"]["sequence"].get<std::vector<int32_t>>());
    const auto beam = model(kBart).generate(case_input(c));  // generation_config.json: 4 beams
    EXPECT_EQ(beam.sequences.at(0), c["beam"]["sequence"].get<std::vector<int32_t>>());
    EXPECT_NEAR(beam.sequences_scores.at(0), c["beam"]["sequence_score"].get<double>(), 1e-4);
    expect_hypotheses(beam.hypotheses.at(0), c["beam"]["hypotheses"]);
  }
}

TEST(BartGenerate, PaddedBatchRowsEqualEachInputAlone) {
  const json& b = expected(kBart)["batch"];
  const auto greedy = model(kBart).generate(batch_of(b), {.num_beams = 1});
  const auto beam = model(kBart).generate(batch_of(b));
  for (size_t r = 0; r < b["rows"].size(); ++r) {
    const json& row = b["rows"][r];
    SCOPED_TRACE(row["name"].get<std::string>());
    EXPECT_EQ(greedy.sequences.at(r), row["greedy_sequence"].get<std::vector<int32_t>>());
    EXPECT_EQ(beam.sequences.at(r), row["beam_sequence"].get<std::vector<int32_t>>());
    EXPECT_NEAR(beam.sequences_scores.at(r), row["beam_sequence_score"].get<double>(), 1e-4);
  }
}

TEST(T5Generate, GreedyAndBeamOfEveryCase) {
  for (const auto& c : expected(kT5)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto greedy = model(kT5).generate(case_input(c), settings(c["greedy"]["settings"]));
    EXPECT_EQ(greedy.sequences.at(0), c["greedy"]["sequence"].get<std::vector<int32_t>>());
    const auto beam = model(kT5).generate(case_input(c), settings(c["beam"]["settings"]));
    EXPECT_EQ(beam.sequences.at(0), c["beam"]["sequence"].get<std::vector<int32_t>>());
    EXPECT_NEAR(beam.sequences_scores.at(0), c["beam"]["sequence_score"].get<double>(), 1e-4);
    expect_hypotheses(beam.hypotheses.at(0), c["beam"]["hypotheses"]);
  }
}

TEST(T5Generate, PaddedBatchRowsEqualEachInputAlone) {
  const json& b = expected(kT5)["batch"];
  for (const char* kind : {"greedy", "beam"}) {
    SCOPED_TRACE(kind);
    const auto out = model(kT5).generate(batch_of(b), settings(b[kind]["settings"]));
    const auto want = b[kind]["sequences"].get<std::vector<std::vector<int32_t>>>();
    ASSERT_EQ(out.sequences.size(), want.size());
    for (size_t r = 0; r < want.size(); ++r) EXPECT_EQ(out.sequences[r], want[r]) << "row " << r;
  }
}
