#include "hub/hub_request.h"

#include <chrono>
#include <thread>

#include "core/json.h"
#include "hf/hub.h"
#include "hub/repo_names.h"

namespace hf::hub {

std::vector<std::string> request_headers(const HubConfig& config, const std::string& url, bool* sent_token) {
  std::vector<std::string> h = {"user-agent: " + user_agent(),
                                // Without it the Hub may gzip text files and drop Content-Length.
                                "Accept-Encoding: identity"};
  bool send = !config.token.empty() && url_origin(url) == url_origin(config.endpoint);
  if (send) h.push_back("authorization: Bearer " + config.token);
  if (sent_token) *sent_token = send;
  return h;
}

std::string resolve_url(const HubConfig& c, const std::string& repo_id, const std::string& revision,
                        const std::string& file) {
  std::string prefix = c.repo_type == "model" ? "" : c.repo_type + "s/";
  return c.endpoint + "/" + prefix + repo_id + "/resolve/" + url_quote(revision, "") + "/" + url_quote(file, "/");
}

std::string api_url(const HubConfig& c, const std::string& repo_id, const std::string& suffix) {
  return c.endpoint + "/api/" + c.repo_type + "s/" + repo_id + suffix;
}

namespace {
std::string normalize_etag(std::string e) {
  if (e.rfind("W/", 0) == 0) e = e.substr(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  return e;
}

bool parse_size(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (!end || *end != 0) return false;
  *out = v;
  return true;
}
}  // namespace

HeadOutcome head_file(const HubConfig& config, const std::string& start_url) {
  HeadOutcome out;
  out.url = start_url;
  for (int hop = 0; hop < 10; ++hop) {
    HttpRequest req{"HEAD", out.url, request_headers(config, out.url, &out.sent_token), config.etag_timeout_s};
    out.response = http_fetch(req);
    const HttpResponse& r = out.response;
    if (r.network_error() || r.status >= 400) return out;
    std::string location = r.header("location");
    bool redirect = r.is_redirect() && !location.empty();
    if (redirect && !is_absolute_url(location)) {  // resolve-cache or a renamed repo: same host, ask again
      out.url = resolve_location(out.url, location);
      continue;
    }
    FileMetadata m;
    m.commit = r.header("x-repo-commit");
    m.etag = normalize_etag(!r.header("x-linked-etag").empty() ? r.header("x-linked-etag") : r.header("etag"));
    // A redirect's Content-Length is the length of the redirect text, not of the file.
    bool sized = parse_size(r.header("x-linked-size"), &m.size) ||
                 (!redirect && parse_size(r.header("content-length"), &m.size));
    m.location = redirect ? location : out.url;
    if (m.commit.empty()) out.problem = "the response has no X-Repo-Commit header (is " + config.endpoint + " a Hub?)";
    else if (!is_commit_hash(m.commit)) out.problem = "the X-Repo-Commit header '" + m.commit + "' is not a commit hash";
    else if (m.etag.empty()) out.problem = "the response has no ETag";
    else if (!sized) out.problem = "the response has no Content-Length";
    else out.metadata = m;
    return out;
  }
  out.problem = "too many redirects";
  return out;
}

std::string network_problem(const HubConfig& config, const HttpResponse& r) {
  return "cannot reach " + config.endpoint + " (" + r.curl_error + ")";
}

HttpResponse api_get(const HubConfig& config, RequestContext ctx) {
  int redirects = 0;
  for (int attempt = 0;; ++attempt) {
    HttpRequest req{"GET", ctx.url, request_headers(config, ctx.url, &ctx.sent_token), config.etag_timeout_s};
    HttpResponse r = http_fetch(req);
    if (r.too_large)
      throw HubError(ctx.url + ": the answer is larger than " + std::to_string(kMaxFetchedBody >> 20) +
                     " MiB (is " + config.endpoint + " a Hub?)");
    // Server trouble is retried; a network failure is not (Python's model_info does not retry):
    // the caller falls back to the cache at once.
    if (!r.network_error() && is_retryable(r) && attempt < kMaxRetries) {
      retry_sleep(attempt, &r);
      continue;
    }
    if (r.network_error())
      throw LocalEntryNotFoundError(network_problem(config, r) + " while asking " + ctx.url);
    raise_for_status(r, ctx);
    if (r.is_redirect()) {  // a renamed repo answers 307 to its new id; follow a few hops
      if (r.header("location").empty() || ++redirects > 10) throw HubError("bad redirect from " + ctx.url);
      ctx.url = resolve_location(ctx.url, r.header("location"));
      --attempt;
      continue;
    }
    return r;
  }
}

json parse_api_json(const HttpResponse& r, const std::string& url) {
  try {
    return parse_json(r.body);
  } catch (const json::parse_error& e) {
    throw HubError(url + ": the answer is not valid JSON (" + e.what() + ")");
  }
}

void retry_sleep(int attempt, const HttpResponse* response) {
  static const int kDelays[] = {1, 2, 4, 8, 8};
  long seconds = kDelays[std::min(attempt, 4)];
  if (response && response->status == 429) {
    long asked = std::atol(response->header("retry-after").c_str());
    if (asked > 0) seconds = std::min(asked + 1, 60L);
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
}

}  // namespace hf::hub
