// TokenSampler: generate()'s per-row choice (processors + greedy/multinomial) packaged for one
// sequence with its own RNG.
#include "hf/token_sampler.h"

#include <vector>

#include "generation/logits_processors.h"
#include "generation/sampling.h"

namespace hf {

struct TokenSampler::Impl {
  GenerationConfig config;
  generation::LogitsProcessorList processors;
  generation::Sampler sampler;
  bool sampling = false;
  Impl(GenerationConfig c, int prompt_length, int max_length)
      : config(std::move(c)),
        processors(generation::build_logits_processors(config, prompt_length, max_length)),
        sampler(config.seed),
        sampling(config.do_sample.value_or(false)) {}
};

namespace {
GenerationConfig resolve(const GenerationConfig& call, const GenerationConfig& model_defaults) {
  GenerationConfig c = call.merged_over(model_defaults).with_defaults();
  c.validate();
  return c;
}
}  // namespace

TokenSampler::TokenSampler(const GenerationConfig& config, const GenerationConfig& model_defaults, int prompt_length,
                           int max_length)
    : impl_(std::make_unique<Impl>(resolve(config, model_defaults), prompt_length, max_length)) {}
TokenSampler::~TokenSampler() = default;
TokenSampler::TokenSampler(TokenSampler&&) noexcept = default;
TokenSampler& TokenSampler::operator=(TokenSampler&&) noexcept = default;

int32_t TokenSampler::next(std::span<const int32_t> ids, std::span<float> scores) {
  generation::apply_processors(impl_->processors, ids, scores);
  return impl_->sampling ? impl_->sampler.sample(scores) : generation::argmax(scores);
}

const GenerationConfig& TokenSampler::config() const { return impl_->config; }

}  // namespace hf
