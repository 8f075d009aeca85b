// Continuous batching through the server: a seeded request gives the same tokens alone or among
// others, a long prompt prefilled in chunks gives the library's answer, a client that goes away
// frees its slot, and a conversation's next turn prefills only what is new (prompt cache).
#include <gtest/gtest.h>

#include <atomic>

#include "hf/generation.h"
#include "hf/token_sampler.h"
#include "hf/tokenizer.h"
#include "server_fixture.h"

namespace hf::server::testing {
namespace {

json user_turn(const std::string& text) { return json::array({{{"role", "user"}, {"content", text}}}); }

json seeded(const std::string& text, uint64_t seed, bool stream = false) {
  return {{"model", "tiny-qwen2"}, {"messages", user_turn(text)}, {"seed", seed}, {"temperature", 1.2},
          {"max_tokens", 24}, {"stream", stream}};
}

std::string text_of(const std::pair<int, json>& r) {
  EXPECT_EQ(r.first, 200) << r.second.dump();
  return r.second["choices"][0]["message"]["content"];
}

TEST(Scheduler, SeededRequestIsTheSameAloneOrAmongOthers) {
  ServerOptions o;
  o.scheduler.parallel = 4;
  RunningServer s(o);
  const std::string alone = text_of(s.post("/v1/chat/completions", seeded("写一首诗", 42)));
  const std::string again = text_of(s.post("/v1/chat/completions", seeded("写一首诗", 42)));
  EXPECT_EQ(alone, again);

  // Three others, with other prompts and seeds, decode in the same steps.
  std::vector<std::thread> others;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i)
    others.emplace_back([&, i] {
      auto r = s.post("/v1/chat/completions", seeded("other prompt number " + std::to_string(i), 100 + i));
      ok += r.first == 200;
    });
  const std::string among = text_of(s.post("/v1/chat/completions", seeded("写一首诗", 42)));
  for (auto& t : others) t.join();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(among, alone);
  const std::string other_seed = text_of(s.post("/v1/chat/completions", seeded("写一首诗", 43)));
  EXPECT_NE(other_seed, alone);  // the seed does matter
}

TEST(Scheduler, TokenSamplerChoosesAsGenerateDoes) {
  // The library's per-sequence sampler, stepped by hand, reproduces generate() for one seeded row.
  const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
  const AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(kModel);
  const auto prompt = tok.apply_chat_template_ids(user_turn("hello"), {.add_generation_prompt = true});
  GenerationConfig c;
  c.do_sample = true;
  c.seed = 9;
  c.max_new_tokens = 10;
  c.eos_token_id = std::vector<int32_t>{};  // no early stop: compare all ten tokens
  const auto expected = model.generate(std::vector<std::vector<int32_t>>{prompt}, c).new_tokens()[0];

  const int n = static_cast<int>(prompt.size());
  TokenSampler sampler(c, model.generation_config(), n, n + 10);
  auto cache = model.model().new_cache(1, n + 10);
  std::vector<int32_t> ids = prompt, fresh;
  std::vector<int32_t> feed = prompt;
  for (int i = 0; i < 10; ++i) {
    ForwardInput in;
    in.seq = static_cast<int>(feed.size());
    in.input_ids = feed;
    Tensor logits = model.model().forward(in, *cache);
    std::vector<float> scores(logits.data_as<float>(), logits.data_as<float>() + logits.dim(-1));
    const int32_t next = sampler.next(ids, scores);
    ids.push_back(next);
    fresh.push_back(next);
    feed = {next};
  }
  EXPECT_EQ(fresh, expected);
}

TEST(Scheduler, ChunkedPrefillGivesTheLibrarysGreedyAnswer) {
  ServerOptions o;
  o.scheduler.prefill_chunk = 16;  // a long prompt takes many steps
  RunningServer s(o);
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "第" + std::to_string(i) + "句：秋风吹落叶。";
  const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
  const AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(kModel);
  const auto prompt = tok.apply_chat_template_ids(user_turn(long_text), {.add_generation_prompt = true});
  ASSERT_GT(prompt.size(), 200u);
  GenerationConfig c;
  c.max_new_tokens = 8;
  c.do_sample = false;
  auto fresh = model.generate(std::vector<std::vector<int32_t>>{prompt}, c).new_tokens()[0];
  std::erase_if(fresh, [&](int32_t id) { return id >= static_cast<int32_t>(tok.vocab_size()); });

  // A short request decodes meanwhile.
  std::thread other([&] { s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user_turn("hi")}, {"max_tokens", 30}}); });
  auto r = s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user_turn(long_text)}, {"temperature", 0}, {"max_tokens", 8}});
  other.join();
  EXPECT_EQ(text_of(r), tok.decode(fresh, {.skip_special_tokens = true}));
}

TEST(Scheduler, ClientThatDisconnectsFreesItsSlot) {
  ServerOptions o;
  o.scheduler.parallel = 1;
  RunningServer s(o);
  auto c = s.client();
  int chunks = 0;
  // Read two chunks of a very long stream, then hang up.
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/completions";
  req.body = json{{"model", "tiny-qwen2"}, {"prompt", "a"}, {"max_tokens", 3000}, {"stream", true}}.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) { return ++chunks < 3; };
  auto res = c.send(req);
  EXPECT_EQ(chunks, 3);  // the client stopped reading: httplib closes the connection
  // The one slot comes back (bounded wait; the scheduler frees it at its next step).
  for (int i = 0; i < 500 && s.server->scheduler()->active() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(s.server->scheduler()->active(), 0);
  EXPECT_EQ(s.post("/v1/completions", {{"model", "tiny-qwen2"}, {"prompt", "b"}, {"max_tokens", 2}}).first, 200);
}

TEST(Scheduler, NextTurnOfAChatPrefillsOnlyWhatIsNew) {
  RunningServer s;
  json messages = json::array();
  int64_t previous_prompt = 0;
  for (int turn = 0; turn < 6; ++turn) {
    messages.push_back({{"role", "user"}, {"content", "第" + std::to_string(turn) + "个问题：今天天气怎么样？"}});
    const int64_t before = s.server->scheduler()->prefilled_tokens();
    auto [status, body] = s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", messages}, {"temperature", 0}, {"max_tokens", 8}});
    ASSERT_EQ(status, 200) << body.dump();
    const int64_t prompt = body["usage"]["prompt_tokens"], cached = body["usage"]["prompt_tokens_details"]["cached_tokens"];
    const int64_t prefilled = s.server->scheduler()->prefilled_tokens() - before;
    EXPECT_EQ(prefilled, prompt - cached) << "turn " << turn;
    // Everything the previous turn's prompt held is reused: the work of a turn does not grow
    // with the history.
    EXPECT_GE(cached, previous_prompt) << "turn " << turn;
    previous_prompt = prompt;
    messages.push_back({{"role", "assistant"}, {"content", body["choices"][0]["message"]["content"]}});
  }
  EXPECT_GT(previous_prompt, 100);  // the history did grow
}

}  // namespace
}  // namespace hf::server::testing
