#pragma once
// Repos whose main branch has only pytorch_model.bin often have an open pull request by the Hub's
// conversion bot that adds model.safetensors (refs/pr/N). transformers finds it this way
// (safetensors_conversion.previous_pr): an open PR titled "Adding `safetensors` variant of this
// model" whose parent commit is main's head. We mirror the lookup but never *start* a conversion
// (that runs a job on a Space and opens a PR on someone's repo — not a side effect a local loader
// should have); without such a PR the .bin weights are used.
#include <optional>
#include <string>

#include "hub/cache_layout.h"
#include "hub/hub_config.h"

namespace hf::hub {

// "refs/pr/N" of a usable conversion PR, or nullopt (none, or the lookup failed: the caller then
// falls back to the .bin weights, so a failure here is only logged).
std::optional<std::string> find_conversion_pr(const HubConfig& config, const std::string& repo_id,
                                              const std::string& main_commit);

// Offline: the newest refs/pr/N in the cache whose snapshot holds safetensors weights.
std::optional<std::string> cached_conversion_pr(const RepoCache& cache);

}  // namespace hf::hub
