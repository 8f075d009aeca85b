// Stopping criteria (see stopping_criteria.h).
#include "generation/stopping_criteria.h"

#include <algorithm>

#include "generation/vocab_ids.h"
#include "hf/error.h"

namespace hf::generation {

bool any_criterion(const StoppingCriteriaList& list, std::span<const int32_t> ids) {
  for (const auto& c : list)
    if ((*c)(ids)) return true;
  return false;
}

bool MaxTimeCriteria::operator()(std::span<const int32_t>) const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() > seconds_;
}

bool EosTokenCriteria::operator()(std::span<const int32_t> ids) const {
  return !ids.empty() && std::find(eos_.begin(), eos_.end(), ids.back()) != eos_.end();
}

StopStringCriteria::StopStringCriteria(Tokenizer tokenizer, std::vector<std::string> stop_strings)
    : tok_(std::move(tokenizer)), stops_(std::move(stop_strings)), window_(1) {
  // Every token decodes to at least one byte (or to nothing, for skipped specials, which cannot
  // hold a stop string anyway), so the stop string's bytes plus the last token fit in this window.
  for (const auto& s : stops_) window_ = std::max(window_, s.size() + 1);
}

bool StopStringCriteria::operator()(std::span<const int32_t> ids) const {
  if (ids.empty()) return false;
  const auto tail_ids = ids_in_vocabulary(tok_, ids.subspan(ids.size() - std::min(ids.size(), window_)));
  if (tail_ids.empty()) return false;
  const std::span<const int32_t> tail = tail_ids;
  // Special tokens are decoded as their text, as transformers matches against the vocabulary's
  // token strings.
  const std::string text = tok_.decode(tail);
  const std::string before = tok_.decode(tail.first(tail.size() - 1));
  // Where the last token's text starts: the common prefix (a partial UTF-8 character at the end
  // of `before` decodes differently once completed).
  size_t boundary = 0;
  while (boundary < before.size() && boundary < text.size() && before[boundary] == text[boundary]) ++boundary;
  for (const auto& s : stops_) {
    // Any occurrence that ends after `boundary` overlaps the last token.
    size_t from = boundary + 1 > s.size() ? boundary + 1 - s.size() : 0;
    if (text.find(s, from) != std::string::npos) return true;
  }
  return false;
}

StoppingCriteriaList build_stopping_criteria(const GenerationConfig& c, int max_length) {
  StoppingCriteriaList list;
  list.push_back(std::make_unique<MaxLengthCriteria>(max_length));
  if (c.max_time) list.push_back(std::make_unique<MaxTimeCriteria>(*c.max_time));
  if (c.stop_strings && !c.stop_strings->empty()) {
    if (!c.tokenizer)
      throw InputError("generate: stop_strings need the tokenizer; pass it as GenerationConfig::tokenizer "
                       "(transformers: generate(..., tokenizer=tokenizer))");
    list.push_back(std::make_unique<StopStringCriteria>(*c.tokenizer, *c.stop_strings));
  }
  if (c.eos_token_id && !c.eos_token_id->empty()) list.push_back(std::make_unique<EosTokenCriteria>(*c.eos_token_id));
  return list;
}

}  // namespace hf::generation
