#pragma once
// Model names → local files. A name is a local folder, or a Hub id ("Qwen/Qwen2.5-0.5B-Instruct")
// resolved through the cache that Python's huggingface_hub uses (HF_HUB_CACHE / HF_HOME /
// ~/.cache/huggingface/hub), downloading from HF_ENDPOINT what is missing.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hf {

struct HubOptions {
  std::string revision;                    // branch, tag or commit; empty = "main"
  std::optional<bool> offline;             // unset: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE decide
  std::string token;                       // empty: HF_TOKEN, ..., then the token file
  std::string cache_dir;                   // empty: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub
  std::vector<std::string> allow_patterns; // hfcpp download --include; empty = what a model needs
};

// The folder holding a model's files: `name` itself if it is a local folder, else the snapshot
// folder of the Hub id in the cache, after downloading the files a model needs (config,
// generation config, weights single or sharded, tokenizer files, spm/vocab files).
// Throws hf::HubError with a message that says what to do next.
std::filesystem::path resolve_model(const std::string& name_or_path, const HubOptions& options = {});

}  // namespace hf
