// An application of the installed library: tokenizer + greedy generate on a model folder, then
// the continuation's text on stdout (the install tests compare it with the fixture's). The
// library's diagnostics go through the application's handler (hf/diagnostics.h), not stderr.
#include <hf/diagnostics.h>
#include <hf/hf.h>
#include <hf/version.h>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::cerr << "usage: consumer MODEL PROMPT   (built against hfcpp " HF_VERSION_STRING ")\n";
    return 2;
  }
  hf::set_diagnostics_handler([](hf::DiagnosticLevel, std::string_view message) {
    std::cerr << "[hfcpp] " << message << "\n";
  });
  auto tok = hf::AutoTokenizer::from_pretrained(argv[1]);
  auto model = hf::AutoModelForCausalLM::from_pretrained(argv[1]);
  hf::BatchEncoding inputs = tok(std::vector<std::string>{argv[2]});
  hf::GenerateOutput out = model.generate(inputs, {.max_new_tokens = 32, .do_sample = false});
  std::cout << tok.batch_decode(out.new_tokens(), {.skip_special_tokens = true})[0] << "\n";
} catch (const hf::Error& e) {
  std::cerr << "consumer: error: " << e.what() << "\n";
  return 1;
}
