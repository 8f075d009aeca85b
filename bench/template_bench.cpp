// bench_template [TEMPLATE.jinja] [MESSAGES] [RENDERS]: time to render a chat template after the
// one-time compile. Default: the Qwen2.5-Instruct template with 10 messages (system + 9 turns),
// the figure issue 4 targets (<= 50 us per render). Prints compile time and the median
// per-render time over batches.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/chat_template.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

hf::json conversation(int n) {
  hf::json messages = hf::json::array();
  messages.push_back({{"role", "system"}, {"content", "You are a helpful assistant. Answer concisely and cite sources."}});
  for (int i = 1; i < n; ++i) {
    bool user = i % 2 == 1;
    std::string content = user ? "Question " + std::to_string(i) + ": how does the tokenizer split this sentence into pieces, "
                                 "and why does the chat template matter for the model's answer?"
                               : "Answer " + std::to_string(i) + ": the template wraps each turn in role markers such as "
                                 "<|im_start|>assistant so the model knows who speaks; 秋天的诗句也一样。";
    messages.push_back({{"role", user ? "user" : "assistant"}, {"content", content}});
  }
  return messages;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string path = argc > 1 ? argv[1] : HF_FIXTURES "/chat_templates/Qwen-Qwen2.5-7B-Instruct/template.jinja";
  int n_messages = argc > 2 ? std::atoi(argv[2]) : 10;
  int renders = argc > 3 ? std::atoi(argv[3]) : 20000;

  std::string source = hf::read_text_file(path);
  auto t0 = Clock::now();
  hf::ChatTemplate tmpl(source);
  double compile_s = seconds_since(t0);

  hf::json context = {{"messages", conversation(n_messages)}, {"tools", nullptr}, {"documents", nullptr},
                      {"add_generation_prompt", true}, {"eos_token", "<|im_end|>"}};
  size_t bytes = tmpl.render(context).size();   // warm-up, and the prompt size

  const int batches = 15;
  int per_batch = std::max(1, renders / batches);
  std::vector<double> per_render;
  for (int b = 0; b < batches; ++b) {
    auto start = Clock::now();
    for (int i = 0; i < per_batch; ++i) bytes += tmpl.render(context).size() & 1;
    per_render.push_back(seconds_since(start) / per_batch);
  }
  std::sort(per_render.begin(), per_render.end());
  std::printf("template: %s\nmessages: %d, prompt: %zu bytes\ncompile: %.1f us\n", path.c_str(), n_messages,
              tmpl.render(context).size(), compile_s * 1e6);
  std::printf("render: median %.2f us, best %.2f us (%d batches x %d renders)\n", per_render[batches / 2] * 1e6,
              per_render[0] * 1e6, batches, per_batch);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_template: %s\n", e.what());
  return 1;
}
