// transformers:
//   tok = AutoTokenizer.from_pretrained(name); model = AutoModelForCausalLM.from_pretrained(name)
//   text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
//   inputs = tok([text], return_tensors="pt")
//   out = model.generate(**inputs, max_new_tokens=32, do_sample=False)
//   new = [o[len(i):] for i, o in zip(inputs.input_ids, out)]
//   print(tok.batch_decode(new, skip_special_tokens=True)[0])
#include <hf/hf.h>

#include <iostream>

#include "example_args.h"

int main(int argc, char** argv) try {
  const std::string name = example_model(argc, argv);
  auto tok = hf::AutoTokenizer::from_pretrained(name);
  auto model = hf::AutoModelForCausalLM::from_pretrained(name);
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  std::string text = tok.apply_chat_template(messages, {.tokenize = false, .add_generation_prompt = true});
  hf::BatchEncoding inputs = tok(std::vector{text}, {.add_special_tokens = false});
  hf::GenerateOutput out = model.generate(inputs, {.max_new_tokens = 32, .do_sample = false});
  std::vector<std::string> reply = tok.batch_decode(out.new_tokens(), {.skip_special_tokens = true});
  std::cout << reply[0] << "\n";
} catch (const hf::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
