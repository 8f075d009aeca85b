// generate() for decoder-only models: transformers' `_sample` loop (greedy or multinomial), or
// beam search (num_beams > 1).
#include <algorithm>
#include <cstring>
#include <string>

#include "core/log.h"
#include "generation/causal_beam_search.h"
#include "generation/length.h"
#include "generation/logits_processors.h"
#include "generation/sampling.h"
#include "generation/stopping_criteria.h"
#include "hf/error.h"
#include "hf/generation.h"
#include "hf/streamers.h"

namespace hf {

std::vector<std::vector<int32_t>> GenerateOutput::new_tokens() const {
  std::vector<std::vector<int32_t>> out;
  out.reserve(sequences.size());
  for (const auto& s : sequences) out.emplace_back(s.begin() + std::min<size_t>(prompt_length, s.size()), s.end());
  return out;
}

namespace {

// The batch as the model sees it: rows left-padded to one length, with their masks.
struct Batch {
  int rows = 0, length = 0;
  std::vector<std::vector<int32_t>> ids;
  std::vector<std::vector<uint8_t>> mask;
};

Batch left_pad(const BatchEncoding& in, int32_t pad, int copies) {
  if (in.input_ids.empty()) throw InputError("generate: the batch is empty (no input_ids rows)");
  if (!in.attention_mask.empty() && in.attention_mask.size() != in.input_ids.size())
    throw InputError("generate: attention_mask has " + std::to_string(in.attention_mask.size()) +
                     " rows but input_ids has " + std::to_string(in.input_ids.size()));
  Batch b;
  for (const auto& r : in.input_ids) b.length = std::max(b.length, static_cast<int>(r.size()));
  bool right_padding = false;
  for (size_t i = 0; i < in.input_ids.size(); ++i) {
    const auto& r = in.input_ids[i];
    if (r.empty()) throw InputError("generate: row " + std::to_string(i) + " of input_ids is empty; give a prompt of at least one token");
    std::vector<uint8_t> m(r.size(), 1);
    if (!in.attention_mask.empty()) {
      const auto& src = in.attention_mask[i];
      if (src.size() != r.size())
        throw InputError("generate: row " + std::to_string(i) + " has " + std::to_string(r.size()) +
                         " ids but " + std::to_string(src.size()) + " attention_mask values");
      for (size_t j = 0; j < r.size(); ++j) m[j] = src[j] != 0;
      if (!m.empty() && m.back() == 0) right_padding = true;
    }
    const size_t pad_n = b.length - r.size();
    std::vector<int32_t> ids(pad_n, pad);
    ids.insert(ids.end(), r.begin(), r.end());
    m.insert(m.begin(), pad_n, 0);
    for (int c = 0; c < copies; ++c) {  // num_return_sequences: adjacent copies (repeat_interleave)
      b.ids.push_back(ids);
      b.mask.push_back(m);
    }
  }
  if (right_padding)
    warn("generate: right-padding was detected in a decoder-only batch; for correct results pad on the left "
         "(padding_side = \"left\")");
  b.rows = static_cast<int>(b.ids.size());
  return b;
}

// Beam search (generation/causal_beam_search.h): the best num_return_sequences beams per input.
GenerateOutput beam_generate(const CausalLM& model, const Batch& b, const generation::LogitsProcessorList& processors,
                             const generation::StoppingCriteriaList& criteria, const GenerationConfig& cfg,
                             int max_length) {
  generation::BeamSearchOptions o;
  o.num_beams = *cfg.num_beams;
  o.length_penalty = cfg.length_penalty.value_or(1.0f);
  o.early_stopping = generation::early_stopping_of(cfg);
  o.max_length = max_length;
  o.num_return_sequences = cfg.num_return_sequences.value_or(1);
  o.eos_token_id = cfg.eos_token_id.value_or(std::vector<int32_t>{});
  o.pad_token_id = cfg.pad_token_id.value_or(0);
  auto r = generation::causal_beam_search(model, b.ids, b.mask, processors, criteria, o, cfg.stop_token);
  GenerateOutput out;
  out.sequences = std::move(r.sequences);
  out.prompt_length = b.length;
  return out;
}

}  // namespace

namespace {
GenerateOutput generate_impl(const CausalLM& model, const BatchEncoding& inputs, const GenerationConfig& call,
                             const GenerationConfig& model_defaults);
}

GenerateOutput generate(const CausalLM& model, const BatchEncoding& inputs, const GenerationConfig& call,
                        const GenerationConfig& model_defaults) {
  try {
    return generate_impl(model, inputs, call, model_defaults);
  } catch (...) {
    // The stream must end even on error: a consumer iterating a TextIteratorStreamer would
    // otherwise wait forever.
    if (BaseStreamer* s = call.streamer ? call.streamer : model_defaults.streamer) {
      try {
        s->end();
      } catch (...) {
      }
    }
    // A cache left half-written would not match its ids: the next call starts afresh.
    if (DynamicCache* past = call.past_key_values ? call.past_key_values : model_defaults.past_key_values) past->reset();
    throw;
  }
}

namespace {
GenerateOutput generate_impl(const CausalLM& model, const BatchEncoding& inputs, const GenerationConfig& call,
                             const GenerationConfig& model_defaults) {
  const GenerationConfig asked = call.merged_over(model_defaults);
  const int64_t context = model.config().max_position_embeddings;

  GenerationConfig cfg = asked.with_defaults();
  if (!cfg.pad_token_id && cfg.eos_token_id && !cfg.eos_token_id->empty()) {
    // transformers warns too: open-end generation pads finished rows with the first eos.
    cfg.pad_token_id = cfg.eos_token_id->front();
  }
  cfg.validate();
  const int num_beams = cfg.num_beams.value_or(1);
  if (cfg.past_key_values && (num_beams > 1 || inputs.input_ids.size() != 1 || *cfg.num_return_sequences != 1))
    throw InputError("generate: past_key_values (a DynamicCache) holds one conversation: give one prompt row, "
                     "num_beams = 1 and num_return_sequences = 1");
  if (num_beams > 1) {
    if (cfg.output_logits) throw InputError("generate: output_logits is not available with beam search");
    if (cfg.streamer)  // transformers' ValueError
      throw InputError("`streamer` cannot be used with beam search (yet!). Make sure that `num_beams` is set to 1.");
    if (*cfg.do_sample)
      throw InputError("generate: num_beams > 1 with do_sample = true (beam sampling) is not supported yet; set "
                       "do_sample = false (hfcpp: --greedy) for beam search, or num_beams = 1 to sample");
  }
  const int32_t pad = cfg.pad_token_id.value_or(0);

  Batch b = left_pad(inputs, pad, num_beams > 1 ? 1 : *cfg.num_return_sequences);
  const int prompt_len = b.length;
  if (context > 0 && prompt_len > context)
    throw InputError("generate: the prompt has " + std::to_string(prompt_len) +
                     " tokens but the model's context (max_position_embeddings) is " + std::to_string(context) +
                     " tokens; shorten the prompt");
  const int max_length = generation::resolve_max_length(asked, prompt_len, context);
  if (context > 0 && max_length > context)
    warn("generate: max_length " + std::to_string(max_length) + " exceeds the model's max_position_embeddings " +
         std::to_string(context) + "; output past it may be degenerate");

  const auto processors = generation::build_logits_processors(cfg, prompt_len, max_length);
  const auto criteria = generation::build_stopping_criteria(cfg, max_length);
  if (num_beams > 1) return beam_generate(model, b, processors, criteria, cfg, max_length);
  const bool sampling = *cfg.do_sample;
  generation::Sampler sampler(cfg.seed);
  BaseStreamer* streamer = cfg.streamer;

  const int rows = b.rows;
  // A conversation's cache lives across calls, so it is sized for the whole context (storage
  // grows as it fills); its common prefix with this prompt is not prefilled again.
  DynamicCache* past = cfg.past_key_values;
  const int64_t capacity = std::max<int64_t>({max_length, prompt_len + 1, past ? context : 0});
  std::unique_ptr<KVCache> own_cache;
  int cached = 0;
  if (past) cached = static_cast<int>(past->reuse_for(model, b.ids[0], capacity));
  else own_cache = model.new_cache(rows, capacity);
  KVCache& cache = past ? past->kv() : *own_cache;

  // Positions: cumsum(mask) - 1, with padding positions set to 1 (as transformers does).
  std::vector<int32_t> next_pos(rows);
  std::vector<int32_t> flat_ids, flat_pos;
  std::vector<uint8_t> flat_mask;
  bool any_padding = false;
  for (int r = 0; r < rows; ++r) {
    int32_t cum = 0;
    for (int j = 0; j < prompt_len; ++j) {
      cum += b.mask[r][j];
      if (!b.mask[r][j]) any_padding = true;
      if (j < cached) continue;  // in the cache already (one unpadded row)
      flat_ids.push_back(b.ids[r][j]);
      flat_pos.push_back(b.mask[r][j] ? cum - 1 : 1);
    }
    next_pos[r] = cum;
  }

  if (streamer) {
    std::vector<int32_t> prompt;
    for (const auto& r : b.ids) prompt.insert(prompt.end(), r.begin(), r.end());
    streamer->put(prompt, rows);
  }

  std::vector<uint8_t> finished(rows, 0);
  std::vector<float> scores;
  std::vector<int32_t> step_tokens(rows);
  std::vector<Tensor> step_logits;
  int seq = prompt_len - cached;
  for (;;) {
    ForwardInput fin;
    fin.batch = rows;
    fin.seq = seq;
    fin.input_ids = flat_ids;
    fin.position_ids = flat_pos;
    if (any_padding) {
      flat_mask.clear();
      for (const auto& m : b.mask) flat_mask.insert(flat_mask.end(), m.begin(), m.end());
      fin.attention_mask = flat_mask;
    }
    Tensor logits = model.forward(fin, cache);
    const int64_t vocab = logits.dim(-1);
    const float* all = logits.data_as<float>();
    if (cfg.output_logits) {  // a copy: the model may reuse the buffer at the next step
      Tensor kept = Tensor::zeros(DType::F32, {rows, vocab});
      std::memcpy(kept.mutable_data(), all, kept.nbytes());
      step_logits.push_back(std::move(kept));
    }

    for (int r = 0; r < rows; ++r) {
      if (finished[r]) {
        step_tokens[r] = pad;
        continue;
      }
      std::span<const float> row(all + r * vocab, vocab);
      if (processors.empty() && !sampling) {
        step_tokens[r] = generation::argmax(row);
        continue;
      }
      scores.assign(row.begin(), row.end());
      generation::apply_processors(processors, b.ids[r], scores);
      step_tokens[r] = sampling ? sampler.sample(scores) : generation::argmax(scores);
    }
    for (int r = 0; r < rows; ++r) {
      b.ids[r].push_back(step_tokens[r]);
      b.mask[r].push_back(1);
    }
    if (streamer) streamer->put(step_tokens, rows);
    bool all_done = true;
    for (int r = 0; r < rows; ++r) {
      if (!finished[r] && generation::any_criterion(criteria, b.ids[r])) finished[r] = 1;
      all_done = all_done && finished[r];
    }
    const bool cancelled = cfg.stop_token.stop_requested() || (streamer && streamer->stop_requested());
    if (all_done || cancelled) break;

    seq = 1;
    flat_ids.assign(step_tokens.begin(), step_tokens.end());
    flat_pos.assign(next_pos.begin(), next_pos.end());
    for (int32_t& p : next_pos) ++p;
  }
  if (streamer) streamer->end();
  // Every id fed to the model so far (the prompt and all new tokens but the last) is now cached.
  if (past) past->set_tokens(std::span<const int32_t>(b.ids[0]).first(cache.length()));

  GenerateOutput out;
  out.sequences = std::move(b.ids);
  out.prompt_length = prompt_len;
  out.cached_tokens = cached;
  out.logits = std::move(step_logits);
  return out;
}
}  // namespace

}  // namespace hf
