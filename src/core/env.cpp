#include "core/env.h"

#include <cctype>
#include <cstdlib>

namespace hf {

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

std::optional<bool> env_flag(const char* name) {
  auto v = env_value(name);
  if (!v) return std::nullopt;
  std::string s = *v;
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s == "1" || s == "ON" || s == "YES" || s == "TRUE";
}

}  // namespace hf
