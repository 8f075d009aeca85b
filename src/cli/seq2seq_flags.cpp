#include "cli/seq2seq_flags.h"

#include <cmath>

#include "hf/error.h"

namespace hf::cli {

void Seq2SeqFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--max-length", max_length, "Longest output in tokens, decoder start included (max_new_tokens wins)");
  cmd.add_option("--min-length", min_length, "No </s> before this many tokens, decoder start included");
  cmd.add_option("--min-new-tokens", min_new_tokens, "No </s> before this many new tokens");
  cmd.add_option("--no-repeat-ngram-size", no_repeat_ngram_size, "No n-gram of this size twice in an output (0 = off)");
  cmd.add_option("--length-penalty", length_penalty, "Beam scores are sum(logprobs) / length^this (> 0 favours long outputs)");
  cmd.add_option("--early-stopping", early_stopping,
                 "Beam search: true (stop at num_beams finished), false (heuristic), never (only when nothing can improve)");
  cmd.add_option("--num-return-sequences", num_return_sequences, "Outputs per input (<= --num-beams)");
}

void Seq2SeqFlags::apply(GenerationConfig& c) const {
  auto at_least = [](const char* flag, const std::optional<int>& v, int low) {
    if (v && *v < low) throw InputError(std::string(flag) + " " + std::to_string(*v) + " must be >= " + std::to_string(low));
  };
  at_least("--max-length", max_length, 1);
  at_least("--min-length", min_length, 0);
  at_least("--min-new-tokens", min_new_tokens, 0);
  at_least("--no-repeat-ngram-size", no_repeat_ngram_size, 0);
  at_least("--num-return-sequences", num_return_sequences, 1);
  if (length_penalty && !std::isfinite(*length_penalty))
    throw InputError("--length-penalty " + std::to_string(*length_penalty) + " is not a finite number");
  if (max_length) c.max_length = max_length;
  if (min_length) c.min_length = min_length;
  if (min_new_tokens) c.min_new_tokens = min_new_tokens;
  if (no_repeat_ngram_size) c.no_repeat_ngram_size = no_repeat_ngram_size;
  if (num_return_sequences) c.num_return_sequences = num_return_sequences;
  if (length_penalty) c.length_penalty = length_penalty;
  if (early_stopping) {
    const std::string& v = *early_stopping;
    if (v == "true" || v == "True") c.early_stopping = true;
    else if (v == "false" || v == "False") c.early_stopping = false;
    else if (v == "never") {
      c.early_stopping = false;
      c.early_stopping_never = true;
    } else {
      throw InputError("--early-stopping \"" + v + "\" must be true, false or never");
    }
  }
}

}  // namespace hf::cli
