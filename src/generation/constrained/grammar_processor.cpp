// The processor sees one row at a time and must be immutable to its callers (one list serves
// every row), so a row's grammar position is found again from its generated ids: a cursor is
// memoized per hash of the ids generated so far, and each step advances the previous step's
// cursor by the last token.
#include "generation/constrained/grammar_processor.h"

#include <mutex>
#include <unordered_map>

#include "generation/constrained/grammar_impl.h"
#include "hf/error.h"

namespace hf::generation {

namespace {

uint64_t hash_ids(std::span<const int32_t> ids) {
  uint64_t h = 1469598103934665603ull;
  for (int32_t x : ids) h = (h ^ static_cast<uint32_t>(x)) * 1099511628211ull;
  return h;
}

class GrammarConstrainedLogitsProcessor : public LogitsProcessor {
 public:
  GrammarConstrainedLogitsProcessor(std::shared_ptr<const Grammar> grammar, const Tokenizer& tokenizer,
                                    std::vector<int32_t> eos, int input_length, int max_length)
      : grammar_(std::move(grammar)),
        masks_(grammar_->impl().masks_for(tokenizer)),
        eos_(std::move(eos)),
        input_length_(input_length),
        max_length_(max_length) {}

  void operator()(std::span<const int32_t> input_ids, std::span<float> scores) const override {
    const size_t start = std::min(input_ids.size(), static_cast<size_t>(input_length_));
    std::span<const int32_t> generated = input_ids.subspan(start);
    constrained::Cursor cursor = cursor_for(generated);
    masks_->apply(cursor, eos_, scores, static_cast<int64_t>(max_length_) - static_cast<int64_t>(input_ids.size()));
  }
  const char* name() const override { return "GrammarConstrainedLogitsProcessor"; }

 private:
  constrained::Cursor cursor_for(std::span<const int32_t> generated) const {
    std::lock_guard lock(mu_);
    const uint64_t key = hash_ids(generated);
    if (auto it = rows_.find(key); it != rows_.end()) return it->second;
    constrained::Cursor c;
    if (generated.empty()) c = masks_->start();
    else {
      auto prev = rows_.find(hash_ids(generated.first(generated.size() - 1)));
      c = prev != rows_.end() ? prev->second : replay(generated.first(generated.size() - 1));
      step(c, generated.back());
    }
    return rows_.emplace(key, std::move(c)).first->second;
  }

  constrained::Cursor replay(std::span<const int32_t> ids) const {
    constrained::Cursor c = masks_->start();
    for (int32_t id : ids) step(c, id);
    return c;
  }

  // A token the grammar did not allow (eos, or a finished row's padding) ends the row.
  void step(constrained::Cursor& c, int32_t id) const {
    if (c.terminated) return;
    const auto& vocab = masks_->vocabulary();
    const bool known = id >= 0 && static_cast<size_t>(id) < vocab.size() && !vocab.bytes(id).empty();
    if (!known || !masks_->advance(c, vocab.bytes(id))) c.terminated = true;
    c.text.clear();  // rows keep no text: only the state matters here
  }

  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<constrained::TokenMasks> masks_;
  std::vector<int32_t> eos_;
  int input_length_, max_length_;
  mutable std::mutex mu_;
  mutable std::unordered_map<uint64_t, constrained::Cursor> rows_;
};

}  // namespace

std::unique_ptr<const LogitsProcessor> make_grammar_processor(const GenerationConfig& c, int input_length,
                                                              int max_length) {
  if (!c.tokenizer) throw InputError("generate: response_format needs the tokenizer (GenerationConfig::tokenizer)");
  std::vector<int32_t> eos = c.eos_token_id.value_or(std::vector<int32_t>{});
  if (eos.empty()) throw InputError("generate: response_format needs an eos_token_id to end the output");
  return std::make_unique<GrammarConstrainedLogitsProcessor>(c.response_format, *c.tokenizer, std::move(eos),
                                                             input_length, max_length);
}

}  // namespace hf::generation
