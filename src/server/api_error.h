#pragma once
// ApiError: a request the server refuses, with the HTTP status and OpenAI's error object
// ({"error": {"message", "type", "param", "code"}}), so clients built for OpenAI read it as usual.
#include <stdexcept>
#include <string>

#include "core/json.h"

namespace hf::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string param = "", std::string code = "",
           std::string type = "invalid_request_error")
      : std::runtime_error(std::move(message)),
        status(status), type(std::move(type)), param(std::move(param)), code(std::move(code)) {}

  int status;
  std::string type, param, code;

  json body() const {
    auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(valid_utf8(s)); };
    return json{{"error", {{"message", valid_utf8(what())}, {"type", type}, {"param", opt(param)}, {"code", opt(code)}}}};
  }

 private:
  // A message may quote bytes of the request (a JSON parse error names the token it stopped at),
  // and those need not be UTF-8; a body that cannot be serialized killed the server (fuzzer), so
  // invalid bytes become U+FFFD, as nlohmann's replace handler writes them.
  static std::string valid_utf8(const std::string& s) {
    return json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
  }
};

// 400 naming the offending request field.
inline ApiError invalid_param(const std::string& param, const std::string& message) {
  return ApiError(400, message, param, "invalid_value");
}

}  // namespace hf::server
