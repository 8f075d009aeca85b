// `hfcpp generate MODEL (--ids 1,2,3 | --prompt TEXT) [-n N] [--json] [--logits K]`: the
// continuation of a prompt given as token ids (or text), through the library's generate(), for
// debugging a model and for scripts. Prints the text, or one JSON object:
//   {"new_tokens": [...], "text": "...", "steps": [{"top": [[id, logit], ...]}, ...]}
// "steps" (with --logits K, decoder-only models) holds the top-K raw next-token logits of every
// step, highest first.
//
// Greedy unless a flag says otherwise, and raw: the model's generation_config.json supplies only
// its special tokens (eos, pad, bos, decoder start), so the output is what the model itself
// predicts; processors run only when a flag asks (--repetition-penalty, --do-sample --top-k ...),
// as transformers' generate(ids, generation_config=GenerationConfig(...)) replaces the model's.
// Generation stops at -n tokens or after an eos id, which is included as transformers includes it.
// Encoder–decoder models (Marian) take the ids as the encoder's input.
#include <algorithm>
#include <cstdio>
#include <numeric>

#include "cli/command.h"
#include "cli/generation_flags.h"
#include "cli/inputs.h"
#include "cli/model_flags.h"
#include "core/json.h"
#include "hf/error.h"
#include "hf/generation.h"
#include "hf/seq2seq.h"
#include "hf/tokenizer.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  std::string ids, prompt;
  bool json = false;
  int logits = 0;
  GenerationFlags gen;
  LoadOptions load;  // --quantize, --kv-cache-dtype (decoder-only models)
};

// The special tokens of a model's generation config, nothing else.
GenerationConfig special_tokens_of(const GenerationConfig& c) {
  GenerationConfig s;
  s.eos_token_id = c.eos_token_id;
  s.pad_token_id = c.pad_token_id;
  s.bos_token_id = c.bos_token_id;
  s.decoder_start_token_id = c.decoder_start_token_id;
  return s;
}

// The top-K of each step's logits, highest first; equal logits by lower id (torch.topk's order).
json top_logits(const std::vector<Tensor>& steps, int k_wanted) {
  json out = json::array();
  for (const Tensor& t : steps) {
    const int64_t V = t.dim(-1), k = std::min<int64_t>(k_wanted, V);
    const float* l = t.data_as<float>();
    std::vector<int32_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int32_t a, int32_t b) { return l[a] > l[b] || (l[a] == l[b] && a < b); });
    json top = json::array();
    for (int64_t i = 0; i < k; ++i) top.push_back({order[i], l[order[i]]});
    out.push_back({{"top", top}});
  }
  return out;
}

// -n new tokens after `prompt` must fit the context (-c, else the model's), as chat checks it.
void check_context(size_t prompt, int max_new, int64_t context) {
  if (context > 0 && int64_t(prompt) + max_new > context)
    throw InputError("generate: the prompt has " + std::to_string(prompt) + " tokens and -n asks for " +
                     std::to_string(max_new) + " more, but the context is " + std::to_string(context) +
                     " tokens (-c, else max_position_embeddings); shorten the prompt or lower -n");
}

int run(const Options& o) {
  if (o.ids.empty() == o.prompt.empty()) throw InputError("generate: give exactly one of --ids or --prompt");
  if (o.logits < 0) throw InputError("--logits must be >= 0");
  GenerationConfig config = o.gen.config();
  if (!config.do_sample) config.do_sample = false;
  if (!config.max_new_tokens) config.max_new_tokens = 20;
  config.output_logits = o.logits > 0;
  o.gen.apply_threads();

  const auto dir = o.model.resolve();
  const bool seq2seq = is_encoder_decoder(dir);
  std::optional<Tokenizer> tok;
  if (!o.prompt.empty() || std::filesystem::exists(dir / "tokenizer.json") ||
      std::filesystem::exists(dir / "tokenizer_config.json"))
    tok = AutoTokenizer::from_pretrained(dir.string());
  const std::vector<int32_t> ids = o.prompt.empty() ? parse_id_list(o.ids, "--ids") : tok->encode(o.prompt);
  if (ids.empty()) throw InputError("generate: the prompt has no tokens");

  std::vector<int32_t> generated;
  json steps;
  if (seq2seq) {
    if (o.logits > 0) throw InputError("generate: --logits is available for decoder-only models only");
    const auto model = AutoModelForSeq2SeqLM::from_pretrained(dir.string());
    const int64_t context = o.gen.context_size(model.model().max_position_embeddings());
    if (context > 0 && int64_t(ids.size()) > context)
      throw InputError("generate: the input has " + std::to_string(ids.size()) + " tokens but the encoder's context is " +
                       std::to_string(context) + " (-c, else max_position_embeddings); shorten it");
    check_context(1, *config.max_new_tokens, context);  // the decoder starts from one token
    const auto out = hf::generate(model.model(), BatchEncoding{{ids}, {}}, config, special_tokens_of(model.generation_config()));
    generated.assign(out.sequences[0].begin() + 1, out.sequences[0].end());  // after decoder_start_token_id
  } else {
    const auto model = AutoModelForCausalLM::from_pretrained(dir.string(), {}, o.load);
    check_context(ids.size(), *config.max_new_tokens, o.gen.context_size(model.config().max_position_embeddings));
    const auto out = hf::generate(model.model(), BatchEncoding{{ids}, {}}, config, special_tokens_of(model.generation_config()));
    generated = out.new_tokens()[0];
    if (o.logits > 0) steps = top_logits(out.logits, o.logits);
  }

  const std::string text = tok ? tok->decode(generated, DecodeOptions{.skip_special_tokens = true}) : "";
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

Register reg("generate", "Continue token ids or a prompt (greedy by default) and print the new tokens, as JSON with --json",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               o->model.add_to(cmd, "Model folder or Hub id")->required();
               cmd.add_option("--ids", o->ids, "Prompt token ids, comma-separated (e.g. 1,2,3)");
               cmd.add_option("--prompt", o->prompt, "Prompt text (tokenized with the model's tokenizer)");
               cmd.add_flag("--json", o->json, "Print one JSON object {new_tokens, text[, steps]}");
               cmd.add_option("--logits", o->logits, "Add the top-K raw logits of every step (decoder-only models)");
               o->gen.add_to(cmd, /*with_context=*/true);
               add_load_flags(cmd, o->load);
               cmd.footer("\nGreedy by default (-n 20 new tokens); the model's generation_config.json gives only its "
                          "special tokens,\nso no processor runs unless a flag asks for one.");
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
