#pragma once
// Names that end up in URLs and cache paths: repo ids, file paths inside a repo, revisions.
// Anything that could climb out of the cache folder ("../", absolute paths) is refused here, once,
// whether it came from the user, the server, or an index file.
#include <string>
#include <string_view>

namespace hf::hub {

// Is `s` shaped like a Hub id ("org/name" or "name")? huggingface_hub's validate_repo_id rules.
bool is_valid_repo_id(std::string_view s);
// Throws hf::InputError saying what is wrong when it is not.
void validate_repo_id(const std::string& repo_id);

// "models--org--name": the repo's folder in the cache.
std::string repo_folder_name(const std::string& repo_id, const std::string& repo_type);

// Throws hf::HubError when a file path from a repo is empty, absolute, has a drive or backslash,
// or a "." / ".." / empty segment. `where` says who gave it ("the server", "model.safetensors.index.json").
void validate_repo_file_path(const std::string& path, const std::string& where);
// Revisions become cache paths too (refs/<revision>): same rules, '/' allowed (refs/pr/1).
void validate_revision(const std::string& revision);

// Percent-encoding: quote(s, "") for revisions, quote(s, "/") for file paths (urllib.parse.quote).
std::string url_quote(std::string_view s, std::string_view safe);

// `length` lowercase hex digits: a full commit hash (40; only those skip the refs/ lookup), or
// an LFS etag (64, the sha256 of the content).
bool is_lower_hex(std::string_view s, size_t length);
inline bool is_commit_hash(std::string_view s) { return is_lower_hex(s, 40); }

}  // namespace hf::hub
