#pragma once
// TokenSampler: the next-token choice of ONE sequence, exactly as generate() makes it for a row
// (transformers' logits processors for the resolved config, then greedy argmax or a draw from
// softmax), with its own seeded RNG. A server running many requests in one batch keeps one per
// request, so a seeded request gives the same tokens alone or among others.
//
//   hf::TokenSampler sampler({.do_sample = true, .seed = 7}, model.generation_config(), prompt.size(), max_length);
//   int32_t next = sampler.next(ids_so_far, logits);   // logits are modified in place
#include <cstdint>
#include <memory>
#include <span>

#include "hf/export.h"
#include "hf/generation_config.h"

namespace hf {

class HF_API TokenSampler {
 public:
  // `config` stacked over `model_defaults`, then transformers' defaults, then validated
  // (hf::InputError for e.g. temperature <= 0). `prompt_length` / `max_length` feed the
  // length-dependent processors (min_new_tokens, forced_eos) as in generate().
  TokenSampler(const GenerationConfig& config, const GenerationConfig& model_defaults, int prompt_length,
               int max_length);
  ~TokenSampler();
  TokenSampler(TokenSampler&&) noexcept;
  TokenSampler& operator=(TokenSampler&&) noexcept;

  // `ids`: the whole sequence so far (prompt, then generated tokens); `scores`: its next-token
  // logits, processed in place (removed tokens become -inf). Returns the chosen id.
  int32_t next(std::span<const int32_t> ids, std::span<float> scores);
  // The resolved configuration (every field set).
  const GenerationConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hf
