// The processor list of one generate() call, in transformers' `_get_logits_processor` order.
#include "generation/logits_processors.h"

#include "generation/constrained/grammar_processor.h"

namespace hf::generation {

void apply_processors(const LogitsProcessorList& list, std::span<const int32_t> input_ids, std::span<float> scores) {
  for (const auto& p : list) (*p)(input_ids, scores);
}

LogitsProcessorList build_logits_processors(const GenerationConfig& c, int input_length, int max_length) {
  LogitsProcessorList list;
  const std::vector<int32_t> eos = c.eos_token_id.value_or(std::vector<int32_t>{});
  if (c.repetition_penalty && *c.repetition_penalty != 1.0f)
    list.push_back(std::make_unique<RepetitionPenaltyLogitsProcessor>(*c.repetition_penalty));
  if (c.no_repeat_ngram_size && *c.no_repeat_ngram_size > 0)
    list.push_back(std::make_unique<NoRepeatNGramLogitsProcessor>(*c.no_repeat_ngram_size));
  if (c.bad_words_ids) list.push_back(std::make_unique<NoBadWordsLogitsProcessor>(*c.bad_words_ids, eos));
  if (c.min_length && *c.min_length > 0 && !eos.empty())
    list.push_back(std::make_unique<MinLengthLogitsProcessor>(*c.min_length, eos));
  if (c.min_new_tokens && *c.min_new_tokens > 0 && !eos.empty())
    list.push_back(std::make_unique<MinNewTokensLengthLogitsProcessor>(input_length, *c.min_new_tokens, eos));
  if (c.forced_bos_token_id) list.push_back(std::make_unique<ForcedBOSTokenLogitsProcessor>(*c.forced_bos_token_id));
  if (c.forced_eos_token_id)
    list.push_back(std::make_unique<ForcedEOSTokenLogitsProcessor>(max_length, std::vector<int32_t>{*c.forced_eos_token_id}));
  // Before the warpers: top-k/top-p then choose among tokens the grammar allows (after them
  // they could keep only tokens it forbids).
  if (c.response_format) list.push_back(make_grammar_processor(c, input_length, max_length));
  if (c.do_sample.value_or(false)) {
    // Beam sampling must keep enough candidates to replace beams that end on eos.
    const int min_keep = c.num_beams.value_or(1) > 1 ? static_cast<int>(eos.size()) + 1 : 1;
    if (c.temperature && *c.temperature != 1.0f) list.push_back(std::make_unique<TemperatureLogitsWarper>(*c.temperature));
    if (c.top_k && *c.top_k != 0) list.push_back(std::make_unique<TopKLogitsWarper>(*c.top_k, min_keep));
    if (c.top_p && *c.top_p < 1.0f) list.push_back(std::make_unique<TopPLogitsWarper>(*c.top_p, min_keep));
    if (c.min_p) list.push_back(std::make_unique<MinPLogitsWarper>(*c.min_p, min_keep));
    if (c.typical_p && *c.typical_p < 1.0f) list.push_back(std::make_unique<TypicalLogitsWarper>(*c.typical_p, min_keep));
  }
  if (c.renormalize_logits.value_or(false)) list.push_back(std::make_unique<LogitNormalization>());
  return list;
}

}  // namespace hf::generation
