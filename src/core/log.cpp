#include "core/log.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>

#include "core/env.h"

namespace hf {

namespace {

void stderr_message(DiagnosticLevel level, std::string_view message) {
  std::fprintf(stderr, "hfcpp: %s%.*s\n", level == DiagnosticLevel::warning ? "warning: " : "",
               int(message.size()), message.data());
}

// \r and clear-to-end-of-line: the bar rewrites itself in place; its last draw ends the line.
void stderr_progress(const ProgressEvent& event) {
  std::fprintf(stderr, "\r%.*s\x1b[K%s", int(event.line.size()), event.line.data(), event.finished ? "\n" : "");
  std::fflush(stderr);
}

// One mutex serializes every handler call, so a handler never runs twice at once.
struct Diagnostics {
  std::mutex mutex;
  DiagnosticsHandler messages = stderr_message;
  ProgressHandler progress = stderr_progress;
  bool default_progress = true;
  bool quiet = false;
  std::set<std::string> warned;  // transformers' warning_once: repeated warnings are noise
};

Diagnostics& diagnostics() {
  static Diagnostics d;
  return d;
}

bool env_quiet() {
  const char* v = std::getenv("HF_VERBOSITY");
  return v && (std::strcmp(v, "error") == 0 || std::strcmp(v, "critical") == 0);
}

}  // namespace

void set_diagnostics_handler(DiagnosticsHandler handler) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.messages = std::move(handler);
}

void set_progress_handler(ProgressHandler handler) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.progress = std::move(handler);
  d.default_progress = false;
}

void reset_diagnostics() {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.messages = stderr_message;
  d.progress = stderr_progress;
  d.default_progress = true;
}

void warn(const std::string& message) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (!d.messages || env_quiet() || !d.warned.insert(message).second) return;
  d.messages(DiagnosticLevel::warning, message);
}

void info(const std::string& message) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (!d.messages || d.quiet || env_quiet()) return;
  d.messages(DiagnosticLevel::info, message);
}

void set_quiet(bool quiet) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.quiet = quiet;
}

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) != 0; }

bool progress_bars_enabled() {
  if (auto disabled = env_flag("HF_HUB_DISABLE_PROGRESS_BARS")) return !*disabled;
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (!d.progress) return false;
  return !d.default_progress || stderr_is_tty();
}

void report_progress(const ProgressEvent& event) {
  Diagnostics& d = diagnostics();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.progress) d.progress(event);
}

}  // namespace hf
