// Strict request validation: every field checked, unknown ones refused with OpenAI's error object.
#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/openai_request.h"

namespace hf::server {
namespace {

// The ApiError a body gets, or a failure when it parses.
ApiError refusal(const json& body, Endpoint e = Endpoint::Chat) {
  try {
    parse_completion_request(body.dump(), e);
  } catch (const ApiError& err) {
    return err;
  }
  ADD_FAILURE() << "accepted: " << body.dump();
  return ApiError(0, "");
}

json chat(json extra = json::object()) {
  json b{{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

TEST(OpenAIRequest, ParsesEveryListedChatField) {
  const json body = chat({{"max_completion_tokens", 7}, {"temperature", 0.5}, {"top_p", 0.9}, {"seed", 42},
                          {"stop", {"a", "b"}}, {"n", 2}, {"stream", true}, {"stream_options", {{"include_usage", true}}},
                          {"presence_penalty", 0.5}, {"frequency_penalty", -0.5}, {"logprobs", true}, {"top_logprobs", 3},
                          {"user", "u1"}, {"top_k", 5}, {"min_p", 0.1}, {"repetition_penalty", 1.2},
                          {"chat_template_kwargs", {{"enable_thinking", false}}}});
  const CompletionRequest r = parse_completion_request(body.dump(), Endpoint::Chat);
  EXPECT_EQ(r.model, "m");
  EXPECT_EQ(r.messages, json::parse(R"([{"role":"user","content":"hi"}])"));
  EXPECT_EQ(r.max_tokens, 7);
  EXPECT_EQ(r.generation.do_sample, true);
  EXPECT_FLOAT_EQ(*r.generation.temperature, 0.5f);
  EXPECT_FLOAT_EQ(*r.generation.top_p, 0.9f);
  EXPECT_EQ(r.generation.seed, 42u);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.n, 2);
  EXPECT_TRUE(r.stream && r.include_usage && r.logprobs);
  EXPECT_EQ(r.top_logprobs, 3);
  EXPECT_FLOAT_EQ(r.presence_penalty, 0.5f);
  EXPECT_FLOAT_EQ(r.frequency_penalty, -0.5f);
  EXPECT_EQ(r.generation.top_k, 5);
  EXPECT_FLOAT_EQ(*r.generation.min_p, 0.1f);
  EXPECT_FLOAT_EQ(*r.generation.repetition_penalty, 1.2f);
  EXPECT_EQ(r.chat_template_kwargs["enable_thinking"], false);
}

TEST(OpenAIRequest, TemperatureZeroIsGreedyAndOtherwiseSamples) {
  EXPECT_EQ(parse_completion_request(chat({{"temperature", 0}}).dump(), Endpoint::Chat).generation.do_sample, false);
  EXPECT_EQ(parse_completion_request(chat().dump(), Endpoint::Chat).generation.do_sample, true);
}

TEST(OpenAIRequest, ContentPartsAndDeveloperRole) {
  const json body = chat({{"messages", {{{"role", "developer"}, {"content", "be brief"}},
                                        {{"role", "user"}, {"content", {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}}}}});
  const CompletionRequest r = parse_completion_request(body.dump(), Endpoint::Chat);
  EXPECT_EQ(r.messages[0]["role"], "system");
  EXPECT_EQ(r.messages[1]["content"], "ab");
}

// Found by fuzz_openai_request: a body with invalid UTF-8 in a string is malformed JSON whose parse
// error quotes those bytes; serializing that error body threw and terminated the server.
TEST(OpenAIRequest, InvalidUtf8IsA400WhoseBodySerializes) {
  const std::string body = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"\xff\xfe\"}]}";
  try {
    parse_completion_request(body, Endpoint::Chat);
    FAIL() << "accepted invalid UTF-8";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    std::string sent;
    ASSERT_NO_THROW(sent = e.body().dump());
    EXPECT_NE(sent.find("\"invalid_json\""), std::string::npos) << sent;
    EXPECT_NE(sent.find("\xEF\xBF\xBD"), std::string::npos) << sent;  // U+FFFD stands for the bad bytes
  }
}

TEST(OpenAIRequest, UnknownFieldIsRefusedByName) {
  const ApiError e = refusal(chat({{"logit_bias", json::object()}}));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.param, "logit_bias");
  EXPECT_EQ(e.body()["error"]["type"], "invalid_request_error");
  EXPECT_EQ(e.body()["error"]["message"], "Unrecognized request argument supplied: logit_bias");
  // A chat-only field on /v1/completions is unknown there.
  EXPECT_EQ(refusal({{"model", "m"}, {"prompt", "x"}, {"messages", json::array()}}, Endpoint::Completions).param, "messages");
  EXPECT_EQ(refusal(chat({{"stream", true}, {"stream_options", {{"include_obfuscation", true}}}})).param,
            "stream_options.include_obfuscation");
}

TEST(OpenAIRequest, WrongTypesAndValuesNameTheField) {
  EXPECT_EQ(refusal(chat({{"temperature", "hot"}})).param, "temperature");
  EXPECT_EQ(refusal(chat({{"temperature", 2.5}})).param, "temperature");
  EXPECT_EQ(refusal(chat({{"top_p", 0}})).param, "top_p");
  EXPECT_EQ(refusal(chat({{"max_tokens", 0}})).param, "max_tokens");
  EXPECT_EQ(refusal(chat({{"n", 1.5}})).param, "n");
  EXPECT_EQ(refusal(chat({{"stop", {"a", "b", "c", "d", "e"}}})).param, "stop");
  EXPECT_EQ(refusal(chat({{"presence_penalty", 3}})).param, "presence_penalty");
  EXPECT_EQ(refusal(chat({{"top_logprobs", 2}})).param, "top_logprobs");       // needs logprobs: true
  EXPECT_EQ(refusal(chat({{"stream_options", {{"include_usage", true}}}})).param, "stream_options");  // needs stream
  EXPECT_EQ(refusal(chat({{"messages", json::array()}})).param, "messages");
  EXPECT_EQ(refusal(chat({{"messages", {{{"role", "wizard"}, {"content", "x"}}}}})).param, "messages[0].role");
  EXPECT_EQ(refusal(chat({{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}}})).param,
            "messages[0].content[0].type");
  EXPECT_EQ(refusal({{"messages", {{{"role", "user"}, {"content", "x"}}}}}).param, "model");
  EXPECT_EQ(refusal({{"model", "m"}}, Endpoint::Completions).param, "prompt");
}

TEST(OpenAIRequest, MalformedJsonIsA400) {
  try {
    parse_completion_request("{\"model\": ", Endpoint::Chat);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.code, "invalid_json");
  }
}

TEST(OpenAIRequest, CompletionPromptsAsStringOrList) {
  EXPECT_EQ(parse_completion_request(R"({"model":"m","prompt":"x"})", Endpoint::Completions).prompts.size(), 1u);
  EXPECT_EQ(parse_completion_request(R"({"model":"m","prompt":["x","y"]})", Endpoint::Completions).prompts.size(), 2u);
  EXPECT_EQ(refusal({{"model", "m"}, {"prompt", {1, 2}}}, Endpoint::Completions).param, "prompt[0]");
}

}  // namespace
}  // namespace hf::server
