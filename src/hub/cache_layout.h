#pragma once
// The paths of huggingface_hub's cache (hub-protocol.md §7) and the small writes that keep it
// consistent: refs written atomically without a newline, relative snapshot→blob symlinks,
// .no_exist markers. Python reads what this writes and the other way round.
#include <filesystem>
#include <optional>
#include <string>

namespace hf::hub {

namespace fs = std::filesystem;

struct RepoCache {
  fs::path cache_dir;
  std::string folder;  // "models--org--name"

  RepoCache(fs::path cache, const std::string& repo_id, const std::string& repo_type);
  fs::path storage() const { return cache_dir / folder; }
  fs::path blob(const std::string& etag) const { return storage() / "blobs" / etag; }
  fs::path incomplete(const std::string& etag) const { return storage() / "blobs" / (etag + ".incomplete"); }
  fs::path snapshot_dir(const std::string& commit) const { return storage() / "snapshots" / commit; }
  fs::path pointer(const std::string& commit, const std::string& file) const { return snapshot_dir(commit) / file; }
  fs::path ref_file(const std::string& revision) const { return storage() / "refs" / revision; }
  fs::path no_exist(const std::string& commit, const std::string& file) const {
    return storage() / ".no_exist" / commit / file;
  }
  fs::path lock_file(const std::string& etag) const { return cache_dir / ".locks" / folder / (etag + ".lock"); }
};

// The commit a revision stands for in the cache: itself when it is a full commit hash, else the
// content of refs/<revision> (whitespace stripped); nullopt when unknown.
std::optional<std::string> cached_commit(const RepoCache& cache, const std::string& revision);

// refs/<revision> = commit, atomically (temp file + rename) and only if it changes; no-op when
// the revision is the commit itself.
void write_ref(const RepoCache& cache, const std::string& revision, const std::string& commit);

// CACHEDIR.TAG in the cache root, so backup tools skip it (errors ignored, as Python does).
void write_cachedir_tag(const fs::path& cache_dir);

// snapshots/<commit>/<file> → ../../blobs/<etag> (one more ../ per subfolder). With symlinks
// disabled or impossible, the blob is moved there (new_blob) or copied.
void create_pointer(const fs::path& blob, const fs::path& pointer, bool new_blob, bool disable_symlinks);

// An empty .no_exist/<commit>/<file>: "this file does not exist at this commit".
void mark_no_exist(const RepoCache& cache, const std::string& commit, const std::string& file);

// What the cache knows about a file at a revision, without any request.
struct CacheLookup {
  enum Kind { kFound, kKnownMissing, kNotCached } kind = kNotCached;
  fs::path path;        // kFound: the snapshot file
  std::string commit;   // when the revision resolved to a commit
};
CacheLookup lookup_cache(const RepoCache& cache, const std::string& revision, const std::string& file);

// Writes `content` to `path` atomically (temp file in the same folder, then rename).
void write_file_atomic(const fs::path& path, const std::string& content);

}  // namespace hf::hub
