#pragma once
// snapshot_download's pieces (hub-protocol.md §11): the revision → commit API call, the
// paginated tree listing, and allow/ignore glob filtering as huggingface_hub's filter_repo_objects.
#include <optional>
#include <string>
#include <vector>

#include "hub/hub_config.h"

namespace hf::hub {

// The commit a revision points to now (GET /api/{types}/{id}/revision/{rev}); a full commit hash
// is returned as is, without a request.
std::string fetch_commit(const HubConfig& config, const std::string& repo_id);

// Every file path of the repo at `commit` (GET /api/{types}/{id}/tree/{commit}?recursive=true,
// following Link rel="next" pages). Paths are checked: none may escape the snapshot folder.
std::vector<std::string> list_repo_files(const HubConfig& config, const std::string& repo_id, const std::string& commit);

// Unix shell globs, case-sensitive, `*` also matching '/', a pattern ending in '/' matching
// everything under it. Empty allow = everything.
bool matches_patterns(const std::string& path, const std::vector<std::string>& allow,
                      const std::vector<std::string>& ignore);

}  // namespace hf::hub
