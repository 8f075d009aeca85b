#pragma once
// Beam search for decoder-only models: the CausalLM side of generation::beam_search.
//
// As transformers: each left-padded prompt becomes num_beams adjacent rows, the KV cache, the
// attention mask and the position ids follow the beams (row i continues old row rows[i]).
// The prompt is run once per input (not once per beam: the beams are copies of it until the
// first step) and the cache rows are then copied num_beams times.
#include <cstdint>
#include <memory>
#include <span>
#include <stop_token>
#include <vector>

#include "generation/beam_search.h"
#include "hf/causal_lm.h"

namespace hf::generation {

class CausalBeamModel : public BeamSearchModel {
 public:
  // `prompt_mask`: one row per input (1 = real token, 0 = left padding), all the prompt's length.
  // `capacity`: positions per row (prompt + new tokens).
  CausalBeamModel(const CausalLM& model, std::vector<std::vector<uint8_t>> prompt_mask, int num_beams,
                  int64_t capacity);
  Tensor next_logits(const std::vector<std::vector<int32_t>>& sequences) override;
  void reorder(std::span<const int32_t> rows) override;

 private:
  Tensor prefill(const std::vector<std::vector<int32_t>>& sequences);

  const CausalLM& model_;
  int num_beams_;
  int64_t capacity_;
  std::unique_ptr<KVCache> cache_;
  std::vector<std::vector<uint8_t>> mask_;  // per row: the mask over the cached positions
  std::vector<int32_t> next_pos_;           // per row: the position id of the next token
  bool any_padding_ = false;
};

// Beam search over `prompts` (left-padded to one length, with their masks); the result is
// beam_search's (sequences = padded prompt + generated tokens, scores, hypotheses).
BeamSearchOutput causal_beam_search(const CausalLM& model, const std::vector<std::vector<int32_t>>& prompts,
                                    const std::vector<std::vector<uint8_t>>& prompt_mask,
                                    const LogitsProcessorList& processors, const StoppingCriteriaList& criteria,
                                    const BeamSearchOptions& options, std::stop_token stop = {});

}  // namespace hf::generation
