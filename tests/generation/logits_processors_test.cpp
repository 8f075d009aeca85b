// Each logits processor against hand-computed expectations on small score vectors.
#include <gtest/gtest.h>

#include <cmath>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

using namespace hf::generation;
using hf::GenerationConfig;

namespace {
const float NEG = -std::numeric_limits<float>::infinity();
std::vector<float> run(const LogitsProcessor& p, std::vector<int32_t> ids, std::vector<float> scores) {
  p(ids, scores);
  return scores;
}
}  // namespace

TEST(RepetitionPenalty, DividesPositiveMultipliesNegativeOncePerId) {
  RepetitionPenaltyLogitsProcessor p(2.0f);
  auto s = run(p, {1, 2, 2, 2}, {1.0f, 4.0f, -3.0f, 5.0f});
  EXPECT_FLOAT_EQ(s[0], 1.0f);
  EXPECT_FLOAT_EQ(s[1], 2.0f);   // 4 / 2
  EXPECT_FLOAT_EQ(s[2], -6.0f);  // -3 * 2, once although id 2 occurs three times
  EXPECT_FLOAT_EQ(s[3], 5.0f);
}

TEST(RepetitionPenalty, BelowOneRewardsRepeats) {
  RepetitionPenaltyLogitsProcessor p(0.5f);
  auto s = run(p, {0}, {3.0f, 1.0f});
  EXPECT_FLOAT_EQ(s[0], 6.0f);
}

TEST(NoRepeatNGram, BansTokensCompletingASeenNGram) {
  NoRepeatNGramLogitsProcessor p(2);
  // bigrams seen: (1,2) (2,3) (3,1); last token 1 → token 2 would repeat (1,2)
  auto s = run(p, {1, 2, 3, 1}, {0, 0, 0, 0});
  EXPECT_EQ(s, (std::vector<float>{0, 0, NEG, 0}));
  NoRepeatNGramLogitsProcessor p3(3);
  // trigrams: (1,2,1) (2,1,2); prefix (1,2) was followed by 1 → ban 1
  auto s3 = run(p3, {1, 2, 1, 2}, {0, 0, 0});
  EXPECT_EQ(s3, (std::vector<float>{0, NEG, 0}));
  // too short for any n-gram
  EXPECT_EQ(run(p3, {1}, {0, 0}), (std::vector<float>{0, 0}));
}

TEST(NoBadWords, SingleTokenAlwaysMultiTokenOnPrefix) {
  NoBadWordsLogitsProcessor p({{3}, {1, 2}, {4}}, /*eos=*/{4});
  // [4] is the eos alone → dropped; [3] always banned; [1,2] bans 2 only after 1
  EXPECT_EQ(run(p, {0, 1}, {0, 0, 0, 0, 0}), (std::vector<float>{0, 0, NEG, NEG, 0}));
  EXPECT_EQ(run(p, {1, 0}, {0, 0, 0, 0, 0}), (std::vector<float>{0, 0, 0, NEG, 0}));
}

TEST(MinLength, BansEosUntilTotalLength) {
  MinLengthLogitsProcessor p(3, {2, 3});
  EXPECT_EQ(run(p, {0, 1}, {1, 1, 1, 1}), (std::vector<float>{1, 1, NEG, NEG}));
  EXPECT_EQ(run(p, {0, 1, 1}, {1, 1, 1, 1}), (std::vector<float>{1, 1, 1, 1}));
}

TEST(MinNewTokens, CountsOnlyNewTokens) {
  MinNewTokensLengthLogitsProcessor p(/*prompt*/ 2, /*min_new*/ 2, {0});
  EXPECT_EQ(run(p, {5, 5, 1}, {1, 1}), (std::vector<float>{NEG, 1}));
  EXPECT_EQ(run(p, {5, 5, 1, 1}, {1, 1}), (std::vector<float>{1, 1}));
}

TEST(ForcedTokens, BosAtFirstStepEosAtLast) {
  ForcedBOSTokenLogitsProcessor bos(1);
  EXPECT_EQ(run(bos, {0}, {5, 6, 7}), (std::vector<float>{NEG, 0, NEG}));
  EXPECT_EQ(run(bos, {0, 1}, {5, 6, 7}), (std::vector<float>{5, 6, 7}));
  ForcedEOSTokenLogitsProcessor eos(4, {2});
  EXPECT_EQ(run(eos, {0, 1, 1}, {5, 6, 7}), (std::vector<float>{NEG, NEG, 0}));
  EXPECT_EQ(run(eos, {0, 1}, {5, 6, 7}), (std::vector<float>{5, 6, 7}));
}

TEST(Temperature, Divides) {
  TemperatureLogitsWarper p(0.5f);
  EXPECT_EQ(run(p, {}, {1, -2, 3}), (std::vector<float>{2, -4, 6}));
}

TEST(TopK, KeepsKBestAndTiesAtThreshold) {
  TopKLogitsWarper p(2);
  EXPECT_EQ(run(p, {}, {1, 4, 3, 2}), (std::vector<float>{NEG, 4, 3, NEG}));
  EXPECT_EQ(run(p, {}, {1, 4, 3, 3}), (std::vector<float>{NEG, 4, 3, 3}));  // tie kept
  TopKLogitsWarper big(10);
  EXPECT_EQ(run(big, {}, {1, 2}), (std::vector<float>{1, 2}));
}

TEST(TopP, KeepsSmallestSetReachingMass) {
  // probabilities 0.5, 0.3, 0.15, 0.05 (logs)
  std::vector<float> s{std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
  // top_p 0.7: ascending cumsum 0.05 0.2 0.5 1.0; removed where <= 0.3 → 0.05 and 0.15 go
  auto a = run(TopPLogitsWarper(0.7f), {}, s);
  EXPECT_EQ(a[2], NEG);
  EXPECT_EQ(a[3], NEG);
  EXPECT_EQ(a[0], s[0]);
  EXPECT_EQ(a[1], s[1]);
  // top_p 0.81: removed where cum <= 0.19 → only 0.05 goes
  auto b = run(TopPLogitsWarper(0.81f), {}, s);
  EXPECT_EQ(b[3], NEG);
  EXPECT_NE(b[2], NEG);
  // tiny top_p keeps min_tokens_to_keep (the best)
  auto c = run(TopPLogitsWarper(0.01f, 2), {}, s);
  EXPECT_NE(c[0], NEG);
  EXPECT_NE(c[1], NEG);
  EXPECT_EQ(c[2], NEG);
}

TEST(TopP, LargeVocabularyNeedsSeveralChunks) {
  // 5000 equal scores: top_p 0.5 keeps exactly the tokens until the mass above reaches 0.5.
  std::vector<float> s(5000, 1.0f);
  auto out = run(TopPLogitsWarper(0.5f), {}, s);
  size_t kept = std::count_if(out.begin(), out.end(), [](float v) { return v != NEG; });
  EXPECT_NEAR(static_cast<double>(kept), 2500.0, 1.0);
  EXPECT_NE(out[0], NEG);  // equal scores: the lowest ids come first, as a stable sort keeps them
}

TEST(MinP, CutScalesWithBestProbability) {
  // probs 0.6 0.3 0.08 0.02; min_p 0.1 → cut 0.06: the 0.02 goes
  std::vector<float> s{std::log(0.6f), std::log(0.3f), std::log(0.08f), std::log(0.02f)};
  auto a = run(MinPLogitsWarper(0.1f), {}, s);
  EXPECT_EQ(a, (std::vector<float>{s[0], s[1], s[2], NEG}));
  auto b = run(MinPLogitsWarper(0.9f, 2), {}, s);  // cut 0.54 keeps one, min_keep 2 keeps two
  EXPECT_EQ(b, (std::vector<float>{s[0], s[1], NEG, NEG}));
}

TEST(TypicalP, KeepsTokensClosestToEntropy) {
  // probs 0.4 0.3 0.2 0.1: entropy H = 1.2799; |−ln p − H| = 0.364, 0.076, 0.330, 1.023
  // typical order: 1 (0.3), 2 (0.2), 0 (0.4), 3 (0.1); cumsum 0.3 0.5 0.9 1.0
  std::vector<float> s{std::log(0.4f), std::log(0.3f), std::log(0.2f), std::log(0.1f)};
  // mass 0.45: last_ind = count(cum < 0.45) = 1 → keep ranks 0..1 → tokens 1 and 2
  auto a = run(TypicalLogitsWarper(0.45f), {}, s);
  EXPECT_EQ(a, (std::vector<float>{NEG, s[1], s[2], NEG}));
  // mass 0.6: count(cum < 0.6) = 2 → ranks 0..2 → tokens 1, 2, 0
  auto b = run(TypicalLogitsWarper(0.6f), {}, s);
  EXPECT_EQ(b, (std::vector<float>{s[0], s[1], s[2], NEG}));
}

TEST(LogitNormalization, GivesLogProbabilities) {
  auto s = run(LogitNormalization(), {}, {0.0f, 0.0f, NEG});
  EXPECT_NEAR(s[0], std::log(0.5), 1e-6);
  EXPECT_EQ(s[2], NEG);
}

TEST(BuildLogitsProcessors, TransformersOrder) {
  GenerationConfig c;
  c.repetition_penalty = 1.1f;
  c.no_repeat_ngram_size = 3;
  c.bad_words_ids = std::vector<std::vector<int32_t>>{{5}};
  c.min_new_tokens = 2;
  c.eos_token_id = std::vector<int32_t>{2};
  c.do_sample = true;
  c.temperature = 0.7f;
  c.top_p = 0.8f;
  c.min_p = 0.05f;
  c.typical_p = 0.9f;
  auto list = build_logits_processors(c.with_defaults(), 4, 24);
  std::vector<std::string> names;
  for (const auto& p : list) names.push_back(p->name());
  EXPECT_EQ(names, (std::vector<std::string>{"RepetitionPenaltyLogitsProcessor", "NoRepeatNGramLogitsProcessor",
                                             "NoBadWordsLogitsProcessor", "MinNewTokensLengthLogitsProcessor",
                                             "TemperatureLogitsWarper", "TopKLogitsWarper", "TopPLogitsWarper",
                                             "MinPLogitsWarper", "TypicalLogitsWarper"}));
}

TEST(BuildLogitsProcessors, GreedyHasNoWarpers) {
  GenerationConfig c;
  c.do_sample = false;
  c.temperature = 0.7f;
  c.top_k = 20;
  c.repetition_penalty = 1.1f;
  auto list = build_logits_processors(c.with_defaults(), 4, 24);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_STREQ(list[0]->name(), "RepetitionPenaltyLogitsProcessor");
}
