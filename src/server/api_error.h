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
    auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    return json{{"error", {{"message", what()}, {"type", type}, {"param", opt(param)}, {"code", opt(code)}}}};
  }
};

// 400 naming the offending request field.
inline ApiError invalid_param(const std::string& param, const std::string& message) {
  return ApiError(400, message, param, "invalid_value");
}

}  // namespace hf::server
