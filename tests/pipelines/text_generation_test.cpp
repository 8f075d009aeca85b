// pipeline("text-generation") on tiny-qwen2: transformers-shaped results equal generate()'s.
#include <gtest/gtest.h>

#include "core/json.h"
#include "hf/error.h"
#include "hf/pipeline.h"
#include "hf/streamers.h"

namespace {
const char* kModel = HF_FIXTURES "/tiny-qwen2";
const hf::json& expected() {
  static const hf::json j = hf::read_json_file(std::string(kModel) + "/expected.json");
  return j;
}
const hf::json& find_case(const std::string& name) {
  for (const auto& c : expected()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error(name);
}
hf::Pipeline& pipe() {
  static hf::Pipeline p = hf::pipeline("text-generation", {.model = kModel});
  return p;
}
const hf::PipelineCallOptions greedy32{.generate = {.max_new_tokens = 32, .do_sample = false}};
}  // namespace

TEST(TextGenerationPipeline, ChatReturnsConversationWithNewAssistantMessage) {
  const auto& c = find_case("chat_zh");
  hf::json out = pipe()(c["messages"], greedy32);
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 1u);
  const auto& conv = out[0]["generated_text"];
  ASSERT_EQ(conv.size(), c["messages"].size() + 1);
  EXPECT_EQ(conv[0], c["messages"][0]);
  EXPECT_EQ(conv.back()["role"], "assistant");
  EXPECT_EQ(conv.back()["content"], c["greedy_repetition_penalty"]["text"]);
}

TEST(TextGenerationPipeline, TypedMessagesOverload) {
  const auto& c = find_case("chat_en_system");
  hf::Messages m;
  for (const auto& x : c["messages"]) m.push_back({x["role"], x["content"]});
  hf::json out = pipe()(m, greedy32);
  EXPECT_EQ(out[0]["generated_text"].back()["content"], c["greedy_repetition_penalty"]["text"]);
}

TEST(TextGenerationPipeline, TextFullAndNewText) {
  const auto& c = find_case("plain_en");
  const std::string prompt = c["text"];
  hf::json full = pipe()(prompt, greedy32);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0]["generated_text"], prompt + c["greedy_repetition_penalty"]["text"].get<std::string>());
  auto opts = greedy32;
  opts.return_full_text = false;
  hf::json fresh = pipe()(prompt, opts);
  EXPECT_EQ(fresh[0]["generated_text"], c["greedy_repetition_penalty"]["text"]);
  opts.return_full_text.reset();
  opts.return_tensors = true;
  hf::json tensors = pipe()(prompt, opts);
  auto ids = c["input_ids"].get<std::vector<int32_t>>();
  auto gen = c["greedy_repetition_penalty"]["ids"].get<std::vector<int32_t>>();
  ids.insert(ids.end(), gen.begin(), gen.end());
  EXPECT_EQ(tensors[0]["generated_token_ids"].get<std::vector<int32_t>>(), ids);
}

TEST(TextGenerationPipeline, BatchOfTextsAndOfChats) {
  const auto& a = find_case("plain_en");
  const auto& b = find_case("plain_zh");
  hf::json out = pipe()(std::vector<std::string>{a["text"], b["text"]}, greedy32);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1][0]["generated_text"], b["text"].get<std::string>() + b["greedy_repetition_penalty"]["text"].get<std::string>());
  hf::json chats = hf::json::array({find_case("chat_zh")["messages"], find_case("chat_multiturn_mixed")["messages"]});
  hf::json out2 = pipe()(chats, greedy32);
  ASSERT_EQ(out2.size(), 2u);
  EXPECT_EQ(out2[1][0]["generated_text"].back()["content"], find_case("chat_multiturn_mixed")["greedy_repetition_penalty"]["text"]);
}

TEST(TextGenerationPipeline, StreamerSeesTheReply) {
  const auto& c = find_case("chat_zh");
  std::string streamed;
  hf::CallbackStreamer s(pipe().tokenizer(), [&](const std::string& t, bool) { streamed += t; },
                         {.skip_prompt = true, .skip_special_tokens = true});
  auto opts = greedy32;
  opts.generate.streamer = &s;
  hf::json out = pipe()(c["messages"], opts);
  EXPECT_EQ(streamed, out[0]["generated_text"].back()["content"].get<std::string>());
}

TEST(TextGenerationPipeline, PipelineDefaultsSampleWithSeed) {
  // No do_sample given: the pipeline's default (do_sample, temperature 0.7) samples; a seed
  // makes it reproducible.
  const std::string prompt = find_case("plain_en")["text"];
  hf::PipelineCallOptions o{.generate = {.max_new_tokens = 8, .seed = 3}};
  EXPECT_EQ(pipe()(prompt, o), pipe()(prompt, o));
}

TEST(TextGenerationPipeline, BadInput) {
  EXPECT_THROW(pipe()(hf::Messages{}), hf::InputError);  // an empty message list
  EXPECT_THROW(pipe()(hf::json::array({hf::json{{"role", "user"}}})), hf::InputError);  // no content
  EXPECT_THROW(pipe()(hf::json(42)), hf::InputError);
  hf::PipelineCallOptions hot{.generate = {.do_sample = true, .temperature = -1.0f}};
  EXPECT_THROW(pipe()("hi", hot), hf::InputError);
}

TEST(Pipeline, DevicesAndTasks) {
  try {
    hf::pipeline("text-generation", {.model = kModel, .device = "cuda"});
    FAIL();
  } catch (const hf::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no GPU backend"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(hf::pipeline("text-generation", {.model = kModel, .device = "cpu"}));
  EXPECT_THROW(hf::pipeline("no-such-task", {.model = kModel}), hf::InputError);
  EXPECT_THROW(hf::pipeline("translation_zh_en", {.model = kModel}), hf::InputError);
  bool has_tg = false;
  for (const auto& [task, model] : hf::pipeline_tasks())
    if (task == "text-generation") has_tg = model == "openai-community/gpt2";  // transformers' default
  EXPECT_TRUE(has_tg);
}

TEST(TextGenerationPipeline, GeneratedIdsBeyondTheTokenizerDecodeToNothing) {
  // tiny-qwen2 has 151936 embedding rows but 151665 tokens; this prompt makes it generate ids
  // from the gap, which the Hugging Face tokenizers library decodes to "" (never an error).
  std::string streamed;
  hf::CallbackStreamer s(pipe().tokenizer(), [&](const std::string& t, bool) { streamed += t; },
                         {.skip_prompt = true, .skip_special_tokens = true});
  auto opts = greedy32;
  opts.return_full_text = false;
  opts.generate.streamer = &s;
  hf::json out;
  ASSERT_NO_THROW(out = pipe()(R"( "content": "请写一首赞美秋天的五言绝句"})", opts));
  opts.generate.streamer = nullptr;
  opts.return_tensors = true;
  opts.return_full_text.reset();
  auto ids = pipe()(R"( "content": "请写一首赞美秋天的五言绝句"})", opts)[0]["generated_token_ids"].get<std::vector<int32_t>>();
  EXPECT_TRUE(std::any_of(ids.begin(), ids.end(), [](int32_t id) { return id >= 151665; }));
  EXPECT_EQ(streamed, out[0]["generated_text"].get<std::string>());
}
