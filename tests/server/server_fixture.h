#pragma once
// An in-process `hfcpp serve` on 127.0.0.1 (any free port) with the tiny random Qwen2 fixture,
// plus the client helpers the server tests share: JSON posts and raw SSE reads.
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "server/server.h"

namespace hf::server::testing {

inline const std::string kModel = std::string(HF_FIXTURES) + "/tiny-qwen2";

class RunningServer {
 public:
  explicit RunningServer(ServerOptions o = {}, bool load = true) {
    o.host = "127.0.0.1";
    o.port = 0;
    if (o.model_id.empty()) o.model_id = "tiny-qwen2";
    server = std::make_unique<Server>(o);
    thread = std::thread([this] { server->run(); });
    if (load) server->load(kModel);
  }
  ~RunningServer() {
    server->stop(std::chrono::milliseconds(2000));
    thread.join();
  }
  httplib::Client client(const std::string& key = "") const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(60, 0);
    if (!key.empty()) c.set_bearer_token_auth(key.c_str());
    return c;
  }
  // POST `body` to `path`; the status and the parsed body (null when not JSON).
  std::pair<int, json> post(const std::string& path, const json& body, const std::string& key = "") const {
    return post_raw(path, body.dump(), key);
  }
  std::pair<int, json> post_raw(const std::string& path, const std::string& body, const std::string& key = "") const {
    auto c = client(key);
    auto res = c.Post(path.c_str(), body, "application/json");
    if (!res) return {-1, nullptr};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  // POST a streamed request; returns the raw response body (the exact SSE bytes).
  std::string stream(const std::string& path, const json& body) const {
    auto c = client();
    auto res = c.Post(path.c_str(), body.dump(), "application/json");
    return res ? res->body : "";
  }

  std::unique_ptr<Server> server;
  std::thread thread;
};

// The `data:` payloads of an SSE body, in order (each event must be "data: ...\n\n").
inline std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    if (end == std::string::npos || body.compare(pos, 6, "data: ") != 0) {
      ADD_FAILURE() << "not an SSE event at byte " << pos << ": " << body.substr(pos, 80);
      break;
    }
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end + 2;
  }
  return out;
}

// Every byte sequence is complete, valid UTF-8.
inline bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

}  // namespace hf::server::testing
