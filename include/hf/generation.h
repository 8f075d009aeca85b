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
