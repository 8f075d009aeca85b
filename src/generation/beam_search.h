#pragma once
// Beam search with transformers' semantics (the vectorised `_beam_search` of transformers >= 4.50,
// with the per-sentence early stop of PR #38778), generic over the model: encoder–decoder and
// decoder-only models plug in through BeamSearchModel.
//
// Per step: scores = log_softmax(logits) → logits processors → + running beam score; the top
// max(2, 1 + #eos) × num_beams candidates over beam × vocab; candidates that hit a stopping
// criterion (eos, max_length...) among the first num_beams become hypotheses scored
// sum_logprobs / generated_len^length_penalty; the best num_beams non-finished ones run on.
// A sentence is done when its num_beams hypothesis slots are full and the best running beam
// cannot beat the worst kept one (early_stopping False/"never" heuristics, True = as soon as full).
#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

#include "generation/logits_processors.h"
#include "generation/stopping_criteria.h"
#include "hf/tensor.h"

namespace hf::generation {

// The model side. Rows are batch × num_beams, beams of one input adjacent.
class BeamSearchModel {
 public:
  virtual ~BeamSearchModel() = default;
  // Float32 logits [rows, vocab] for the position after `sequences[row]` (each row holds the
  // prompt and the tokens chosen so far; only the last one is new after the first call).
  virtual Tensor next_logits(const std::vector<std::vector<int32_t>>& sequences) = 0;
  // Row i continues old row rows[i] (the KV cache follows the beams).
  virtual void reorder(std::span<const int32_t> rows) = 0;
};

enum class EarlyStopping { False, True, Never };

// The mode a resolved config asks for (early_stopping true / false / "never").
inline EarlyStopping early_stopping_of(const GenerationConfig& c) {
  if (c.early_stopping_never) return EarlyStopping::Never;
  return c.early_stopping.value_or(false) ? EarlyStopping::True : EarlyStopping::False;
}

struct BeamSearchOptions {
  int num_beams = 1;
  float length_penalty = 1.0f;
  EarlyStopping early_stopping = EarlyStopping::False;
  int max_length = 20;               // total (prompt + generated)
  int num_return_sequences = 1;      // <= num_beams
  std::vector<int32_t> eos_token_id;
  int32_t pad_token_id = 0;
};

struct BeamHypothesis {
  std::vector<int32_t> sequence;     // prompt + generated tokens (eos included when it ended so)
  float score = 0;                   // sum_logprobs / generated_len^length_penalty
};

struct BeamSearchOutput {
  // batch × num_return_sequences rows (best first per input), right-padded with pad_token_id to
  // the longest returned row.
  std::vector<std::vector<int32_t>> sequences;
  std::vector<float> sequences_scores;
  // Every kept (finished) hypothesis of each input, best first.
  std::vector<std::vector<BeamHypothesis>> hypotheses;
  int steps = 0;                     // decoding steps run
};

// `prompts`: one row per input, all of the same length (decoder start ids, or a padded prompt).
// Throws hf::InputError for inconsistent options (num_return_sequences > num_beams, ...).
BeamSearchOutput beam_search(BeamSearchModel& model, const std::vector<std::vector<int32_t>>& prompts,
                             const LogitsProcessorList& processors, const StoppingCriteriaList& criteria,
                             const BeamSearchOptions& options, std::stop_token stop = {});

}  // namespace hf::generation
