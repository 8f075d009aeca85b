#include "hub/safetensors_conversion.h"

#include <cctype>

#include "core/json.h"
#include "core/log.h"
#include "hf/hub.h"
#include "hub/hub_request.h"
#include "hub/repo_names.h"

namespace hf::hub {

namespace {
constexpr const char* kPrTitle = "Adding `safetensors` variant of this model";

bool same_ignoring_case(std::string a, std::string b) {
  for (auto& c : a) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : b) c = char(std::tolower(static_cast<unsigned char>(c)));
  return a == b;
}

json get_json(const HubConfig& c, const std::string& repo_id, const std::string& url) {
  RequestContext ctx{c.endpoint, repo_id, c.repo_type, "main", "", url};
  return parse_api_json(api_get(c, ctx), url);
}
}  // namespace

std::optional<std::string> find_conversion_pr(const HubConfig& c, const std::string& repo_id,
                                              const std::string& main_commit) {
  if (c.offline || c.repo_type != "model") return std::nullopt;
  try {
    for (int page = 0; page < 5; ++page) {
      json j = get_json(c, repo_id, api_url(c, repo_id, "/discussions?p=" + std::to_string(page)));
      const json& list = j.at("discussions");
      for (const auto& d : list) {
        if (d.value("title", "") != kPrTitle || d.value("status", "") != "open" || !d.value("isPullRequest", false))
          continue;
        std::string author = d.contains("author") && d["author"].is_object() ? d["author"].value("name", "") : "";
        if (!same_ignoring_case(author, "SFconvertbot")) continue;  // anyone can open a PR with that title
        std::string ref = "refs/pr/" + std::to_string(d.at("num").get<long>());
        // The PR must sit directly on main's head, or its other files are stale.
        json commits = get_json(c, repo_id, api_url(c, repo_id, "/commits/" + url_quote(ref, "")));
        if (commits.is_array() && commits.size() >= 2 && commits[1].value("id", "") == main_commit) return ref;
      }
      long count = j.value("count", 0L), start = j.value("start", 0L);
      if (list.empty() || start + long(list.size()) >= count) break;
    }
  } catch (const std::exception& e) {
    info(repo_id + ": could not look for a safetensors conversion PR (" + e.what() + "); using pytorch_model.bin");
  }
  return std::nullopt;
}

std::optional<std::string> cached_conversion_pr(const RepoCache& cache) {
  std::error_code ec;
  long best = -1;
  for (const auto& e : std::filesystem::directory_iterator(cache.storage() / "refs" / "refs" / "pr", ec)) {
    std::string n = e.path().filename().string();
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 9) continue;
    auto commit = cached_commit(cache, "refs/pr/" + n);
    if (!commit) continue;
    auto snap = cache.snapshot_dir(*commit);
    if (std::filesystem::is_regular_file(snap / "model.safetensors", ec) ||
        std::filesystem::is_regular_file(snap / "model.safetensors.index.json", ec))
      best = std::max(best, std::stol(n));
  }
  if (best < 0) return std::nullopt;
  return "refs/pr/" + std::to_string(best);
}

}  // namespace hf::hub
