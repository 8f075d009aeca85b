// libFuzzer target: a chat template, compiled and rendered through the public hf::ChatTemplate
// API with a typical conversation. Budgets are lowered so that each input runs in milliseconds;
// exceeding one is a TemplateError like any other. Every input must render or fail with hf::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hf/chat_template.h"
#include "hf/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const hf::json context = hf::json::parse(R"({
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi <b>&"},
                 {"role": "assistant", "content": "Hello", "tool_calls": [{"type": "function",
                  "function": {"name": "f", "arguments": {"x": [1, 2.5, null, true]}}}]},
                 {"role": "tool", "content": "42"}],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>"})");
  hf::RenderOptions options;
  options.now = 0;
  options.max_steps = 200'000;
  options.max_memory_bytes = 16 << 20;
  options.max_output_bytes = 1 << 20;
  try {
    hf::ChatTemplate(std::string(reinterpret_cast<const char*>(data), size)).render(context, options);
  } catch (const hf::Error&) {
  }
  return 0;
}
