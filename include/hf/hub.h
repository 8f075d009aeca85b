#pragma once
// Model names → local files. A name is a local folder, or a Hub id ("Qwen/Qwen2.5-0.5B-Instruct")
// resolved through the cache that Python's huggingface_hub uses (HF_HUB_CACHE / HF_HOME /
// ~/.cache/huggingface/hub), downloading from HF_ENDPOINT what is missing.
//
// The cache is shared both ways with Python: blobs/, snapshots/<commit>/ (relative symlinks),
// refs/<revision>, .no_exist/<commit>/<file>, and flock()ed .locks/ — see
// ../shared/docs/hub-protocol.md. Names follow huggingface_hub (hf_hub_download,
// snapshot_download, scan_cache_dir, try_to_load_from_cache).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hf/export.h"
#include "hf/error.h"

namespace hf {

struct HF_API HubOptions {
  std::string revision;                    // branch, tag or commit; empty = "main"
  std::optional<bool> offline;             // unset: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE decide
  std::string token;                       // empty: HF_TOKEN, ..., then the token file
  std::string cache_dir;                   // empty: HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub
  std::vector<std::string> allow_patterns; // hfcpp download --include; empty = what a model needs
  std::vector<std::string> ignore_patterns;  // snapshot_download: globs excluded after allow
  std::string endpoint;                    // empty: HF_ENDPOINT, else https://huggingface.co
  std::string repo_type = "model";         // "model", "dataset" or "space"
  bool force_download = false;             // re-download even when cached
  // Repos whose main branch has only pytorch_model.bin: unset = use the Hub's safetensors
  // conversion PR (refs/pr/N) when one exists, else the .bin; true = require safetensors;
  // false = never look for the PR (transformers' use_safetensors).
  std::optional<bool> use_safetensors;
};

// Error kinds, as huggingface_hub names them. All are hf::HubError, so one catch fits all.
// The repository does not exist, or is private and the token cannot see it.
class HF_API RepositoryNotFoundError : public HubError { using HubError::HubError; };
// The repository is gated: 401 = no token sent, 403 = the token's user has not been granted access.
class HF_API GatedRepoError : public RepositoryNotFoundError { using RepositoryNotFoundError::RepositoryNotFoundError; };
// The branch, tag or commit does not exist.
class HF_API RevisionNotFoundError : public HubError { using HubError::HubError; };
// The file does not exist at that revision.
class HF_API EntryNotFoundError : public HubError { using HubError::HubError; };
// Offline (or the Hub is unreachable) and the cache does not hold the file.
class HF_API LocalEntryNotFoundError : public HubError { using HubError::HubError; };

// The folder holding a model's files: `name` itself if it is a local folder, else the snapshot
// folder of the Hub id in the cache, after downloading the files a model needs (config,
// generation config, weights single or sharded, tokenizer files, spm/vocab files).
// With options.allow_patterns set, downloads exactly the matching files instead (snapshot_download).
// Throws hf::HubError with a message that says what to do next.
HF_API std::filesystem::path resolve_model(const std::string& name_or_path, const HubOptions& options = {});

// One file of a repo, from the cache or downloaded into it; returns snapshots/<commit>/<filename>.
HF_API std::filesystem::path hf_hub_download(const std::string& repo_id, const std::string& filename,
                                      const HubOptions& options = {});
// The same, but std::nullopt when the file does not exist in the repo (recorded in .no_exist, so
// the next call asks nothing), and offline when the cache cannot tell (no snapshot file).
HF_API std::optional<std::filesystem::path> try_hf_hub_download(const std::string& repo_id, const std::string& filename,
                                                         const HubOptions& options = {});
// Every file of the repo at the revision matching options.allow_patterns (all when empty) and not
// ignore_patterns (shell globs, `*` also matches `/`); returns the snapshot folder.
HF_API std::filesystem::path snapshot_download(const std::string& repo_id, const HubOptions& options = {});
// The cached file without any request: nullopt when not cached (or known absent).
HF_API std::optional<std::filesystem::path> try_to_load_from_cache(const std::string& repo_id, const std::string& filename,
                                                            const HubOptions& options = {});

// The hub cache folder these options use (cache_dir, HF_HUB_CACHE, HF_HOME/hub, ~/.cache/...).
HF_API std::filesystem::path hub_cache_dir(const HubOptions& options = {});

// `hfcpp cache ls`: what the cache holds, as huggingface_hub's scan_cache_dir reports it.
struct HF_API CachedRevisionInfo {
  std::string commit_hash;
  std::vector<std::string> refs;       // branch/tag names pointing at this commit
  std::filesystem::path snapshot_path;
  uint64_t size_on_disk = 0;           // distinct blobs of this revision
  size_t nb_files = 0;
};
struct HF_API CachedRepoInfo {
  std::string repo_id;
  std::string repo_type;               // "model", "dataset", "space"
  std::filesystem::path repo_path;
  uint64_t size_on_disk = 0;           // all blobs, shared ones counted once
  size_t nb_files = 0;                 // distinct blobs
  std::vector<CachedRevisionInfo> revisions;
};
struct HF_API HFCacheInfo {
  std::filesystem::path cache_dir;
  std::vector<CachedRepoInfo> repos;   // sorted by repo type then id
  uint64_t size_on_disk = 0;
  std::vector<std::string> warnings;   // corrupted entries (folder, reason), as Python's CorruptedCacheException
};
HF_API HFCacheInfo scan_cache_dir(const std::filesystem::path& cache_dir = {});
// `hfcpp cache rm`: removes a repo's folder (and its lock folder); false if it was not cached.
HF_API bool delete_cached_repo(const std::string& repo_id, const HubOptions& options = {});

}  // namespace hf
