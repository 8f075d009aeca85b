#include "core/log.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

namespace hf {

namespace {
std::mutex g_mutex;
bool g_quiet = false;

bool env_quiet() {
  const char* v = std::getenv("HF_VERBOSITY");
  return v && (std::strcmp(v, "error") == 0 || std::strcmp(v, "critical") == 0);
}
}  // namespace

void warn(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_mutex);
  static std::set<std::string> seen;  // transformers' warning_once: repeated warnings are noise
  if (!seen.insert(message).second || env_quiet()) return;
  std::fprintf(stderr, "hfcpp: warning: %s\n", message.c_str());
}

void info(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_quiet || env_quiet()) return;
  std::fprintf(stderr, "hfcpp: %s\n", message.c_str());
}

void set_quiet(bool quiet) { g_quiet = quiet; }

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) != 0; }

}  // namespace hf
