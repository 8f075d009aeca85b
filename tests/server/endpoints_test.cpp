// The HTTP endpoints of `hfcpp serve`, in process on 127.0.0.1, with the tiny random Qwen2:
// answers shaped as OpenAI's, greedy text equal to the library's generate(), exact SSE bytes,
// and every refusal with its status and OpenAI error object.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "hf/generation.h"
#include "hf/tokenizer.h"
#include "server_fixture.h"

namespace hf::server::testing {
namespace {

json user(const std::string& text) { return json::array({{{"role", "user"}, {"content", text}}}); }

// The library's greedy reply to one user message (the reference for the server's text).
std::string library_greedy(const std::string& text, int max_new_tokens) {
  static const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
  static const AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(kModel);
  const auto ids = tok.apply_chat_template_ids(user(text), {.add_generation_prompt = true});
  GenerationConfig c;
  c.max_new_tokens = max_new_tokens;
  c.do_sample = false;
  auto fresh = model.generate(std::vector<std::vector<int32_t>>{ids}, c).new_tokens()[0];
  std::erase_if(fresh, [](int32_t id) { return id >= static_cast<int32_t>(tok.vocab_size()); });
  return tok.decode(fresh, {.skip_special_tokens = true});
}

class Endpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new RunningServer(); }
  static void TearDownTestSuite() { delete server_; }
  static RunningServer* server_;
};
RunningServer* Endpoints::server_ = nullptr;

TEST_F(Endpoints, HealthAndModels) {
  auto c = server_->client();
  auto h = c.Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto m = c.Get("/v1/models");
  ASSERT_TRUE(m);
  const json models = json::parse(m->body);
  EXPECT_EQ(models["object"], "list");
  EXPECT_EQ(models["data"][0]["id"], "tiny-qwen2");
  EXPECT_EQ(models["data"][0]["object"], "model");
  EXPECT_EQ(models["data"][0]["task"], "text-generation");  // how the chat page finds a chat model
}

TEST_F(Endpoints, GreedyChatEqualsTheLibrarysGenerate) {
  auto [status, body] = server_->post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("你好")},
                                                               {"temperature", 0}, {"max_tokens", 12}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "tiny-qwen2");
  EXPECT_EQ(body["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_TRUE(body["created"].is_number_integer());
  EXPECT_EQ(body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(body["choices"][0]["message"]["content"], library_greedy("你好", 12));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(body["usage"]["completion_tokens"], 12);
  EXPECT_EQ(body["usage"]["total_tokens"], body["usage"]["prompt_tokens"].get<int>() + 12);
}

TEST_F(Endpoints, StreamedChatIsOpenAIsEventSequence) {
  const json req{{"model", "tiny-qwen2"}, {"messages", user("你好")}, {"temperature", 0}, {"max_tokens", 12},
                 {"stream", true}, {"stream_options", {{"include_usage", true}}}};
  const std::vector<std::string> events = sse_events(server_->stream("/v1/chat/completions", req));
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  const json first = json::parse(events[0]);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"], json::parse(R"({"role":"assistant","content":"","refusal":null})"));
  EXPECT_TRUE(first["usage"].is_null());
  std::string text;
  for (size_t i = 1; i + 3 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["id"], first["id"]);
    EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
    text += chunk["choices"][0]["delta"]["content"].get<std::string>();
  }
  const json last = json::parse(events[events.size() - 3]);
  EXPECT_EQ(last["choices"][0]["delta"], json::object());
  EXPECT_EQ(last["choices"][0]["finish_reason"], "length");
  const json usage = json::parse(events[events.size() - 2]);
  EXPECT_EQ(usage["choices"], json::array());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 12);
  EXPECT_EQ(text, library_greedy("你好", 12));
}

TEST_F(Endpoints, StreamedDeltasNeverSplitAUtf8Character) {
  // Sampled noise from a random model: byte-level tokens that split Chinese and emoji characters.
  const json req{{"model", "tiny-qwen2"}, {"prompt", "秋天的诗😀🎉"}, {"max_tokens", 120}, {"seed", 3},
                 {"temperature", 1.5}, {"top_k", 0}, {"top_p", 1}, {"stream", true}};
  const std::vector<std::string> events = sse_events(server_->stream("/v1/completions", req));
  ASSERT_GE(events.size(), 3u);
  int multibyte = 0;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const std::string piece = json::parse(events[i])["choices"][0]["text"];
    EXPECT_TRUE(valid_utf8(piece)) << "event " << i;
    for (unsigned char c : piece) multibyte += c >= 0x80;
  }
  EXPECT_GT(multibyte, 0) << "the sample had no multi-byte characters to split";
}

TEST_F(Endpoints, CompletionsAnswerEachPrompt) {
  auto [status, body] = server_->post("/v1/completions", {{"model", "tiny-qwen2"}, {"prompt", {"Once upon", "你好"}},
                                                          {"max_tokens", 3}, {"temperature", 0}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["object"], "text_completion");
  ASSERT_EQ(body["choices"].size(), 2u);
  EXPECT_EQ(body["choices"][1]["index"], 1);
  EXPECT_EQ(body["usage"]["completion_tokens"], 6);
}

TEST_F(Endpoints, StopSequenceEndsTheTextBeforeIt) {
  const std::string full = library_greedy("Hello", 16);
  ASSERT_GE(full.size(), 6u);
  const std::string stop = full.substr(3, 2);
  auto [status, body] = server_->post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("Hello")},
                                                               {"temperature", 0}, {"max_tokens", 16}, {"stop", stop}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["choices"][0]["message"]["content"], full.substr(0, full.find(stop)));
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
}

TEST_F(Endpoints, LogprobsInTheSpecsShape) {
  auto [status, body] = server_->post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("hi")}, {"temperature", 0},
                                                               {"max_tokens", 3}, {"logprobs", true}, {"top_logprobs", 2}});
  ASSERT_EQ(status, 200) << body.dump();
  const json& content = body["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), 3u);
  for (const json& e : content) {
    EXPECT_TRUE(e["token"].is_string());
    EXPECT_LE(e["logprob"].get<double>(), 0.0);
    EXPECT_TRUE(e["bytes"].is_array());
    ASSERT_EQ(e["top_logprobs"].size(), 2u);
    // Greedy picks the most likely token; repetition_penalty (model default 1.1) may reorder, so
    // only the order of the top list is certain.
    EXPECT_GE(e["top_logprobs"][0]["logprob"].get<double>(), e["top_logprobs"][1]["logprob"].get<double>());
  }
}

TEST_F(Endpoints, RefusalsCarryStatusAndOpenAIsErrorObject) {
  auto [s1, unknown] = server_->post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("x")}, {"tools", json::array()}});
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(unknown["error"]["param"], "tools");
  EXPECT_EQ(unknown["error"]["type"], "invalid_request_error");
  auto [s2, malformed] = server_->post_raw("/v1/chat/completions", "{not json");
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(malformed["error"]["code"], "invalid_json");
  auto [s3, model] = server_->post("/v1/chat/completions", {{"model", "gpt-4o"}, {"messages", user("x")}});
  EXPECT_EQ(s3, 404);
  EXPECT_EQ(model["error"]["code"], "model_not_found");
  auto [s4, path] = server_->post("/v1/nothing", json::object());
  EXPECT_EQ(s4, 404);
  EXPECT_TRUE(path["error"]["message"].is_string());
}

TEST(ServerLimits, ContextBodySizeAndQueue) {
  ServerOptions o;
  o.max_body_bytes = 4096;
  o.scheduler.context = 64;
  o.scheduler.parallel = 1;
  o.scheduler.max_queue = 0;
  RunningServer s(o);
  auto [s1, ctx] = s.post("/v1/completions", {{"model", "tiny-qwen2"}, {"prompt", "one two three"}, {"max_tokens", 100}});
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(ctx["error"]["code"], "context_length_exceeded");
  const std::string msg = ctx["error"]["message"];
  EXPECT_NE(msg.find("maximum context length is 64 tokens"), std::string::npos) << msg;
  EXPECT_NE(msg.find("100 in the completion"), std::string::npos) << msg;

  auto [s2, big] = s.post("/v1/completions", {{"model", "tiny-qwen2"}, {"prompt", std::string(5000, 'a')}});
  EXPECT_EQ(s2, 413);
  EXPECT_EQ(big["error"]["code"], "request_too_large");

  // One slot, no queue: while a long stream holds the slot, the next request is a 503.
  auto c = s.client();
  std::atomic<bool> started{false};
  std::thread holder([&] {
    c.Post("/v1/completions", json{{"model", "tiny-qwen2"}, {"prompt", "a"}, {"max_tokens", 60}, {"stream", true}}.dump(),
           "application/json");
  });
  while (s.server->scheduler()->active() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto busy = s.client().Post("/v1/completions", json{{"model", "tiny-qwen2"}, {"prompt", "b"}, {"max_tokens", 1}}.dump(),
                              "application/json");
  holder.join();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->get_header_value("Retry-After"), "1");
  EXPECT_EQ(json::parse(busy->body)["error"]["code"], "queue_full");
}

TEST(ServerAuth, KeyRequiredWhenSet) {
  ServerOptions o;
  o.api_key = "sekret";
  RunningServer s(o);
  const json req{{"model", "tiny-qwen2"}, {"messages", user("x")}, {"max_tokens", 1}};
  EXPECT_EQ(s.post("/v1/chat/completions", req).first, 401);
  EXPECT_EQ(s.post("/v1/chat/completions", req, "wrong").first, 401);
  EXPECT_EQ(s.post("/v1/chat/completions", req, "wrong").second["error"]["code"], "invalid_api_key");
  EXPECT_EQ(s.post("/v1/chat/completions", req, "sekret").first, 200);
  EXPECT_EQ(s.client().Get("/health")->status, 200);  // probes need no key
}

TEST(ServerAuth, AnyAuthorizationAcceptedWithoutAKey) {
  RunningServer s;
  EXPECT_EQ(s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("x")}, {"max_tokens", 1}}, "sk-anything").first, 200);
}

TEST(ServerLoading, HealthIs503UntilTheModelIsLoaded) {
  RunningServer s({}, /*load=*/false);
  EXPECT_EQ(s.client().Get("/health")->status, 503);
  EXPECT_EQ(s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("x")}}).first, 503);
  s.server->load(kModel);
  EXPECT_EQ(s.client().Get("/health")->status, 200);
}

TEST_F(Endpoints, MetricsInPrometheusText) {
  server_->post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", user("x")}, {"max_tokens", 2}});
  // A request is counted by the HTTP logger, which runs after its response has been written: the
  // client can ask /metrics before that, so ask again (bounded) until the chat request shows.
  const std::string counted = "hfcpp_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}";
  auto m = server_->client().Get("/metrics");
  for (int i = 0; i < 200 && m && m->body.find(counted) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m = server_->client().Get("/metrics");
  }
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  for (const char* line : {"hfcpp_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}", "hfcpp_generated_tokens_total ",
                           "hfcpp_queue_depth ", "hfcpp_active_slots ", "hfcpp_time_to_first_token_seconds_bucket{le=\"+Inf\"}",
                           "hfcpp_time_per_output_token_seconds_count "})
    EXPECT_NE(m->body.find(line), std::string::npos) << line;
}

}  // namespace
}  // namespace hf::server::testing
