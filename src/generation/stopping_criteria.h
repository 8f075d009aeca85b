#pragma once
// Stopping criteria, per row, as transformers' `_get_stopping_criteria` builds them: max length,
// max time, stop strings, eos ids. A row is finished when any says so. (Cancellation from another
// thread is the generate loop's std::stop_token, which ends every row at once.)
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/generation_config.h"
#include "hf/tokenizer.h"

namespace hf::generation {

class StoppingCriteria {
 public:
  virtual ~StoppingCriteria() = default;
  // `input_ids`: the row's whole sequence (prompt, padding, generated tokens).
  virtual bool operator()(std::span<const int32_t> input_ids) const = 0;
};

using StoppingCriteriaList = std::vector<std::unique_ptr<const StoppingCriteria>>;

bool any_criterion(const StoppingCriteriaList& list, std::span<const int32_t> input_ids);

// len(input_ids) >= max_length.
class MaxLengthCriteria : public StoppingCriteria {
 public:
  explicit MaxLengthCriteria(int max_length) : max_length_(max_length) {}
  bool operator()(std::span<const int32_t> ids) const override { return static_cast<int>(ids.size()) >= max_length_; }
 private:
  int max_length_;
};

// More than max_time seconds since construction.
class MaxTimeCriteria : public StoppingCriteria {
 public:
  explicit MaxTimeCriteria(double seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  bool operator()(std::span<const int32_t>) const override;
 private:
  double seconds_;
  std::chrono::steady_clock::time_point start_;
};

// The last token is one of the eos ids.
class EosTokenCriteria : public StoppingCriteria {
 public:
  explicit EosTokenCriteria(std::vector<int32_t> eos_token_id) : eos_(std::move(eos_token_id)) {}
  bool operator()(std::span<const int32_t> ids) const override;
 private:
  std::vector<int32_t> eos_;
};

// transformers' StopStringCriteria: true as soon as a stop string appears in the decoded text AND
// overlaps the last token ("st"+"op", "st"+"opera", "las"+"topper" all match "stop"; "stop"+"at"
// does not: that match ended a step earlier). Checked on the decode of a short tail of tokens.
class StopStringCriteria : public StoppingCriteria {
 public:
  StopStringCriteria(Tokenizer tokenizer, std::vector<std::string> stop_strings);
  bool operator()(std::span<const int32_t> ids) const override;
 private:
  Tokenizer tok_;
  std::vector<std::string> stops_;
  size_t window_;  // tokens decoded: longest stop string in bytes + 1 covers any overlap
};

// The list for a resolved config; `tokenizer` is needed only for stop_strings (else InputError).
StoppingCriteriaList build_stopping_criteria(const GenerationConfig& resolved, int max_length);

}  // namespace hf::generation
