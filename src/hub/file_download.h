#pragma once
// hf_hub_download's procedure (hub-protocol.md §7.3, §9): cache first, one HEAD to learn the
// commit and etag, then a locked, verified download into blobs/ and a snapshot link.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub_config.h"

namespace hf::hub {

struct DownloadResult {
  std::optional<std::filesystem::path> path;  // nullopt: the file does not exist (missing_ok)
  std::string commit;                         // the commit the revision resolved to, when known
  // missing_ok only: the file may exist but neither the Hub (offline, unreachable) nor the cache
  // could say; an optional file is then skipped, as transformers does.
  bool unknown = false;
};

// With missing_ok, a file the Hub says does not exist (or .no_exist records) gives an empty path
// instead of an exception; so does one that cannot be checked (offline or the Hub unreachable,
// and not cached), with `unknown` set.
DownloadResult download_file(const HubConfig& config, const std::string& repo_id, const std::string& file,
                             bool missing_ok);

// Downloads several files of one repo (required ones: any failure is thrown), up to 8 at once as
// huggingface_hub's snapshot_download does, under one "Fetching N files" bar instead of a bar per
// file. Throws the first error once the running downloads have stopped.
void download_files(const HubConfig& config, const std::string& repo_id, const std::vector<std::string>& files);

}  // namespace hf::hub
