// transformers:
//   pipe = pipeline("text-generation", model="Qwen/Qwen2.5-0.5B-Instruct")
//   messages = [{"role": "user", "content": "请写一首赞美秋天的五言绝句"}]
//   result = pipe(messages, max_new_tokens=32, do_sample=False)
//   print(result[0]["generated_text"][-1]["content"])
#include <hf/hf.h>

#include <iostream>

#include "example_args.h"

int main(int argc, char** argv) try {
  auto pipe = hf::pipeline("text-generation", {.model = example_model(argc, argv)});
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  hf::json result = pipe(messages, {.generate = {.max_new_tokens = 32, .do_sample = false}});
  std::cout << result[0]["generated_text"].back()["content"].get<std::string>() << "\n";
} catch (const hf::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
