#include "hub/snapshot_download.h"

#include <fnmatch.h>

#include "core/json.h"
#include "core/log.h"
#include "hf/hub.h"
#include "hub/cache_layout.h"
#include "hub/file_download.h"
#include "hub/hub_request.h"
#include "hub/repo_names.h"

namespace hf::hub {

namespace fs = std::filesystem;

std::string fetch_commit(const HubConfig& c, const std::string& repo_id) {
  if (is_commit_hash(c.revision)) return c.revision;
  RequestContext ctx{c.endpoint, repo_id, c.repo_type, c.revision, "", api_url(c, repo_id, "/revision/" + url_quote(c.revision, ""))};
  const json j = parse_api_json(api_get(c, ctx), ctx.url);
  if (j.is_object() && j.contains("sha") && j["sha"].is_string() && is_commit_hash(j["sha"].get<std::string>()))
    return j["sha"].get<std::string>();
  throw HubError(ctx.url + ": the answer has no commit hash in 'sha' (is " + c.endpoint + " a Hub?)");
}

namespace {
// `Link: <url>; rel="next"` → url, or "".
std::string next_page(const std::string& link) {
  size_t rel = link.find("rel=\"next\"");
  if (rel == std::string::npos) return "";
  size_t close = link.rfind('>', rel), open = link.rfind('<', close);
  if (close == std::string::npos || open == std::string::npos) return "";
  return link.substr(open + 1, close - open - 1);
}
}  // namespace

std::vector<std::string> list_repo_files(const HubConfig& c, const std::string& repo_id, const std::string& commit) {
  std::vector<std::string> files;
  RequestContext ctx{c.endpoint, repo_id, c.repo_type, commit, "",
                     api_url(c, repo_id, "/tree/" + url_quote(commit, "") + "?recursive=true&expand=false")};
  for (int page = 0; page < 100000 && !ctx.url.empty(); ++page) {
    HttpResponse r = api_get(c, ctx);
    const json entries = parse_api_json(r, ctx.url);
    if (!entries.is_array()) throw HubError(ctx.url + ": the file listing is not a JSON array");
    for (const auto& e : entries) {
      if (!e.is_object() || e.value("type", "") != "file" || !e.contains("path") || !e["path"].is_string()) continue;
      std::string path = e["path"].get<std::string>();
      validate_repo_file_path(path, "the server's file listing (" + ctx.url + ")");
      files.push_back(path);
    }
    std::string next = next_page(r.header("link"));
    ctx.url = next.empty() ? "" : resolve_location(ctx.url, next);
  }
  return files;
}

bool matches_patterns(const std::string& path, const std::vector<std::string>& allow,
                      const std::vector<std::string>& ignore) {
  auto any = [&](const std::vector<std::string>& patterns) {
    for (std::string p : patterns) {
      for (auto& ch : p)
        if (ch == '\\') ch = '/';
      if (!p.empty() && p.back() == '/') p += '*';
      if (::fnmatch(p.c_str(), path.c_str(), 0) == 0) return true;
    }
    return false;
  };
  if (!allow.empty() && !any(allow)) return false;
  return ignore.empty() || !any(ignore);
}

}  // namespace hf::hub

namespace hf {

std::filesystem::path snapshot_download(const std::string& repo_id, const HubOptions& options) {
  using namespace hub;
  HubConfig c = make_config(options);
  validate_repo_id(repo_id);
  validate_revision(c.revision);
  RepoCache cache(c.cache_dir, repo_id, c.repo_type);
  auto cached_snapshot = [&]() -> std::optional<fs::path> {
    auto commit = cached_commit(cache, c.revision);
    std::error_code ec;
    if (commit && fs::is_directory(cache.snapshot_dir(*commit), ec)) return cache.snapshot_dir(*commit);
    return std::nullopt;
  };
  if (c.offline) {
    if (auto s = cached_snapshot()) return *s;
    throw LocalEntryNotFoundError("offline mode is on and revision '" + c.revision + "' of " + repo_id +
                                  " is not in the cache at " + c.cache_dir.string() +
                                  "; unset HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE (or drop --offline) to download it");
  }
  std::string commit;
  std::vector<std::string> files;
  try {
    commit = fetch_commit(c, repo_id);
    files = list_repo_files(c, repo_id, commit);
  } catch (const RevisionNotFoundError&) {
    throw;
  } catch (const HubError& e) {
    // As Python: the Hub unreachable (or refusing) while the snapshot is cached = use the cache.
    if (auto s = cached_snapshot()) {
      warn(std::string(e.what()) + "; using the cached snapshot of " + repo_id + " '" + c.revision + "'");
      return *s;
    }
    throw;
  }
  fs::create_directories(cache.snapshot_dir(commit));
  write_ref(cache, c.revision, commit);
  HubConfig at_commit = c;
  at_commit.revision = commit;  // pinned: cached files need no request, a moving branch cannot mix commits
  std::vector<std::string> wanted;
  for (const std::string& f : files)
    if (matches_patterns(f, options.allow_patterns, options.ignore_patterns)) wanted.push_back(f);
  download_files(at_commit, repo_id, wanted);
  return cache.snapshot_dir(commit);
}

}  // namespace hf
