#include "hub/file_download.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/progress.h"
#include "hf/hub.h"
#include "hub/blob_download.h"
#include "hub/cache_layout.h"
#include "hub/file_lock.h"
#include "hub/hub_request.h"
#include "hub/repo_names.h"

namespace hf::hub {

namespace fs = std::filesystem;

namespace {

std::string not_cached_message(const HubConfig& c, const std::string& repo_id, const std::string& file,
                               const std::string& why) {
  return why + ", and '" + file + "' of " + repo_id + " (revision '" + c.revision + "') is not in the cache at " +
         c.cache_dir.string() + "; " +
         (c.offline ? "unset HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE (or drop --offline) to download it, or run "
                      "`hfcpp download " + repo_id + "` while online"
                    : "check your connection (and HF_ENDPOINT) and retry");
}

// The answer the cache gives when the Hub cannot: a file, "known missing", or an exception.
DownloadResult from_cache_or_throw(const HubConfig& c, const RepoCache& cache, const std::string& repo_id,
                                   const std::string& file, bool missing_ok, const std::string& why) {
  CacheLookup hit = lookup_cache(cache, c.revision, file);
  if (hit.kind == CacheLookup::kFound) return {hit.path, hit.commit};
  if (hit.kind == CacheLookup::kKnownMissing && missing_ok) return {std::nullopt, hit.commit};
  // Offline, an optional file the cache does not show is treated as absent: nothing can tell
  // otherwise, and required files are checked by the caller.
  if (missing_ok && c.offline && hit.kind == CacheLookup::kNotCached && !hit.commit.empty())
    return {std::nullopt, hit.commit, true};
  throw LocalEntryNotFoundError(not_cached_message(c, repo_id, file, why));
}

}  // namespace

DownloadResult download_file(const HubConfig& c, const std::string& repo_id, const std::string& file,
                             bool missing_ok) {
  validate_repo_id(repo_id);
  validate_repo_file_path(file, "the caller");
  validate_revision(c.revision);
  RepoCache cache(c.cache_dir, repo_id, c.repo_type);

  // A commit hash names immutable content: a cached file needs no request at all.
  if (!c.force_download && is_commit_hash(c.revision)) {
    CacheLookup hit = lookup_cache(cache, c.revision, file);
    if (hit.kind == CacheLookup::kFound) return {hit.path, hit.commit};
    if (hit.kind == CacheLookup::kKnownMissing && missing_ok) return {std::nullopt, hit.commit};
  }
  if (c.offline) return from_cache_or_throw(c, cache, repo_id, file, missing_ok, "offline mode is on");

  RequestContext ctx{c.endpoint, repo_id, c.repo_type, c.revision, file, resolve_url(c, repo_id, c.revision, file)};
  HeadOutcome head;
  for (int attempt = 0;; ++attempt) {
    head = head_file(c, ctx.url);
    ctx.sent_token = head.sent_token;
    if (head.metadata) break;
    const HttpResponse& r = head.response;
    std::string code = r.header("x-error-code");
    if (r.status == 404 && code == "EntryNotFound") {
      std::string commit = r.header("x-repo-commit");
      if (is_commit_hash(commit)) {  // remember "absent at this commit" for the next call
        std::error_code ec;
        fs::create_directories(cache.snapshot_dir(commit), ec);  // a ref never points at nothing
        mark_no_exist(cache, commit, file);
        write_ref(cache, c.revision, commit);
      }
      if (missing_ok) return {std::nullopt, commit};
      raise_for_status(r, ctx);
    }
    if (r.status == 404 && code == "RevisionNotFound") raise_for_status(r, ctx);
    // A mirror that answers a bare 404 (no X-Error-Code) for a missing optional file.
    if (r.status == 404 && code.empty() && missing_ok) return {std::nullopt, r.header("x-repo-commit")};
    // Anything else (network down, 5xx, 401/403, a proxy answering): a cached copy still works.
    std::string why = r.network_error() ? network_problem(c, r)
                      : !head.problem.empty() ? "the answer of " + head.url + " is unusable: " + head.problem
                                              : "the Hub answered HTTP " + std::to_string(r.status);
    CacheLookup hit = lookup_cache(cache, c.revision, file);
    if (!c.force_download && (hit.kind == CacheLookup::kFound || (hit.kind == CacheLookup::kKnownMissing && missing_ok))) {
      warn(why + " while checking " + repo_id + "; using the cached copy of revision '" + c.revision + "'");
      if (hit.kind == CacheLookup::kFound) return {hit.path, hit.commit};
      return {std::nullopt, hit.commit};
    }
    if (is_retryable(r) && head.problem.empty() && attempt < kMaxRetries) {
      retry_sleep(attempt, &r);
      continue;
    }
    if (r.status >= 400) raise_for_status(r, ctx);
    if (missing_ok && !hit.commit.empty()) {  // an optional file of a model otherwise cached
      warn(why + "; skipping '" + file + "' of " + repo_id + ", which the cache does not hold");
      return {std::nullopt, hit.commit, true};
    }
    throw LocalEntryNotFoundError(not_cached_message(c, repo_id, file, why));
  }

  const FileMetadata& meta = *head.metadata;
  fs::path pointer = cache.pointer(meta.commit, file);
  std::error_code ec;
  if (!c.force_download && fs::is_regular_file(pointer, ec)) {
    write_ref(cache, c.revision, meta.commit);
    return {pointer, meta.commit};
  }
  validate_repo_file_path(meta.etag, "the server's ETag");
  fs::create_directories(cache.storage() / "blobs");
  fs::create_directories(pointer.parent_path());
  write_cachedir_tag(c.cache_dir);
  write_ref(cache, c.revision, meta.commit);  // after the snapshot folder: a ref never dangles

  FileLock lock(cache.lock_file(meta.etag));
  fs::path blob = cache.blob(meta.etag);
  if (!c.force_download && fs::is_regular_file(blob, ec)) {  // same content via another revision/process
    create_pointer(blob, pointer, false, c.disable_symlinks);
    return {pointer, meta.commit};
  }
  ctx.url = meta.location;
  download_blob(c, ctx, meta, cache.incomplete(meta.etag), blob);
  create_pointer(blob, pointer, true, c.disable_symlinks);
  return {pointer, meta.commit};
}

void download_files(const HubConfig& config, const std::string& repo_id, const std::vector<std::string>& files) {
  if (files.size() <= 1) {
    for (const auto& f : files) download_file(config, repo_id, f, false);
    return;
  }
  HubConfig quiet = config;
  quiet.file_progress = false;
  ProgressBar bar("Fetching " + std::to_string(files.size()) + " files", files.size(), 0, progress_bars_enabled(), "it");
  std::mutex mutex;
  std::exception_ptr first_error;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (first_error) return;  // stop taking new files after a failure
      }
      try {
        download_file(quiet, repo_id, files[i], false);
        std::lock_guard<std::mutex> lock(mutex);
        bar.update(1);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min<size_t>(8, files.size()); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  bar.close();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace hf::hub

namespace hf {

std::filesystem::path hf_hub_download(const std::string& repo_id, const std::string& filename,
                                      const HubOptions& options) {
  return *hub::download_file(hub::make_config(options), repo_id, filename, false).path;
}

std::optional<std::filesystem::path> try_hf_hub_download(const std::string& repo_id, const std::string& filename,
                                                         const HubOptions& options) {
  return hub::download_file(hub::make_config(options), repo_id, filename, true).path;
}

std::optional<std::filesystem::path> try_to_load_from_cache(const std::string& repo_id, const std::string& filename,
                                                            const HubOptions& options) {
  hub::HubConfig c = hub::make_config(options);
  hub::validate_repo_id(repo_id);
  hub::validate_repo_file_path(filename, "the caller");
  hub::CacheLookup hit = hub::lookup_cache(hub::RepoCache(c.cache_dir, repo_id, c.repo_type), c.revision, filename);
  if (hit.kind == hub::CacheLookup::kFound) return hit.path;
  return std::nullopt;
}

std::filesystem::path hub_cache_dir(const HubOptions& options) { return hub::make_config(options).cache_dir; }

}  // namespace hf
