// The CausalLM side of beam search: prefill once per input, then one token per beam per step.
#include "generation/causal_beam_search.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "hf/error.h"

namespace hf::generation {

CausalBeamModel::CausalBeamModel(const CausalLM& model, std::vector<std::vector<uint8_t>> prompt_mask, int num_beams,
                                 int64_t capacity)
    : model_(model), num_beams_(num_beams), capacity_(capacity), mask_(std::move(prompt_mask)) {
  for (const auto& m : mask_)
    for (uint8_t v : m) any_padding_ = any_padding_ || v == 0;
}

Tensor CausalBeamModel::prefill(const std::vector<std::vector<int32_t>>& sequences) {
  const int batch = static_cast<int>(mask_.size());
  if (static_cast<int>(sequences.size()) != batch * num_beams_)
    throw InputError("beam search: " + std::to_string(sequences.size()) + " rows for " + std::to_string(batch) +
                     " prompts × " + std::to_string(num_beams_) + " beams");
  const int len = static_cast<int>(mask_[0].size());
  std::vector<int32_t> ids, pos;
  std::vector<uint8_t> mask;
  for (int b = 0; b < batch; ++b) {
    const auto& row = sequences[static_cast<size_t>(b) * num_beams_];  // the beams are copies of the prompt
    if (static_cast<int>(row.size()) != len || static_cast<int>(mask_[b].size()) != len)
      throw InputError("beam search: prompt row " + std::to_string(b) + " and its mask differ in length");
    int32_t cum = 0;
    for (int j = 0; j < len; ++j) {
      cum += mask_[b][j];
      ids.push_back(row[j]);
      pos.push_back(mask_[b][j] ? cum - 1 : 1);  // cumsum(mask) - 1, padding at 1 (transformers)
    }
    mask.insert(mask.end(), mask_[b].begin(), mask_[b].end());
    next_pos_.push_back(cum);
  }
  cache_ = model_.new_cache(batch, capacity_);
  ForwardInput in;
  in.batch = batch;
  in.seq = len;
  in.input_ids = ids;
  in.position_ids = pos;
  if (any_padding_) in.attention_mask = mask;
  Tensor logits = model_.forward(in, *cache_);

  // Every beam of input b starts as a copy of row b: cache, mask, positions and logits.
  std::vector<int32_t> expand;
  for (int b = 0; b < batch; ++b) expand.insert(expand.end(), num_beams_, b);
  reorder(expand);
  const int64_t vocab = logits.dim(-1);
  Tensor out = Tensor::zeros(DType::F32, {static_cast<int64_t>(expand.size()), vocab});
  for (size_t r = 0; r < expand.size(); ++r)
    std::memcpy(out.mutable_data_as<float>() + r * vocab, logits.data_as<float>() + expand[r] * vocab,
                sizeof(float) * vocab);
  return out;
}

Tensor CausalBeamModel::next_logits(const std::vector<std::vector<int32_t>>& sequences) {
  if (!cache_) return prefill(sequences);
  const int rows = static_cast<int>(sequences.size());
  if (rows != static_cast<int>(mask_.size()))
    throw InputError("beam search: " + std::to_string(rows) + " rows but the cache holds " +
                     std::to_string(mask_.size()));
  std::vector<int32_t> ids(rows);
  std::vector<uint8_t> mask;
  for (int r = 0; r < rows; ++r) {
    ids[r] = sequences[r].back();
    mask_[r].push_back(1);
    if (any_padding_) mask.insert(mask.end(), mask_[r].begin(), mask_[r].end());
  }
  ForwardInput in;
  in.batch = rows;
  in.seq = 1;
  in.input_ids = ids;
  in.position_ids = next_pos_;
  if (any_padding_) in.attention_mask = mask;
  Tensor logits = model_.forward(in, *cache_);
  for (int32_t& p : next_pos_) ++p;
  return logits;
}

void CausalBeamModel::reorder(std::span<const int32_t> rows) {
  if (!cache_) throw InputError("beam search: reorder before the first step");
  cache_->reorder(rows);
  std::vector<std::vector<uint8_t>> masks;
  std::vector<int32_t> positions;
  for (int32_t r : rows) {
    masks.push_back(mask_[r]);
    positions.push_back(next_pos_[r]);
  }
  mask_ = std::move(masks);
  next_pos_ = std::move(positions);
}

BeamSearchOutput causal_beam_search(const CausalLM& model, const std::vector<std::vector<int32_t>>& prompts,
                                    const std::vector<std::vector<uint8_t>>& prompt_mask,
                                    const LogitsProcessorList& processors, const StoppingCriteriaList& criteria,
                                    const BeamSearchOptions& options, std::stop_token stop) {
  if (prompts.size() != prompt_mask.size())
    throw InputError("beam search: " + std::to_string(prompts.size()) + " prompts but " +
                     std::to_string(prompt_mask.size()) + " mask rows");
  const int64_t capacity = std::max<int64_t>(options.max_length, prompts.empty() ? 1 : prompts[0].size() + 1);
  CausalBeamModel adapter(model, prompt_mask, options.num_beams, capacity);
  return beam_search(adapter, prompts, processors, criteria, options, stop);
}

}  // namespace hf::generation
