#include "hub/cache_layout.h"

#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "hf/error.h"
#include "hub/repo_names.h"

namespace hf::hub {

RepoCache::RepoCache(fs::path cache, const std::string& repo_id, const std::string& repo_type)
    : cache_dir(std::move(cache)), folder(repo_folder_name(repo_id, repo_type)) {}

std::optional<std::string> cached_commit(const RepoCache& cache, const std::string& revision) {
  if (is_commit_hash(revision)) return revision;
  std::ifstream in(cache.ref_file(revision));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, e - b + 1);
  // A ref that is not a commit would make us read snapshots/<garbage>: treat it as unknown.
  if (!is_commit_hash(s)) return std::nullopt;
  return s;
}

void write_file_atomic(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::random_device rd;
  fs::path tmp = path.parent_path() / (path.filename().string() + ".tmp" + std::to_string(::getpid()) + "-" +
                                       std::to_string(rd()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw FileError(tmp.string() + ": cannot write (disk full or read-only cache?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw FileError(path.string() + ": cannot write: " + ec.message());
  }
}

void write_ref(const RepoCache& cache, const std::string& revision, const std::string& commit) {
  if (revision == commit) return;
  auto current = cached_commit(cache, revision);
  if (current && *current == commit && !is_commit_hash(revision)) return;
  write_file_atomic(cache.ref_file(revision), commit);  // no trailing newline: Python reads it raw
}

void write_cachedir_tag(const fs::path& cache_dir) {
  std::error_code ec;
  fs::path tag = cache_dir / "CACHEDIR.TAG";
  if (fs::exists(tag, ec)) return;
  fs::create_directories(cache_dir, ec);
  std::ofstream out(tag);
  out << "Signature: 8a477f597d28d172789f06886806bc55\n"
         "# This file is a cache directory tag created by huggingface_hub.\n"
         "# For information about cache directory tags, see:\n"
         "#\thttps://bford.info/cachedir/\n";
}

void create_pointer(const fs::path& blob, const fs::path& pointer, bool new_blob, bool disable_symlinks) {
  fs::create_directories(pointer.parent_path());
  std::error_code ec;
  fs::remove(pointer, ec);
  if (!disable_symlinks) {
    fs::path target = blob.lexically_relative(pointer.parent_path());
    fs::create_symlink(target, pointer, ec);
    if (!ec) return;
  }
  if (new_blob) fs::rename(blob, pointer, ec);
  if (!new_blob || ec) {
    ec.clear();
    fs::copy_file(blob, pointer, fs::copy_options::overwrite_existing, ec);
  }
  if (ec) throw FileError(pointer.string() + ": cannot place the downloaded file in the snapshot: " + ec.message());
}

void mark_no_exist(const RepoCache& cache, const std::string& commit, const std::string& file) {
  std::error_code ec;
  fs::path p = cache.no_exist(commit, file);
  fs::create_directories(p.parent_path(), ec);
  if (!ec) std::ofstream(p, std::ios::app);
}

CacheLookup lookup_cache(const RepoCache& cache, const std::string& revision, const std::string& file) {
  CacheLookup r;
  auto commit = cached_commit(cache, revision);
  if (!commit) return r;
  r.commit = *commit;
  std::error_code ec;
  fs::path p = cache.pointer(*commit, file);
  if (fs::is_regular_file(p, ec)) {  // follows the symlink: a broken link is "not cached"
    r.kind = CacheLookup::kFound;
    r.path = p;
  } else if (fs::exists(cache.no_exist(*commit, file), ec)) {
    r.kind = CacheLookup::kKnownMissing;
  }
  return r;
}

}  // namespace hf::hub
