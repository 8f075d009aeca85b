// generate() on tiny-qwen2 reproduces the fixture's greedy continuations token for token.
#include <gtest/gtest.h>

#include <thread>

#include "fixture_util.h"
#include "hf/generation.h"
#include "hf/tokenizer.h"

namespace {
hf::AutoModelForCausalLM greedy_model() { return hf::AutoModelForCausalLM(fixture::model(), fixture::model_generation_config()); }
}  // namespace

TEST(GreedyFixture, EveryCaseWithoutProcessors) {
  auto model = greedy_model();
  for (const auto& c : fixture::expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto& g = c["greedy"];
    auto out = model.generate({fixture::ids_of(c["input_ids"])},
                              {.max_new_tokens = g["max_new_tokens"].get<int>(), .do_sample = false, .repetition_penalty = 1.0f});
    EXPECT_EQ(out.new_tokens()[0], fixture::ids_of(g["ids"]));
  }
}

TEST(GreedyFixture, EveryCaseWithTheModelsRepetitionPenalty) {
  auto model = greedy_model();
  for (const auto& c : fixture::expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto& g = c["greedy_repetition_penalty"];
    // generate(do_sample=False): the generation config's repetition_penalty 1.1 still applies.
    auto out = model.generate({fixture::ids_of(c["input_ids"])}, {.max_new_tokens = g["max_new_tokens"].get<int>(), .do_sample = false});
    EXPECT_EQ(out.new_tokens()[0], fixture::ids_of(g["ids"]));
  }
}

TEST(GreedyFixture, LeftPaddedBatchPerRow) {
  auto model = greedy_model();
  const auto& b = fixture::expected()["batch"];
  hf::BatchEncoding in;
  in.input_ids = b["input_ids"].get<std::vector<std::vector<int32_t>>>();
  in.attention_mask = b["attention_mask"].get<std::vector<std::vector<int32_t>>>();
  auto out = model.generate(in, {.max_new_tokens = b["greedy"]["max_new_tokens"].get<int>(), .do_sample = false,
                                 .repetition_penalty = 1.0f});
  EXPECT_EQ(out.new_tokens(), b["greedy"]["ids"].get<std::vector<std::vector<int32_t>>>());
  // Unpadded rows of different lengths are left-padded by generate() itself: same result.
  hf::BatchEncoding raw;
  for (const auto& name : b["cases"]) raw.input_ids.push_back(fixture::ids_of(fixture::find_case(name)["input_ids"]));
  auto out2 = model.generate(raw, {.max_new_tokens = 8, .do_sample = false, .repetition_penalty = 1.0f});
  EXPECT_EQ(out2.new_tokens(), b["greedy"]["ids"].get<std::vector<std::vector<int32_t>>>());
}

TEST(GreedyFixture, SeededSamplingIsReproducible) {
  auto model = greedy_model();
  const auto ids = fixture::ids_of(fixture::find_case("chat_zh")["input_ids"]);
  auto a = model.generate({ids}, {.max_new_tokens = 12, .do_sample = true, .seed = 7});
  auto b = model.generate({ids}, {.max_new_tokens = 12, .do_sample = true, .seed = 7});
  EXPECT_EQ(a.sequences, b.sequences);
}

TEST(GreedyFixture, DecodedTextOfBothRuns) {
  auto model = greedy_model();
  auto tok = hf::AutoTokenizer::from_pretrained(fixture::kDir);
  for (const auto& c : fixture::expected()["cases"]) {
    if (c["name"] == "long_1540") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    for (const char* run : {"greedy", "greedy_repetition_penalty"}) {
      const auto& g = c[run];
      hf::GenerationConfig cfg{.max_new_tokens = g["max_new_tokens"].get<int>(), .do_sample = false};
      if (std::string(run) == "greedy") cfg.repetition_penalty = 1.0f;
      auto fresh = model.generate({fixture::ids_of(c["input_ids"])}, cfg).new_tokens()[0];
      EXPECT_EQ(tok.decode(fresh, {.skip_special_tokens = true}), g["text"].get<std::string>()) << run;
      EXPECT_EQ(tok.decode(fresh), g["text_with_special"].get<std::string>()) << run;
    }
  }
}

TEST(GreedyFixture, ConcurrentGenerateOnOneLoadedModel) {
  auto model = greedy_model();  // one model, shared; each call owns its cache
  const char* names[] = {"plain_en", "plain_zh", "chat_zh", "chat_en_system"};
  std::vector<std::vector<int32_t>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      got[t] = model.generate({fixture::ids_of(fixture::find_case(names[t])["input_ids"])},
                              {.max_new_tokens = 32, .do_sample = false}).new_tokens()[0];
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(got[t], fixture::ids_of(fixture::find_case(names[t])["greedy_repetition_penalty"]["ids"])) << names[t];
}
