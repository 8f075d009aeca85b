#include "cli/generation_flags.h"

#include <cmath>
#include <string>

#include "cli/threads.h"
#include "core/log.h"
#include "hf/error.h"

namespace hf::cli {

void GenerationFlags::add_to(CLI::App& cmd, bool with_context) {
  cmd.add_option("-n,--max-new-tokens", max_new_tokens, "Maximum number of tokens to generate");
  cmd.add_flag("--greedy", greedy, "Greedy decoding (do_sample = false): deterministic output");
  cmd.add_flag("--do-sample", sample, "Sample (do_sample = true)");
  cmd.add_option("--temp,--temperature", temperature, "Sampling temperature (> 0; 0 = greedy)");
  cmd.add_option("--top-k", top_k, "Keep the k most likely tokens (0 = off)");
  cmd.add_option("--top-p", top_p, "Nucleus sampling mass, in (0, 1]");
  cmd.add_option("--repetition-penalty", repetition_penalty, "Penalty for tokens already present (1 = none)");
  cmd.add_option("--num-beams", num_beams, "Beam search with this many beams (default: the model's generation config)");
  cmd.add_option("--seed", seed, "Seed of the sampler (reproducible output)");
  cmd.add_option("-t,--threads", threads, "CPU threads (default: HF_NUM_THREADS, else all cores)");
  if (with_context)
    cmd.add_option("-c,--ctx-size", context, "Context size in tokens (default: the model's max_position_embeddings)");
}

GenerationConfig GenerationFlags::config() const {
  auto finite = [](const char* flag, const std::optional<float>& v) {
    if (v && !std::isfinite(*v))
      throw InputError(std::string(flag) + " " + std::to_string(*v) + " is not a finite number");
  };
  finite("--temp", temperature);
  finite("--top-p", top_p);
  finite("--repetition-penalty", repetition_penalty);
  if (temperature && *temperature < 0)
    throw InputError("--temp " + std::to_string(*temperature) + " must be >= 0 (0 = greedy)");
  if (greedy && sample) throw InputError("--greedy and --do-sample contradict each other; give one of them");
  const bool temp_zero = temperature && *temperature == 0.0f;
  if (temp_zero && sample)
    throw InputError("--temp 0 means greedy decoding, which contradicts --do-sample; give a temperature > 0 to sample");
  // transformers would accept top_p = 0 and keep the single best token; on a command line it is
  // far more likely a mistake, and --temp 0 says greedy plainly.
  if (top_p && !(*top_p > 0.0f && *top_p <= 1.0f))
    throw InputError("--top-p " + std::to_string(*top_p) + " must be in (0, 1] (1 = off; for greedy output use --temp 0)");
  if (num_beams && (*num_beams < 1 || *num_beams > kMaxBeams))
    throw InputError("--num-beams " + std::to_string(*num_beams) + " must be between 1 and " +
                     std::to_string(kMaxBeams));
  if (context && *context < 1) throw InputError("-c/--ctx-size " + std::to_string(*context) + " must be >= 1");

  GenerationConfig c;
  c.max_new_tokens = max_new_tokens;
  c.top_k = top_k;
  if (!temp_zero) c.temperature = temperature;
  c.top_p = top_p;
  c.repetition_penalty = repetition_penalty;
  c.seed = seed;
  c.num_beams = num_beams;
  if (greedy || temp_zero) c.do_sample = false;
  else if (sample) c.do_sample = true;
  else if (num_beams && *num_beams > 1) c.do_sample = false;  // beam search, not beam sampling
  return c;
}

void GenerationFlags::apply_threads() const { configure_threads(threads); }

int64_t GenerationFlags::context_size(int64_t model_context) const {
  if (!context) return model_context;
  if (model_context > 0 && *context > model_context) {
    warn("-c " + std::to_string(*context) + " is more than the model's context (max_position_embeddings " +
         std::to_string(model_context) + "); using " + std::to_string(model_context));
    return model_context;
  }
  return *context;
}

}  // namespace hf::cli
