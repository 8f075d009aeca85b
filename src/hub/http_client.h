#pragma once
// A thin libcurl wrapper: one request, no automatic redirects (the Hub client follows them itself,
// to decide per hop whether the token may go along), headers collected with lowercase names.
// Connections are reused per thread (keep-alive), which matters for the dozen small HEADs a model
// load makes.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hf::hub {

struct HttpRequest {
  std::string method = "GET";           // GET or HEAD
  std::string url;
  std::vector<std::string> headers;      // "Name: value"
  long timeout_s = 10;                   // connect timeout, and the longest stall while reading
};

struct HttpResponse {
  long status = 0;                       // 0 when no response came (network error)
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;                      // filled only by http_fetch
  int curl_code = 0;                     // CURLcode; non-zero: the transfer failed
  std::string curl_error;
  bool aborted = false;                  // the body callback asked to stop
  bool too_large = false;                // http_fetch: the body passed kMaxFetchedBody (transfer stopped)

  bool network_error() const { return curl_code != 0 && !aborted; }
  std::string header(const std::string& lowercase_name) const;
  bool is_redirect() const { return status >= 300 && status < 400; }
};

// Called once per received body chunk; the response's status and headers are already set.
// Return false to abort the transfer.
using BodySink = std::function<bool(const char* data, size_t size, const HttpResponse& response)>;

// HEAD, or GET streamed to `sink`.
HttpResponse http_stream(const HttpRequest& request, const BodySink& sink);
// HEAD, or GET with the body kept in memory (API calls, error bodies): a body longer than
// kMaxFetchedBody stops the transfer with too_large set (a hostile mirror cannot fill memory).
constexpr size_t kMaxFetchedBody = size_t(64) << 20;
HttpResponse http_fetch(const HttpRequest& request);

// "scheme://host:port" with the default port made explicit, for same-origin checks.
std::string url_origin(const std::string& url);
// Resolves a Location header against the URL it came from (absolute, "/path", or relative path).
std::string resolve_location(const std::string& base_url, const std::string& location);
bool is_absolute_url(const std::string& s);

}  // namespace hf::hub
