// scan_cache_dir / delete_cached_repo: what `hfcpp cache ls` / `cache rm` show and do, with
// huggingface_hub's accounting (a blob shared by several revisions counts once for the repo) and
// its corruption checks (hub-protocol.md §7.2), reported as warnings instead of failing the scan.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "hf/hub.h"
#include "hub/cache_layout.h"
#include "hub/hub_config.h"
#include "hub/repo_names.h"

namespace hf {

namespace fs = std::filesystem;

namespace {

struct BlobStat {
  uint64_t size;
  std::pair<dev_t, ino_t> id;
};

std::optional<BlobStat> stat_blob(const fs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return std::nullopt;  // follows the link; a broken one fails
  return BlobStat{uint64_t(st.st_size), {st.st_dev, st.st_ino}};
}

std::optional<CachedRepoInfo> scan_repo(const fs::path& dir, std::vector<std::string>& warnings) {
  std::string name = dir.filename().string();
  size_t sep = name.find("--");
  std::string type = sep == std::string::npos ? "" : name.substr(0, sep);
  if (type != "models" && type != "datasets" && type != "spaces") {
    warnings.push_back(dir.string() + ": not a repo folder (expected models--, datasets-- or spaces--)");
    return std::nullopt;
  }
  CachedRepoInfo repo;
  repo.repo_type = type.substr(0, type.size() - 1);
  repo.repo_path = dir;
  std::string rest = name.substr(sep + 2);
  for (size_t p; (p = rest.find("--")) != std::string::npos;) rest.replace(p, 2, "/");
  repo.repo_id = rest;
  std::error_code ec;
  if (!fs::is_directory(dir / "snapshots", ec)) {
    warnings.push_back(dir.string() + ": corrupted (no snapshots/ folder)");
    return std::nullopt;
  }
  std::map<std::string, std::vector<std::string>> refs_by_commit;
  fs::path refs = dir / "refs";
  if (fs::is_directory(refs, ec))
    for (auto it = fs::recursive_directory_iterator(refs, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ref = it->path().lexically_relative(refs).generic_string();
      hub::RepoCache rc(dir.parent_path(), repo.repo_id, repo.repo_type);
      auto commit = hub::cached_commit(rc, ref);
      if (!commit) continue;
      if (!fs::is_directory(dir / "snapshots" / *commit, ec))
        warnings.push_back(dir.string() + ": corrupted (ref '" + ref + "' points to missing snapshot " + *commit + ")");
      refs_by_commit[*commit].push_back(ref);
    }
  std::map<std::pair<dev_t, ino_t>, uint64_t> repo_blobs;
  for (const auto& snap : fs::directory_iterator(dir / "snapshots", ec)) {
    if (!snap.is_directory(ec)) {
      warnings.push_back(snap.path().string() + ": corrupted (a plain file in snapshots/)");
      continue;
    }
    CachedRevisionInfo rev;
    rev.commit_hash = snap.path().filename().string();
    rev.snapshot_path = snap.path();
    rev.refs = refs_by_commit[rev.commit_hash];
    std::sort(rev.refs.begin(), rev.refs.end());
    std::set<std::pair<dev_t, ino_t>> seen;
    for (auto it = fs::recursive_directory_iterator(snap.path(), ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) continue;
      auto blob = stat_blob(it->path());
      if (!blob) {
        warnings.push_back(it->path().string() + ": corrupted (broken link to a missing blob)");
        continue;
      }
      ++rev.nb_files;
      if (seen.insert(blob->id).second) rev.size_on_disk += blob->size;
      repo_blobs[blob->id] = blob->size;
    }
    repo.revisions.push_back(std::move(rev));
  }
  std::sort(repo.revisions.begin(), repo.revisions.end(),
            [](const auto& a, const auto& b) { return a.commit_hash < b.commit_hash; });
  for (const auto& [id, size] : repo_blobs) repo.size_on_disk += size;
  repo.nb_files = repo_blobs.size();
  return repo;
}

}  // namespace

HFCacheInfo scan_cache_dir(const fs::path& cache_dir) {
  HFCacheInfo info;
  info.cache_dir = cache_dir.empty() ? hub_cache_dir() : cache_dir;
  std::error_code ec;
  if (!fs::is_directory(info.cache_dir, ec)) return info;
  for (const auto& e : fs::directory_iterator(info.cache_dir, ec)) {
    std::string n = e.path().filename().string();
    if (n == ".locks" || n == "CACHEDIR.TAG" || !e.is_directory(ec)) continue;
    if (auto repo = scan_repo(e.path(), info.warnings)) {
      info.size_on_disk += repo->size_on_disk;
      info.repos.push_back(std::move(*repo));
    }
  }
  std::sort(info.repos.begin(), info.repos.end(), [](const auto& a, const auto& b) {
    return std::tie(a.repo_type, a.repo_id) < std::tie(b.repo_type, b.repo_id);
  });
  return info;
}

bool delete_cached_repo(const std::string& repo_id, const HubOptions& options) {
  hub::HubConfig c = hub::make_config(options);
  hub::validate_repo_id(repo_id);
  hub::RepoCache cache(c.cache_dir, repo_id, c.repo_type);
  std::error_code ec;
  if (!fs::exists(cache.storage(), ec)) return false;
  fs::remove_all(cache.storage(), ec);
  if (ec) throw FileError(cache.storage().string() + ": cannot delete: " + ec.message());
  fs::remove_all(c.cache_dir / ".locks" / cache.folder, ec);  // nobody can hold them: the repo is gone
  return true;
}

}  // namespace hf
