// bench_constrained [MODEL] [NEW_TOKENS] [REPEATS]: what constrained decoding costs per step
// against the decode step itself, on the Qwen2.5-0.5B shape (151k vocabulary; default model: the
// random-weight copy in ~/.cache/hfcpp-models/qwen2.5-0.5b-rand, made by
// /work/shared/tools/randmodel.py). Interleaved rounds of:
//   plain        generate() of NEW_TOKENS sampled tokens, no constraint (the decode step);
//   constrained  the same with a JSON-Schema response_format (a fresh Grammar: cold mask cache);
//   replay cold  the constrained run's tokens through a fresh GrammarMatcher (mask + accept per
//                step, new Grammar, so every state's mask is computed by a trie walk);
//   replay warm  the same tokens again with the same Grammar (masks cached).
// Prints medians and the ratios processor / decode step.
#include <hf/hf.h>

#include "timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
using bench::median;
using bench::seconds;

const char* kSchema = R"({"type":"object","properties":{
  "name":{"type":"string"},"age":{"type":"integer"},"email":{"type":"string","pattern":"^[a-z]+@[a-z]+\\.com$"},
  "tags":{"type":"array","items":{"type":"string"},"maxItems":4},
  "address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"}},
             "required":["city","zip"],"additionalProperties":false},
  "role":{"enum":["admin","user","guest"]}},
  "required":["name","age","email","tags","address","role"],"additionalProperties":false})";
}  // namespace

int main(int argc, char** argv) try {
  const char* home = std::getenv("HOME");
  const std::string name = argc > 1 ? argv[1] : std::string(home ? home : "") + "/.cache/hfcpp-models/qwen2.5-0.5b-rand";
  const int new_tokens = argc > 2 ? std::atoi(argv[2]) : 48;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const auto dir = hf::resolve_model(name).string();
  auto tok = hf::AutoTokenizer::from_pretrained(dir);
  auto model = hf::AutoModelForCausalLM::from_pretrained(dir);
  const hf::json schema = hf::json::parse(kSchema);
  const auto ids = tok.apply_chat_template_ids(hf::Messages{{"user", "Give me a user record as JSON."}},
                                               {.add_generation_prompt = true});
  std::vector<int32_t> eos = model.generation_config().eos_token_id.value_or(std::vector<int32_t>{});
  if (eos.empty() && tok.eos_token_id()) eos.push_back(*tok.eos_token_id());

  const double t_vocab = seconds([&] { hf::GrammarMatcher(hf::Grammar::any_json(), tok, eos); });
  hf::GenerationConfig plain{.max_new_tokens = new_tokens, .min_new_tokens = new_tokens, .do_sample = true, .seed = 1};
  model.generate({ids}, plain);  // warm-up (page in the weights)

  std::vector<double> t_plain, t_constrained, t_cold, t_warm;
  size_t constrained_tokens = 0;
  std::string sample;
  for (int r = 0; r < repeats; ++r) {
    t_plain.push_back(seconds([&] { model.generate({ids}, plain); }) / new_tokens);
    hf::GenerationConfig c{.max_new_tokens = new_tokens, .do_sample = true, .seed = uint64_t(r + 1)};
    c.tokenizer = &tok;
    c.response_format = hf::Grammar::json_schema(schema);
    std::vector<int32_t> out;
    t_constrained.push_back(seconds([&] { out = model.generate({ids}, c).new_tokens()[0]; }));
    t_constrained.back() /= std::max<size_t>(out.size(), 1);
    constrained_tokens = out.size();
    sample = tok.decode(out, {.skip_special_tokens = true});
    std::vector<float> scores(model.config().vocab_size);
    auto replay = [&](std::shared_ptr<const hf::Grammar> g) {
      hf::GrammarMatcher m(g, tok, eos);
      for (size_t i = 0; i < out.size(); ++i) {
        std::fill(scores.begin(), scores.end(), 0.0f);
        m.mask_logits(scores, int64_t(new_tokens - i));
        m.accept_token(out[i]);
      }
    };
    auto g = hf::Grammar::json_schema(schema);
    t_cold.push_back(seconds([&] { replay(g); }) / std::max<size_t>(out.size(), 1));
    t_warm.push_back(seconds([&] { replay(g); }) / std::max<size_t>(out.size(), 1));
  }
  const double step = median(t_plain), cold = median(t_cold), warm = median(t_warm);
  std::printf("model %s (vocab %zu), %d new tokens, median of %d interleaved rounds\n", name.c_str(), tok.vocab_size(),
              new_tokens, repeats);
  std::printf("vocabulary index (once per tokenizer): %.1f ms\n", t_vocab * 1e3);
  std::printf("decode step, unconstrained:            %8.2f ms\n", step * 1e3);
  std::printf("decode step, constrained generate():   %8.2f ms  (%zu tokens: %s)\n", median(t_constrained) * 1e3,
              constrained_tokens, sample.c_str());
  std::printf("processor per step, cold cache:        %8.3f ms  = %5.2f%% of a decode step\n", cold * 1e3, 100 * cold / step);
  std::printf("processor per step, warm cache:        %8.3f ms  = %5.2f%% of a decode step\n", warm * 1e3, 100 * warm / step);
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
