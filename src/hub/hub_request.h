#pragma once
// Requests to the Hub as huggingface_hub makes them: the metadata HEAD on /resolve/ (with
// relative redirects followed by hand, hub-protocol.md §4), JSON API calls, and the headers
// each request carries. The token goes only to the configured endpoint's origin, never to the
// host a redirect points to.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hf/json.h"
#include "hub/hub_config.h"
#include "hub/hub_errors.h"
#include "hub/http_client.h"

namespace hf::hub {

// user-agent, Accept-Encoding: identity, and Authorization when `url` is on the endpoint's origin.
std::vector<std::string> request_headers(const HubConfig& config, const std::string& url, bool* sent_token = nullptr);

// "{endpoint}/{prefix}{repo_id}/resolve/{quoted revision}/{quoted file}".
std::string resolve_url(const HubConfig& config, const std::string& repo_id, const std::string& revision,
                        const std::string& file);
// "{endpoint}/api/{types}/{repo_id}" + suffix.
std::string api_url(const HubConfig& config, const std::string& repo_id, const std::string& suffix = "");

struct FileMetadata {
  std::string commit;        // X-Repo-Commit
  std::string etag;          // X-Linked-Etag or ETag, normalized (no W/, no quotes)
  uint64_t size = 0;
  std::string location;      // where to GET the content (a CDN URL for LFS files)
};

struct HeadOutcome {
  std::optional<FileMetadata> metadata;  // set on success
  HttpResponse response;                 // the last response (its status/curl error explain a failure)
  std::string url;                       // the last URL asked
  std::string problem;                   // a 2xx/3xx without the headers the Hub always sends
  bool sent_token = false;
};

// HEAD on a resolve URL, following relative redirects (up to 10).
HeadOutcome head_file(const HubConfig& config, const std::string& url);

// GET a JSON API URL; throws the matching HubError on an error status, or a HubError naming
// the endpoint on a network failure.
// A body over kMaxFetchedBody is a HubError naming the URL.
HttpResponse api_get(const HubConfig& config, RequestContext context);

// An API answer's body parsed as model files are (core's parse_json: nesting bounded, a number
// past a double's range rejected): what a mirror (HF_ENDPOINT) sends is as untrusted as a model
// file. Malformed JSON is a HubError naming `url`.
json parse_api_json(const HttpResponse& response, const std::string& url);

// "cannot reach <endpoint> (<curl error>)": one phrase for network failures.
std::string network_problem(const HubConfig& config, const HttpResponse& response);

// Sleeps before retry number `attempt` (0-based): 1, 2, 4, 8, 8 s, as huggingface_hub backs off;
// a 429 with Retry-After waits what the server asks (+1 s, at most a minute).
void retry_sleep(int attempt, const HttpResponse* response = nullptr);
constexpr int kMaxRetries = 5;

}  // namespace hf::hub
