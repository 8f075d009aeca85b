// CausalLM's default multi-sequence pass: one forward() per sequence. Models that can share the
// weight reads across sequences (DecoderLM) override it; the results must be the same.
#include <cstring>

#include "hf/causal_lm.h"
#include "hf/error.h"

namespace hf {

Tensor CausalLM::forward_sequences(std::span<const SequenceInput> sequences) const {
  const int64_t vocab = config().vocab_size;
  Tensor logits = Tensor::zeros(DType::F32, {static_cast<int64_t>(sequences.size()), vocab});
  float* out = logits.mutable_data_as<float>();
  for (size_t i = 0; i < sequences.size(); ++i) {
    const SequenceInput& s = sequences[i];
    if (s.cache == nullptr || s.cache->batch() != 1)
      throw InputError("forward_sequences: sequence " + std::to_string(i) + " needs its own single-row cache");
    if (s.input_ids.empty()) throw InputError("forward_sequences: sequence " + std::to_string(i) + " has no new tokens");
    ForwardInput in;
    in.batch = 1;
    in.seq = static_cast<int>(s.input_ids.size());
    in.input_ids = s.input_ids;
    Tensor row = forward(in, *s.cache);
    std::memcpy(out + i * vocab, row.data_as<float>(), static_cast<size_t>(vocab) * sizeof(float));
  }
  return logits;
}

}  // namespace hf
