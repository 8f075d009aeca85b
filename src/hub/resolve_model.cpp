// resolve_model: a model name → the folder with its files. What transformers' from_pretrained
// fetches (hub-protocol.md §12), file by file with hf_hub_download's procedure, so the cache
// looks exactly as Python would leave it (.no_exist markers for optional files included).
#include <algorithm>
#include <set>

#include "core/json.h"
#include "core/log.h"
#include "hf/hub.h"
#include "hub/cache_layout.h"
#include "hub/file_download.h"
#include "hub/repo_names.h"
#include "hub/safetensors_conversion.h"

namespace hf {

namespace fs = std::filesystem;
using hub::HubConfig;

namespace {

// Files a model may have besides config.json and weights; each is optional (a 404 is recorded in
// .no_exist and costs nothing next time). Tokenizers: tokenizer.json or vocab+merges (BPE),
// tokenizer.model (SentencePiece LLaMA-style), source/target.spm + vocab.json (Marian).
const char* const kOptionalFiles[] = {
    "generation_config.json", "tokenizer_config.json", "tokenizer.json",   "special_tokens_map.json",
    "added_tokens.json",      "vocab.json",            "merges.txt",       "tokenizer.model",
    "source.spm",             "target.spm",            "target_vocab.json", "chat_template.jinja",
};

// The shard file names an index lists in weight_map, distinct and sorted (as transformers).
std::vector<std::string> shard_names(const fs::path& index_file) {
  json index = read_json_file(index_file);
  if (!index.contains("weight_map") || !index["weight_map"].is_object())
    throw HubError(index_file.string() + ": no 'weight_map' object; the sharded checkpoint index is malformed");
  std::set<std::string> names;
  for (const auto& [tensor, file] : index["weight_map"].items()) {
    if (!file.is_string())
      throw HubError(index_file.string() + ": weight_map." + tensor + " is not a file name");
    std::string name = file.get<std::string>();
    hub::validate_repo_file_path(name, index_file.filename().string());
    names.insert(name);
  }
  return {names.begin(), names.end()};
}

// Fetches a weights file, or its index and every shard. kUnknown: offline or unreachable, and the
// cache does not show the file.
enum class Weights { kFound, kAbsent, kUnknown };
Weights fetch_weights(const HubConfig& c, const std::string& id, const std::string& single, const std::string& index) {
  auto one = hub::download_file(c, id, single, true);
  if (one.path) return Weights::kFound;
  auto idx = hub::download_file(c, id, index, true);
  if (!idx.path) return one.unknown || idx.unknown ? Weights::kUnknown : Weights::kAbsent;
  hub::download_files(c, id, shard_names(*idx.path));
  return Weights::kFound;
}

fs::path resolve_hub_model(const std::string& id, HubConfig c, std::optional<bool> use_safetensors) {
  std::string requested_revision = c.revision;
  auto config = hub::download_file(c, id, "config.json", false);
  // Pin every later file to this commit, as transformers does with _commit_hash: cached files
  // then need no request, and a branch moving mid-load cannot mix two commits.
  c.revision = config.commit;
  hub::RepoCache cache(c.cache_dir, id, c.repo_type);

  Weights safetensors = fetch_weights(c, id, "model.safetensors", "model.safetensors.index.json");
  bool have_weights = safetensors == Weights::kFound;
  if (!have_weights && use_safetensors.value_or(true) && requested_revision == "main") {
    std::optional<std::string> pr = c.offline ? hub::cached_conversion_pr(cache)
                                              : hub::find_conversion_pr(c, id, config.commit);
    if (pr) {
      info(id + ": main has no safetensors weights; using the Hub's conversion " + *pr);
      c.revision = *pr;
      return resolve_hub_model(id, c, false);
    }
  }
  if (!have_weights && use_safetensors.value_or(false))
    throw EntryNotFoundError(id + " has no model.safetensors (nor an index) at revision '" + requested_revision +
                             "', and no safetensors conversion PR was found; load the pytorch_model.bin weights "
                             "(use_safetensors unset) or convert them");
  Weights bin = have_weights ? Weights::kAbsent : fetch_weights(c, id, "pytorch_model.bin", "pytorch_model.bin.index.json");
  have_weights = have_weights || bin == Weights::kFound;
  if (!have_weights && (safetensors == Weights::kUnknown || bin == Weights::kUnknown))
    warn(id + ": the cache holds no weights file and the Hub cannot be asked (offline or unreachable); "
              "a model cannot load from " + cache.snapshot_dir(config.commit).string());
  else if (!have_weights)
    info(id + " has no weights (model.safetensors, pytorch_model.bin or their index) at '" + requested_revision +
         "': enough for a tokenizer, not for a model");
  for (const char* f : kOptionalFiles) hub::download_file(c, id, f, true);
  return cache.snapshot_dir(config.commit);
}

}  // namespace

fs::path resolve_model(const std::string& name_or_path, const HubOptions& options) {
  std::error_code ec;
  if (fs::is_directory(name_or_path, ec)) return name_or_path;
  bool looks_like_path = name_or_path.rfind('/', 0) == 0 || name_or_path.rfind("./", 0) == 0 ||
                         name_or_path.rfind("../", 0) == 0 || name_or_path.rfind('~', 0) == 0;
  if (looks_like_path || (!hub::is_valid_repo_id(name_or_path) && fs::exists(name_or_path, ec)))
    throw FileError(name_or_path + ": no such local folder (a model is a folder, or a Hub id like Qwen/Qwen2.5-0.5B-Instruct)");
  hub::validate_repo_id(name_or_path);
  if (!options.allow_patterns.empty()) return snapshot_download(name_or_path, options);
  return resolve_hub_model(name_or_path, hub::make_config(options), options.use_safetensors);
}

}  // namespace hf
