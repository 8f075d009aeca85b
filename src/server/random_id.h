#pragma once
// Random letters and digits for the ids OpenAI's answers carry ("chatcmpl-…", "call_…"), from a
// per-thread generator seeded by the system (ids must not repeat across processes).
#include <cstddef>
#include <random>
#include <string>

namespace hf::server {

inline std::string random_alphanumeric(size_t n) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[rng() % (sizeof(alphabet) - 1)];
  return s;
}

}  // namespace hf::server
