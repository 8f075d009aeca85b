// generate() for encoder–decoder models: encode once, then transformers' `_sample` loop (greedy
// or multinomial) or beam search over the decoder.
#include <algorithm>

#include "generation/beam_search.h"
#include "generation/length.h"
#include "generation/logits_processors.h"
#include "generation/sampling.h"
#include "generation/stopping_criteria.h"
#include "hf/error.h"
#include "hf/seq2seq.h"
#include "hf/streamers.h"

namespace hf {
namespace {

// Beam search drives the decoder through this: the newest token of each row, one step at a time.
class DecoderSteps : public generation::BeamSearchModel {
 public:
  DecoderSteps(const Seq2SeqLM& model, Seq2SeqState& state) : model_(model), state_(state) {}
  Tensor next_logits(const std::vector<std::vector<int32_t>>& sequences) override {
    std::vector<int32_t> last(sequences.size());
    for (size_t r = 0; r < sequences.size(); ++r) last[r] = sequences[r].back();
    return model_.decode(last, state_);
  }
  void reorder(std::span<const int32_t> rows) override { state_.reorder(rows); }

 private:
  const Seq2SeqLM& model_;
  Seq2SeqState& state_;
};

// The batch as the encoder sees it: right-padded ids and mask, row-major.
struct EncoderBatch {
  int batch = 0, seq = 0;
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
};

EncoderBatch right_pad(const BatchEncoding& in, int32_t pad) {
  if (in.input_ids.empty()) throw InputError("generate: the batch is empty (no input_ids rows)");
  if (!in.attention_mask.empty() && in.attention_mask.size() != in.input_ids.size())
    throw InputError("generate: attention_mask has " + std::to_string(in.attention_mask.size()) +
                     " rows but input_ids has " + std::to_string(in.input_ids.size()));
  EncoderBatch b;
  b.batch = static_cast<int>(in.input_ids.size());
  for (const auto& r : in.input_ids) b.seq = std::max(b.seq, static_cast<int>(r.size()));
  for (size_t i = 0; i < in.input_ids.size(); ++i) {
    const auto& r = in.input_ids[i];
    if (r.empty()) throw InputError("generate: row " + std::to_string(i) + " of input_ids is empty (a tokenizer always adds </s>)");
    if (!in.attention_mask.empty() && in.attention_mask[i].size() != r.size())
      throw InputError("generate: row " + std::to_string(i) + " has " + std::to_string(r.size()) + " ids but " +
                       std::to_string(in.attention_mask[i].size()) + " attention_mask values");
    for (int j = 0; j < b.seq; ++j) {
      const bool real = j < static_cast<int>(r.size());
      b.ids.push_back(real ? r[j] : pad);
      b.mask.push_back(real && (in.attention_mask.empty() || in.attention_mask[i][j] != 0));
    }
  }
  return b;
}

generation::EarlyStopping early_stopping_mode(const GenerationConfig& cfg, std::optional<BeamEarlyStopping> over) {
  if (over) return *over == BeamEarlyStopping::True    ? generation::EarlyStopping::True
                   : *over == BeamEarlyStopping::Never ? generation::EarlyStopping::Never
                                                       : generation::EarlyStopping::False;
  return generation::early_stopping_of(cfg);
}

}  // namespace

Seq2SeqGenerateOutput generate(const Seq2SeqLM& model, const BatchEncoding& inputs, const GenerationConfig& config,
                               const GenerationConfig& model_defaults, std::optional<BeamEarlyStopping> early_stopping) {
  const GenerationConfig asked = config.merged_over(model_defaults);
  GenerationConfig cfg = asked.with_defaults();
  if (!cfg.pad_token_id && cfg.eos_token_id && !cfg.eos_token_id->empty()) cfg.pad_token_id = cfg.eos_token_id->front();
  cfg.validate();
  const std::optional<int32_t> start = cfg.decoder_start_token_id ? cfg.decoder_start_token_id : cfg.bos_token_id;
  if (!start)
    throw InputError("generate: no decoder_start_token_id (nor bos_token_id) in the generation config; "
                     "an encoder-decoder model needs one to start the decoder");
  const int32_t pad = cfg.pad_token_id.value_or(0);
  const int num_beams = *cfg.num_beams, n_return = *cfg.num_return_sequences;
  const bool sampling = *cfg.do_sample;
  const int max_length = generation::resolve_max_length(asked, 1, model.max_position_embeddings());
  if (max_length < 2) throw InputError("generate: max_length " + std::to_string(max_length) + " leaves no room for a new token");

  EncoderBatch b = right_pad(inputs, pad);
  const int expand = num_beams > 1 ? num_beams : n_return;
  auto state = model.encode(b.batch, b.seq, b.ids, b.mask, expand, max_length);
  const auto processors = generation::build_logits_processors(cfg, 1, max_length);
  const auto criteria = generation::build_stopping_criteria(cfg, max_length);

  Seq2SeqGenerateOutput out;
  if (num_beams > 1) {
    if (sampling) throw InputError("generate: beam sampling (num_beams > 1 with do_sample) is not supported; use one or the other");
    if (config.streamer || model_defaults.streamer)
      throw InputError("generate: a streamer cannot be used with beam search (as in transformers); use num_beams = 1");
    generation::BeamSearchOptions o;
    o.num_beams = num_beams;
    o.length_penalty = *cfg.length_penalty;
    o.early_stopping = early_stopping_mode(cfg, early_stopping);
    o.max_length = max_length;
    o.num_return_sequences = n_return;
    o.eos_token_id = cfg.eos_token_id.value_or(std::vector<int32_t>{});
    o.pad_token_id = pad;
    DecoderSteps steps(model, *state);
    auto r = generation::beam_search(steps, std::vector<std::vector<int32_t>>(b.batch, {*start}), processors, criteria,
                                     o, config.stop_token);
    out.sequences = std::move(r.sequences);
    out.sequences_scores = std::move(r.sequences_scores);
    for (auto& hyps : r.hypotheses) {
      out.hypotheses.emplace_back();
      for (auto& h : hyps) out.hypotheses.back().push_back({std::move(h.sequence), h.score});
    }
    return out;
  }

  // `_sample`: processors on the raw logits, argmax (or a draw), finished rows get the pad id.
  // transformers keeps feeding finished rows to the model; their logits are never used, so here
  // they leave the decoder batch (the state is reordered to the rows still running).
  const int rows = state->rows();
  std::vector<std::vector<int32_t>> seqs(rows, std::vector<int32_t>{*start});
  std::vector<int32_t> active(rows);  // the sequence row of each decoder row
  for (int r = 0; r < rows; ++r) active[r] = r;
  generation::Sampler sampler(cfg.seed);
  BaseStreamer* streamer = cfg.streamer;
  if (streamer) streamer->put(std::vector<int32_t>(rows, *start), rows);  // the decoder "prompt"
  while (!active.empty() && !config.stop_token.stop_requested() && !(streamer && streamer->stop_requested())) {
    std::vector<int32_t> last(active.size());
    for (size_t i = 0; i < active.size(); ++i) last[i] = seqs[active[i]].back();
    Tensor logits = model.decode(last, *state);
    const int64_t V = logits.dim(1);
    std::vector<int32_t> keep, still_active;
    for (size_t i = 0; i < active.size(); ++i) {
      std::vector<int32_t>& seq = seqs[active[i]];
      std::span<float> scores(logits.mutable_data_as<float>() + i * V, V);
      generation::apply_processors(processors, seq, scores);
      seq.push_back(sampling ? sampler.sample(scores) : generation::argmax(scores));
      if (!generation::any_criterion(criteria, seq)) {
        keep.push_back(static_cast<int32_t>(i));
        still_active.push_back(active[i]);
      }
    }
    if (streamer) {  // every row's token of this step; rows that finished earlier get the pad id
      std::vector<int32_t> step(rows, pad);
      for (int32_t r : active) step[r] = seqs[r].back();
      streamer->put(step, rows);
    }
    if (!still_active.empty() && still_active.size() != active.size()) state->reorder(keep);
    active = std::move(still_active);
  }
  if (streamer) streamer->end();
  size_t longest = 0;
  for (const auto& seq : seqs) longest = std::max(longest, seq.size());
  for (auto& seq : seqs) seq.resize(longest, pad);  // finished rows are filled with pad_token_id
  out.sequences = std::move(seqs);
  return out;
}

}  // namespace hf
