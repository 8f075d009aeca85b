// generate() with a caller-owned DynamicCache (transformers' past_key_values=DynamicCache()):
// tokens the cache already holds are not prefilled again, and the output is exactly the output
// of a fresh full prefill.
#include <gtest/gtest.h>

#include "fixture_util.h"
#include "hf/error.h"
#include "hf/generation.h"

namespace {
hf::AutoModelForCausalLM fixture_model() { return hf::AutoModelForCausalLM(fixture::model(), fixture::model_generation_config()); }
const hf::GenerationConfig kGreedy{.max_new_tokens = 6, .do_sample = false};

hf::GenerationConfig with_cache(hf::DynamicCache& cache, hf::GenerationConfig c = kGreedy) {
  c.past_key_values = &cache;
  return c;
}
std::vector<int32_t> concat(std::vector<int32_t> a, const std::vector<int32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

TEST(DynamicCache, SecondTurnPrefillsOnlyItsNewTokensAndMatchesAFreshPrefill) {
  const auto model = fixture_model();
  const auto turn1 = fixture::ids_of(fixture::find_case("chat_zh")["input_ids"]);
  hf::DynamicCache cache;
  const auto out1 = model.generate({turn1}, with_cache(cache));
  EXPECT_EQ(out1.cached_tokens, 0);
  EXPECT_EQ(out1.sequences, model.generate({turn1}, kGreedy).sequences);
  // The cache holds every id the model ran: the prompt and all new tokens but the last.
  ASSERT_EQ(cache.get_seq_length(), int64_t(out1.sequences[0].size()) - 1);

  // Turn 2 continues the token stream: the reply, then a new message's ids.
  const auto message = fixture::ids_of(fixture::find_case("plain_en")["input_ids"]);
  const auto turn2 = concat(out1.sequences[0], message);
  const auto out2 = model.generate({turn2}, with_cache(cache));
  EXPECT_EQ(out2.cached_tokens, int(out1.sequences[0].size()) - 1);
  EXPECT_EQ(int(turn2.size()) - out2.cached_tokens, int(message.size()) + 1);  // the new turn (and the last reply token)
  EXPECT_EQ(out2.sequences, model.generate({turn2}, kGreedy).sequences);
}

TEST(DynamicCache, AnEditedHistoryKeepsOnlyTheCommonPrefix) {
  const auto model = fixture_model();
  const auto a = fixture::ids_of(fixture::find_case("plain_mixed")["input_ids"]);
  hf::DynamicCache cache;
  model.generate({a}, with_cache(cache));
  // The same start, then other ids (a dropped turn, an edited message): the rest is recomputed.
  std::vector<int32_t> b(a.begin(), a.begin() + 3);
  const auto tail = fixture::ids_of(fixture::find_case("plain_zh")["input_ids"]);
  b.insert(b.end(), tail.begin(), tail.end());
  size_t common = 0;
  while (common < b.size() && b[common] == a[common]) ++common;
  const auto out = model.generate({b}, with_cache(cache));
  EXPECT_EQ(out.cached_tokens, int(common));
  EXPECT_EQ(out.sequences, model.generate({b}, kGreedy).sequences);
  // The very same prompt again: all but its last id come from the cache.
  const auto again = model.generate({b}, with_cache(cache));
  EXPECT_EQ(again.cached_tokens, int(b.size()) - 1);
  EXPECT_EQ(again.sequences, out.sequences);
}

TEST(DynamicCache, OneConversationOnlyAndResetAfterAnError) {
  const auto model = fixture_model();
  const auto a = fixture::ids_of(fixture::find_case("plain_en")["input_ids"]);
  hf::DynamicCache cache;
  EXPECT_THROW(model.generate(std::vector<std::vector<int32_t>>{a, a}, with_cache(cache)), hf::InputError);
  hf::GenerationConfig beams = with_cache(cache);
  beams.num_beams = 2;
  EXPECT_THROW(model.generate({a}, beams), hf::InputError);
  model.generate({a}, with_cache(cache));
  ASSERT_GT(cache.get_seq_length(), 0);
  EXPECT_THROW(model.generate(std::vector<std::vector<int32_t>>{{a[0], 99999999}}, with_cache(cache)), hf::InputError);  // id outside the vocabulary
  EXPECT_EQ(cache.get_seq_length(), 0);  // a half-run forward leaves nothing behind
}

TEST(GenerateOutputLogits, EachStepsRawLogits) {
  const auto model = fixture_model();
  const auto& c = fixture::find_case("chat_zh");
  hf::GenerationConfig cfg = kGreedy;
  cfg.max_new_tokens = 3;
  cfg.output_logits = true;
  const auto out = model.generate({fixture::ids_of(c["input_ids"])}, cfg);
  ASSERT_EQ(out.logits.size(), 3u);
  const float* first = out.logits[0].data_as<float>();
  const double tol = 1e-3 * c["last_logits"]["std"].get<double>();
  for (const auto& top : c["last_logits"]["top20"]) EXPECT_NEAR(first[top[0].get<int>()], top[1].get<double>(), tol);
  for (size_t s = 0; s < 3; ++s) {  // greedy took each step's largest logit
    const float* l = out.logits[s].data_as<float>();
    EXPECT_EQ(int(std::max_element(l, l + out.logits[s].dim(-1)) - l), out.new_tokens()[0][s]);
  }
}
