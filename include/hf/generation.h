#pragma once
// generate() for decoder-only models, and AutoModelForCausalLM (transformers' spelling):
//
//   auto tok   = hf::AutoTokenizer::from_pretrained("Qwen/Qwen2.5-0.5B-Instruct");
//   auto model = hf::AutoModelForCausalLM::from_pretrained("Qwen/Qwen2.5-0.5B-Instruct");
//   auto in    = tok({text});
//   auto out   = model.generate(in, {.max_new_tokens = 512});
//   auto reply = tok.batch_decode(out.new_tokens(), {.skip_special_tokens = true});
//
// Semantics are transformers' `_sample` loop (hf-semantics §1.5, §5): configs stack call → model
// file → defaults; max_new_tokens beats max_length, and an untouched max_length means 20 new
// tokens; one prefill forward of the whole left-padded batch, then one token per step with
// position_ids = cumsum(mask) - 1; each row stops on its own (eos, stop strings, length) and
// finished rows receive pad_token_id; the streamer gets the prompt, each step's tokens, then
// end(). A shared model may run generate() from several threads at once: each call owns its
// KV cache. `config.stop_token` (or a streamer's stop_requested()) stops every row at the next
// step; the sequences so far are returned.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/export.h"
#include "hf/causal_lm.h"
#include "hf/generation_config.h"
#include "hf/hub.h"
#include "hf/tokenizer.h"

namespace hf {

struct HF_API GenerateOutput {
  // One row per input row × num_return_sequences (row i's copies are adjacent, as transformers'
  // repeat_interleave): the (left-padded) prompt followed by the generated tokens; rows that
  // finished early are right-filled with pad_token_id.
  std::vector<std::vector<int32_t>> sequences;
  int prompt_length = 0;  // columns of the padded prompt
  // sequences[:, prompt_length:], as transformers users slice it.
  std::vector<std::vector<int32_t>> new_tokens() const;
  // Prompt tokens whose keys and values came from `config.past_key_values` instead of being
  // prefilled again (OpenAI's usage.prompt_tokens_details.cached_tokens); prefilled tokens are
  // prompt_length - cached_tokens.
  int cached_tokens = 0;
  // config.output_logits: each step's raw logits (before any processor), float32 [rows, vocab].
  std::vector<Tensor> logits;
};

// A conversation's keys and values, owned by the caller and kept across generate() calls
// (transformers' `past_key_values=DynamicCache()`). Pass it with each turn's *whole* prompt:
//
//   hf::DynamicCache cache;
//   for (...) {
//     messages.push_back({"user", line});
//     auto ids = tok.apply_chat_template_ids(messages, {.add_generation_prompt = true});
//     auto out = model.generate({ids}, {.max_new_tokens = 256, .past_key_values = &cache});
//     messages.push_back({"assistant", tok.decode(out.new_tokens()[0], {.skip_special_tokens = true})});
//   }
//
// generate() keeps the longest common prefix of the cached ids and the new prompt and prefills
// only the rest (at least the last prompt token, whose logits start the reply), so a turn costs
// its own tokens, and an edited or shortened history (dropped turns) is handled too. One row, no
// beam search. Not thread-safe: one generate() at a time per cache.
class HF_API DynamicCache {
 public:
  DynamicCache();
  ~DynamicCache();
  DynamicCache(DynamicCache&&) noexcept;
  DynamicCache& operator=(DynamicCache&&) noexcept;

  int64_t get_seq_length() const { return static_cast<int64_t>(tokens_.size()); }  // positions held
  const std::vector<int32_t>& tokens() const { return tokens_; }                   // their ids
  void reset();                                                                    // forget everything

  // For generate(): the single-row cache of `model` (a new one, of `capacity` positions, when
  // there is none, it belongs to another model or is too small) truncated to the longest prefix
  // it shares with `prompt` minus its last id. Returns how many ids of `prompt` are cached.
  int64_t reuse_for(const CausalLM& model, std::span<const int32_t> prompt, int64_t capacity);
  KVCache& kv() { return *kv_; }
  // After a forward: `ids` are now held (the prefix the cache had, extended).
  void set_tokens(std::span<const int32_t> ids) { tokens_.assign(ids.begin(), ids.end()); }

 private:
  const CausalLM* model_ = nullptr;
  std::unique_ptr<KVCache> kv_;
  std::vector<int32_t> tokens_;
};

// The model-independent loop. `config` is what the caller asked (unset fields come from the
// model's generation config `model_defaults`, then transformers' defaults). Rows of `inputs`
// may differ in length (they are left-padded with the pad id); an empty attention_mask means
// all ones. hf::InputError: empty batch or prompt, prompt longer than max_position_embeddings
// (naming both), invalid config values, stop_strings without a tokenizer.
HF_API GenerateOutput generate(const CausalLM& model, const BatchEncoding& inputs, const GenerationConfig& config,
                        const GenerationConfig& model_defaults = {});

// A loaded causal LM with its generation config (transformers' model object, for generate()).
// Cheap to copy: copies share the weights.
class HF_API AutoModelForCausalLM {
 public:
  AutoModelForCausalLM(std::shared_ptr<const CausalLM> model, GenerationConfig generation_config);

  // A local folder or a Hub id (through hf::resolve_model). Reads generation_config.json when
  // present (else bos/eos/pad ids from config.json, as transformers derives one).
  static AutoModelForCausalLM from_pretrained(const std::string& name_or_path, const HubOptions& options = {},
                                              const LoadOptions& load = {});

  GenerateOutput generate(const BatchEncoding& inputs, const GenerationConfig& config = {}) const;
  GenerateOutput generate(const std::vector<std::vector<int32_t>>& input_ids, const GenerationConfig& config = {}) const;

  const GenerationConfig& generation_config() const { return generation_config_; }
  GenerationConfig& generation_config() { return generation_config_; }
  const CausalLM& model() const { return *model_; }
  std::shared_ptr<const CausalLM> shared_model() const { return model_; }
  const ModelConfig& config() const { return model_->config(); }

 private:
  std::shared_ptr<const CausalLM> model_;
  GenerationConfig generation_config_;
};

}  // namespace hf
