#pragma once
// Logits processors and warpers: transformers' LogitsProcessor classes, one small file each
// (src/generation/processors/*.cpp), applied in transformers' order by `build_logits_processors`.
//
// A processor sees ONE row at a time: `input_ids` is that row's whole sequence so far exactly as
// transformers' `input_ids` (prompt with its left padding, then the generated tokens), and
// `scores` its float32 next-token logits, modified in place. Removed tokens get -infinity, as
// transformers' `filter_value`. Processors are immutable after construction, so one list serves
// every row and every step of a generate() call.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "hf/generation_config.h"

namespace hf::generation {

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  virtual void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const = 0;
  virtual const char* name() const = 0;  // transformers' class name, for logs and tests
};

using LogitsProcessorList = std::vector<std::unique_ptr<const LogitsProcessor>>;

// Runs each processor in order on one row.
void apply_processors(const LogitsProcessorList& list, std::span<const int32_t> input_ids, std::span<float> scores);

// transformers' `_get_logits_processor` for a resolved config (see hf-semantics §5.4):
// repetition_penalty → no_repeat_ngram → bad_words → min_length → min_new_tokens → forced_bos →
// forced_eos, then when do_sample: temperature → top_k → top_p → min_p → typical_p; finally
// renormalize. `input_length` is the prompt length (decoder-only) or decoder start length
// (encoder-decoder); `max_length` the resolved total length (for forced_eos).
LogitsProcessorList build_logits_processors(const GenerationConfig& resolved, int input_length, int max_length);

// --- the processors (transformers' names and semantics) ---

// Each id present in input_ids (once): s < 0 ? s * penalty : s / penalty.
class RepetitionPenaltyLogitsProcessor : public LogitsProcessor {
 public:
  explicit RepetitionPenaltyLogitsProcessor(float penalty);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "RepetitionPenaltyLogitsProcessor"; }
 private:
  float penalty_;
};

// Bans every token that would complete an n-gram already present in input_ids.
class NoRepeatNGramLogitsProcessor : public LogitsProcessor {
 public:
  explicit NoRepeatNGramLogitsProcessor(int ngram_size);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "NoRepeatNGramLogitsProcessor"; }
 private:
  int n_;
};

// Bans the last token of each bad word whose other tokens end input_ids (single-token words
// always). Words equal to a lone eos id are dropped, as transformers does.
class NoBadWordsLogitsProcessor : public LogitsProcessor {
 public:
  NoBadWordsLogitsProcessor(std::vector<std::vector<int32_t>> bad_words_ids, std::vector<int32_t> eos_token_id);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "NoBadWordsLogitsProcessor"; }
 private:
  std::vector<std::vector<int32_t>> words_;
};

// eos ids get -inf while len(input_ids) < min_length.
class MinLengthLogitsProcessor : public LogitsProcessor {
 public:
  MinLengthLogitsProcessor(int min_length, std::vector<int32_t> eos_token_id);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "MinLengthLogitsProcessor"; }
 private:
  int min_length_;
  std::vector<int32_t> eos_;
};

// eos ids get -inf while len(input_ids) - prompt_length < min_new_tokens.
class MinNewTokensLengthLogitsProcessor : public LogitsProcessor {
 public:
  MinNewTokensLengthLogitsProcessor(int prompt_length, int min_new_tokens, std::vector<int32_t> eos_token_id);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "MinNewTokensLengthLogitsProcessor"; }
 private:
  int prompt_length_, min_new_tokens_;
  std::vector<int32_t> eos_;
};

// When len(input_ids) == 1: every score -inf except bos (0).
class ForcedBOSTokenLogitsProcessor : public LogitsProcessor {
 public:
  explicit ForcedBOSTokenLogitsProcessor(int32_t bos_token_id);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "ForcedBOSTokenLogitsProcessor"; }
 private:
  int32_t bos_;
};

// When len(input_ids) == max_length - 1: every score -inf except the eos ids (0).
class ForcedEOSTokenLogitsProcessor : public LogitsProcessor {
 public:
  ForcedEOSTokenLogitsProcessor(int max_length, std::vector<int32_t> eos_token_id);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "ForcedEOSTokenLogitsProcessor"; }
 private:
  int max_length_;
  std::vector<int32_t> eos_;
};

// scores / temperature (temperature > 0, checked by GenerationConfig::validate).
class TemperatureLogitsWarper : public LogitsProcessor {
 public:
  explicit TemperatureLogitsWarper(float temperature);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "TemperatureLogitsWarper"; }
 private:
  float temperature_;
};

// Keeps the scores >= the k-th largest (ties at the threshold kept); k = max(top_k, min_keep).
class TopKLogitsWarper : public LogitsProcessor {
 public:
  TopKLogitsWarper(int top_k, int min_tokens_to_keep = 1);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "TopKLogitsWarper"; }
 private:
  int k_;
};

// Nucleus: sorted ascending, removes tokens whose cumulative probability <= 1 - top_p; always
// keeps the min_tokens_to_keep most likely.
class TopPLogitsWarper : public LogitsProcessor {
 public:
  TopPLogitsWarper(float top_p, int min_tokens_to_keep = 1);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "TopPLogitsWarper"; }
 private:
  float top_p_;
  int min_keep_;
};

// Removes tokens with probability < min_p * max probability; keeps the min_tokens_to_keep best.
class MinPLogitsWarper : public LogitsProcessor {
 public:
  MinPLogitsWarper(float min_p, int min_tokens_to_keep = 1);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "MinPLogitsWarper"; }
 private:
  float min_p_;
  int min_keep_;
};

// Locally typical sampling: keeps the tokens whose surprisal is closest to the entropy until
// their mass reaches typical_p.
class TypicalLogitsWarper : public LogitsProcessor {
 public:
  TypicalLogitsWarper(float mass, int min_tokens_to_keep = 1);
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "TypicalLogitsWarper"; }
 private:
  float mass_;
  int min_keep_;
};

// log_softmax of the scores (renormalize_logits = true).
class LogitNormalization : public LogitsProcessor {
 public:
  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override;
  const char* name() const override { return "LogitNormalization"; }
};

}  // namespace hf::generation
