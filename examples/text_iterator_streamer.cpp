// transformers:
//   streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
//   thread = Thread(target=model.generate, kwargs=dict(inputs, streamer=streamer, max_new_tokens=32))
//   thread.start()
//   for new_text in streamer: print(new_text, end="", flush=True)
#include <hf/hf.h>

#include <iostream>
#include <thread>

#include "example_args.h"

int main(int argc, char** argv) try {
  const std::string name = example_model(argc, argv);
  auto tok = hf::AutoTokenizer::from_pretrained(name);
  auto model = hf::AutoModelForCausalLM::from_pretrained(name);
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  auto inputs = tok(std::vector{tok.apply_chat_template(messages, {.add_generation_prompt = true})}, {.add_special_tokens = false});
  hf::TextIteratorStreamer streamer(tok, {.skip_prompt = true, .skip_special_tokens = true});
  std::jthread worker([&] { model.generate(inputs, {.max_new_tokens = 32, .do_sample = false, .streamer = &streamer}); });
  for (const std::string& piece : streamer.pieces()) std::cout << piece << std::flush;
  std::cout << "\n";
} catch (const hf::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
