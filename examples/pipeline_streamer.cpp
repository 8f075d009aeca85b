// transformers:
//   pipe = pipeline("text-generation", model="Qwen/Qwen2.5-0.5B-Instruct")
//   streamer = TextStreamer(pipe.tokenizer, skip_prompt=True, skip_special_tokens=True)
//   pipe(messages, max_new_tokens=32, do_sample=False, streamer=streamer)
#include <hf/hf.h>

#include "example_args.h"

int main(int argc, char** argv) try {
  auto pipe = hf::pipeline("text-generation", {.model = example_model(argc, argv)});
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  hf::TextStreamer streamer(pipe.tokenizer(), {.skip_prompt = true, .skip_special_tokens = true});
  pipe(messages, {.generate = {.max_new_tokens = 32, .do_sample = false, .streamer = &streamer}});
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
