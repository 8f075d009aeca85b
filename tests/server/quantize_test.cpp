// `hfcpp serve --quantize int8|int4` → ServerOptions::load: the served model is the library's
// model quantized the same way (its greedy reply is the quantized library's).
#include <gtest/gtest.h>

#include "hf/generation.h"
#include "hf/tokenizer.h"
#include "server_fixture.h"

namespace hf::server::testing {
namespace {

TEST(ServeQuantize, GreedyReplyIsTheQuantizedLibrarys) {
  for (const char* q : {"int8", "int4"}) {
    ServerOptions o;
    o.load.quantization = q;
    RunningServer s(o);
    const json messages = json::array({{{"role", "user"}, {"content", "hello"}}});
    auto [status, body] = s.post("/v1/chat/completions", {{"model", "tiny-qwen2"}, {"messages", messages}, {"temperature", 0}, {"max_tokens", 12}});
    ASSERT_EQ(status, 200) << body.dump();

    const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
    const AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(kModel, {}, {.quantization = q});
    GenerationConfig c;
    c.max_new_tokens = 12;
    c.do_sample = false;
    auto fresh = model.generate(std::vector<std::vector<int32_t>>{tok.apply_chat_template_ids(messages, {.add_generation_prompt = true})}, c)
                     .new_tokens()[0];
    std::erase_if(fresh, [&](int32_t id) { return id >= static_cast<int32_t>(tok.vocab_size()); });
    EXPECT_EQ(body["choices"][0]["message"]["content"], tok.decode(fresh, {.skip_special_tokens = true})) << q;
  }
}

}  // namespace
}  // namespace hf::server::testing
