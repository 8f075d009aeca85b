// bench_generation [MODEL] [NEW_TOKENS] [REPEATS]: what the text-generation pipeline costs on top
// of generate(). Both run the same greedy chat turn (same prompt ids, same new tokens); the
// pipeline adds the chat template, tokenization, decoding and result building. Prints the median
// wall time of each and the difference.
#include <hf/hf.h>

#include "timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {
using bench::median;
using bench::seconds;
}  // namespace

int main(int argc, char** argv) try {
  const std::string name = argc > 1 ? argv[1] : HF_FIXTURES "/tiny-qwen2";
  const int new_tokens = argc > 2 ? std::atoi(argv[2]) : 32;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 7;
  const auto dir = hf::resolve_model(name).string();

  auto tok = hf::AutoTokenizer::from_pretrained(dir);
  auto model = hf::AutoModelForCausalLM::from_pretrained(dir);
  auto pipe = hf::pipeline("text-generation", {.model = dir});
  hf::Messages messages{{"user", "请写一首赞美秋天的五言绝句"}};
  const auto ids = tok.apply_chat_template_ids(messages, {.add_generation_prompt = true});
  // min_new_tokens pins the length so that both paths decode exactly as many tokens.
  hf::GenerationConfig cfg{.max_new_tokens = new_tokens, .min_new_tokens = new_tokens, .do_sample = false};

  model.generate({ids}, cfg);  // warm-up (page in the weights)
  // Interleaved, so that load from other processes and clock changes hit both alike.
  std::vector<double> tg, tp;
  for (int i = 0; i < repeats; ++i) {
    tg.push_back(seconds([&] { model.generate({ids}, cfg); }));
    tp.push_back(seconds([&] { pipe(messages, {.generate = cfg}); }));
  }
  const double t_generate = median(tg), t_pipeline = median(tp);

  std::printf("model %s, prompt %zu tokens, %d new tokens, median of %d\n", name.c_str(), ids.size(), new_tokens, repeats);
  std::printf("generate():  %8.2f ms  (%.1f new tokens/s)\n", t_generate * 1e3, new_tokens / t_generate);
  std::printf("pipeline():  %8.2f ms  (%.1f new tokens/s)\n", t_pipeline * 1e3, new_tokens / t_pipeline);
  std::printf("pipeline overhead: %+.2f ms (%+.2f%%)\n", (t_pipeline - t_generate) * 1e3,
              100.0 * (t_pipeline - t_generate) / t_generate);
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
