#include "hub/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace hf::hub {

namespace {

struct CurlHandle {
  CURL* handle = nullptr;
  CurlHandle() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle = curl_easy_init();
  }
  ~CurlHandle() {
    if (handle) curl_easy_cleanup(handle);
  }
};

CURL* thread_handle() {
  thread_local CurlHandle h;
  curl_easy_reset(h.handle);
  return h.handle;
}

struct Transfer {
  HttpResponse* response;
  const BodySink* sink;
  bool keep_body;
  bool headers_done = false;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {  // a new status line: forget an earlier response's headers
    t->response->headers.clear();
    size_t sp = line.find(' ');
    t->response->status = sp == std::string::npos ? 0 : std::atol(line.c_str() + sp + 1);
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(" \t", colon + 1);
    t->response->headers[name] = v == std::string::npos ? "" : line.substr(v);
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (t->keep_body) {
    if (t->response->body.size() + bytes > kMaxFetchedBody) {
      t->response->too_large = true;
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    t->response->body.append(data, bytes);
    return bytes;
  }
  if (t->sink && !(*t->sink)(data, bytes, *t->response)) {
    t->response->aborted = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return bytes;
}

HttpResponse perform(const HttpRequest& req, const BodySink* sink, bool keep_body) {
  HttpResponse resp;
  Transfer t{&resp, sink, keep_body};
  CURL* c = thread_handle();
  curl_slist* headers = nullptr;
  for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req.timeout_s);
  // A per-read timeout as Python's: fail when under 1 byte/s for timeout_s seconds.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req.timeout_s);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    resp.curl_code = int(rc);
    resp.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (!resp.curl_error.empty() && resp.curl_error.back() == '\n') resp.curl_error.pop_back();
  }
  return resp;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse http_stream(const HttpRequest& request, const BodySink& sink) { return perform(request, &sink, false); }
HttpResponse http_fetch(const HttpRequest& request) { return perform(request, nullptr, true); }

bool is_absolute_url(const std::string& s) {
  size_t p = s.find("://");
  if (p == std::string::npos || p == 0) return false;
  for (size_t i = 0; i < p; ++i)
    if (!std::isalpha(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

std::string url_origin(const std::string& url) {
  size_t p = url.find("://");
  if (p == std::string::npos) return "";
  std::string scheme = url.substr(0, p);
  for (auto& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t start = p + 3, end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority = authority.substr(at + 1);
  for (auto& c : authority) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t colon = authority.rfind(':');
  bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  if (!has_port) authority += scheme == "https" ? ":443" : ":80";
  return scheme + "://" + authority;
}

std::string resolve_location(const std::string& base, const std::string& location) {
  if (is_absolute_url(location)) return location;
  size_t p = base.find("://");
  size_t path_start = base.find('/', p == std::string::npos ? 0 : p + 3);
  std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  if (location.rfind("//", 0) == 0) return base.substr(0, p + 1) + location;
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

}  // namespace hf::hub
