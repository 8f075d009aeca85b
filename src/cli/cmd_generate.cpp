// `hfcpp generate MODEL --ids 1,2,3 --max-new-tokens N --greedy --json [--logits K]`: greedy
// continuation of a prompt, for debugging a model and for scripts. Prints one JSON object:
//   {"new_tokens": [...], "text": "...", "steps": [{"top": [[id, logit], ...]}, ...]}
// "steps" (with --logits K) holds the top-K raw next-token logits of every step, highest first.
// Generation stops at max_new_tokens or after an eos id (generation_config.json, else
// config.json), which is included as transformers includes it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "cli/command.h"
#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/error.h"
#include "hf/hub.h"
#include "hf/tokenizer.h"

namespace hf::cli {
namespace {

struct Options {
  std::string model, ids, prompt;
  int max_new_tokens = 20;
  bool greedy = false, json = false;
  int logits = 0;
};

std::vector<int32_t> parse_ids(const std::string& text) {
  std::vector<int32_t> ids;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::logic_error&) {
      throw InputError("--ids: '" + item + "' is not a token id (expected comma-separated integers, e.g. 1,2,3)");
    }
  }
  return ids;
}

// eos ids: generation_config.json's eos_token_id (int or list), else config.json's.
std::vector<int32_t> eos_ids(const std::filesystem::path& dir, const ModelConfig& config) {
  std::vector<int32_t> out;
  if (std::filesystem::exists(dir / "generation_config.json")) {
    json g = read_json_file(dir / "generation_config.json");
    if (g.contains("eos_token_id")) {
      const json& e = g["eos_token_id"];
      if (e.is_number_integer()) out.push_back(e.get<int32_t>());
      for (const auto& v : e.is_array() ? e : json::array())
        if (v.is_number_integer()) out.push_back(v.get<int32_t>());
      return out;
    }
  }
  for (int64_t e : config.eos_token_id) out.push_back(static_cast<int32_t>(e));
  return out;
}

bool has_tokenizer(const std::filesystem::path& dir) {
  return std::filesystem::exists(dir / "tokenizer.json") || std::filesystem::exists(dir / "tokenizer_config.json");
}

int run(const Options& o) {
  if (!o.greedy) throw InputError("generate: only --greedy decoding is implemented here (use `hfcpp chat` to sample)");
  if (o.ids.empty() == o.prompt.empty()) throw InputError("generate: give exactly one of --ids or --prompt");
  if (o.max_new_tokens < 0) throw InputError("--max-new-tokens must be >= 0");
  if (o.logits < 0) throw InputError("--logits must be >= 0");
  const auto dir = resolve_model(o.model);
  auto model = load_causal_lm(dir);
  const int64_t V = model->config().vocab_size;
  std::optional<Tokenizer> tok;
  if (!o.prompt.empty() || has_tokenizer(dir)) tok = AutoTokenizer::from_pretrained(dir.string());
  std::vector<int32_t> ids = o.prompt.empty() ? parse_ids(o.ids) : tok->encode(o.prompt);
  if (ids.empty()) throw InputError("generate: the prompt has no tokens");
  const std::vector<int32_t> eos = eos_ids(dir, model->config());

  json steps = json::array();
  std::vector<int32_t> generated;
  if (o.max_new_tokens > 0) {
    auto cache = model->new_cache(1, int64_t(ids.size()) + o.max_new_tokens);
    ForwardInput in;
    in.seq = static_cast<int>(ids.size());
    in.input_ids = ids;
    Tensor logits = model->forward(in, *cache);
    for (int step = 0;; ++step) {
      const float* l = logits.data_as<float>();
      if (o.logits > 0) {
        const int64_t k = std::min<int64_t>(o.logits, V);
        std::vector<int32_t> order(V);
        std::iota(order.begin(), order.end(), 0);
        // Highest first; equal logits by lower id, as torch.topk's stable order.
        std::partial_sort(order.begin(), order.begin() + k, order.end(),
                          [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
        json top = json::array();
        for (int64_t i = 0; i < k; ++i) top.push_back({order[i], l[order[i]]});
        steps.push_back({{"top", top}});
      }
      const int32_t next = static_cast<int32_t>(std::max_element(l, l + V) - l);
      generated.push_back(next);
      if (int(generated.size()) == o.max_new_tokens || std::count(eos.begin(), eos.end(), next)) break;
      ForwardInput one;
      one.seq = 1;
      one.input_ids = std::span<const int32_t>(&generated.back(), 1);
      logits = model->forward(one, *cache);
    }
  }
  const std::string text = tok ? tok->decode(generated, DecodeOptions{.skip_special_tokens = true, .clean_up_tokenization_spaces = std::nullopt}) : "";
  if (!o.json) {
    std::printf("%s\n", text.c_str());
    return 0;
  }
  json out;
  out["new_tokens"] = generated;
  out["text"] = text;
  if (o.logits > 0) out["steps"] = steps;
  std::printf("%s\n", out.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  return 0;
}

Register reg("generate", "Greedy continuation of token ids or a prompt, as JSON (for debugging and scripts)",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               cmd.add_option("model", o->model, "Model folder or Hub id")->required();
               cmd.add_option("--ids", o->ids, "Prompt token ids, comma-separated (e.g. 1,2,3)");
               cmd.add_option("--prompt", o->prompt, "Prompt text (tokenized with the model's tokenizer)");
               cmd.add_option("--max-new-tokens", o->max_new_tokens, "Tokens to generate at most")->capture_default_str();
               cmd.add_flag("--greedy", o->greedy, "Greedy decoding (argmax, no logits processors)");
               cmd.add_flag("--json", o->json, "Print one JSON object {new_tokens, text[, steps]}");
               cmd.add_option("--logits", o->logits, "Add the top-K raw logits of every step");
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
