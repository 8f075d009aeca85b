#pragma once
// Generation flags shared by `hfcpp chat` and `hfcpp pipeline`: the same spellings in both, each
// mapped onto one GenerationConfig field (only flags given on the command line are set, so the
// model's generation_config.json still supplies the rest).
#include <CLI/CLI.hpp>
#include <optional>

#include "core/thread_pool.h"
#include "hf/generation_config.h"

namespace hf::cli {

struct GenerationFlags {
  std::optional<int> max_new_tokens, top_k, threads, num_beams;
  std::optional<float> temperature, top_p, repetition_penalty;
  std::optional<uint64_t> seed;
  bool greedy = false, sample = false;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--max-new-tokens", max_new_tokens, "Maximum number of tokens to generate");
    cmd.add_flag("--greedy", greedy, "Greedy decoding (do_sample = false): deterministic output");
    cmd.add_flag("--do-sample", sample, "Sample (do_sample = true)");
    cmd.add_option("--temperature", temperature, "Sampling temperature (> 0)");
    cmd.add_option("--top-k", top_k, "Keep the k most likely tokens (0 = off)");
    cmd.add_option("--top-p", top_p, "Nucleus sampling mass");
    cmd.add_option("--repetition-penalty", repetition_penalty, "Penalty for tokens already present (1 = none)");
    // `hfcpp translate` declares its own --num-beams (with its default) before calling this.
    if (!cmd.get_option_no_throw("--num-beams"))
      cmd.add_option("--num-beams", num_beams, "Beam search with this many beams (1 = greedy or sampling)");
    cmd.add_option("--seed", seed, "Seed of the sampler (reproducible output)");
    cmd.add_option("--threads", threads, "CPU threads (default: HF_NUM_THREADS, else all cores)");
  }

  // Call before the model runs (the pool's size is fixed at first use).
  void apply_threads() const {
    if (threads) ThreadPool::set_default_threads(*threads);
  }

  GenerationConfig config() const {
    GenerationConfig c;
    c.max_new_tokens = max_new_tokens;
    c.top_k = top_k;
    c.temperature = temperature;
    c.top_p = top_p;
    c.repetition_penalty = repetition_penalty;
    c.seed = seed;
    c.num_beams = num_beams;
    if (greedy) c.do_sample = false;
    else if (sample) c.do_sample = true;
    return c;
  }
};

}  // namespace hf::cli
