#pragma once
// Generation flags shared by `hfcpp chat`, `generate`, `pipeline` and `translate`: the same
// spellings everywhere (transformers' names, plus llama.cpp's habits as aliases), each mapped onto
// one GenerationConfig field. Only flags given on the command line are set, so the model's
// generation_config.json still supplies the rest.
#include <CLI/CLI.hpp>
#include <optional>

#include "hf/generation_config.h"

namespace hf::cli {

// Beams beyond this are a typo, not a search: each beam is a copy of the sequence and its KV cache.
inline constexpr int kMaxBeams = 256;

struct GenerationFlags {
  std::optional<int> max_new_tokens, top_k, threads, num_beams, context;
  std::optional<float> temperature, top_p, repetition_penalty;
  std::optional<uint64_t> seed;
  bool greedy = false, sample = false;

  // `with_context`: also -c/--ctx-size (commands that manage a context: chat, generate).
  void add_to(CLI::App& cmd, bool with_context = false);

  // The flags as a GenerationConfig. hf::InputError for values no generation can use: NaN or
  // infinite numbers, --top-p outside (0, 1], --greedy with --do-sample, --temp 0 with
  // --do-sample, beams outside [1, kMaxBeams], -c < 1. `--temp 0` means greedy (llama.cpp);
  // `--num-beams N` alone means beam search (do_sample = false, whatever the model's file says).
  GenerationConfig config() const;

  // -t/--threads (else HF_NUM_THREADS): checked and applied; call before the model runs.
  void apply_threads() const;

  // The context to respect: -c when given (a warning and the model's own when larger), else the
  // model's max_position_embeddings.
  int64_t context_size(int64_t model_context) const;
};

}  // namespace hf::cli
