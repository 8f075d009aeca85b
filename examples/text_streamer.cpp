// transformers:
//   streamer = TextStreamer(tok, skip_prompt=True, skip_special_tokens=True)
//   model.generate(**inputs, streamer=streamer, max_new_tokens=32, do_sample=False)
#include <hf/hf.h>

#include "example_args.h"

int main(int argc, char** argv) try {
  const std::string name = example_model(argc, argv);
  auto tok = hf::AutoTokenizer::from_pretrained(name);
  auto model = hf::AutoModelForCausalLM::from_pretrained(name);
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  auto inputs = tok(std::vector{tok.apply_chat_template(messages, {.add_generation_prompt = true})}, {.add_special_tokens = false});
  hf::TextStreamer streamer(tok, {.skip_prompt = true, .skip_special_tokens = true});
  model.generate(inputs, {.max_new_tokens = 32, .do_sample = false, .streamer = &streamer});
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
