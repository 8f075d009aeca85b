#pragma once
// Where hfcpp's diagnostics go: warnings ("hfcpp: warning: ..."), info lines and progress bars
// (downloads, checkpoint shards). By default they go to stderr as the `hfcpp` command shows them
// (bars only when stderr is a terminal); an application routes them to its own log or UI, or
// turns them off:
//
//   hf::set_diagnostics_handler([](hf::DiagnosticLevel level, std::string_view message) {
//     my_log(level == hf::DiagnosticLevel::warning ? "WARN" : "INFO", message);
//   });
//   hf::set_progress_handler([](const hf::ProgressEvent& p) { ui.show(p.description, p.done, p.total); });
//   hf::set_diagnostics_handler(nullptr);  // no warnings or info lines at all
//   hf::set_progress_handler(nullptr);     // no progress bars
//   hf::reset_diagnostics();               // back to stderr
//
// The environment still filters first, as in transformers and huggingface_hub: HF_VERBOSITY=error
// drops warnings and info lines, HF_HUB_DISABLE_PROGRESS_BARS=1 drops bars (=0 forces them on).
// A repeated warning is delivered once. Handlers may be called from any thread that runs library
// code, one call at a time; they must not call back into these setters.
#include <cstdint>
#include <functional>
#include <string_view>

#include "hf/export.h"

namespace hf {

enum class DiagnosticLevel { info, warning };

using DiagnosticsHandler = std::function<void(DiagnosticLevel level, std::string_view message)>;

// One update of a progress bar. Updates are throttled (a few per second) except the last one.
struct ProgressEvent {
  std::string_view description;  // "model.safetensors", "Fetching 4 files"
  std::string_view unit;         // "B" (bytes) or a count's unit, e.g. "it"
  uint64_t done = 0;
  uint64_t total = 0;            // 0 when unknown
  bool finished = false;         // the bar's last event
  std::string_view line;         // the bar as hfcpp draws it: "model.safetensors:  45%|█████▍ | 443MB/988MB [...]"
};

using ProgressHandler = std::function<void(const ProgressEvent& event)>;

// An empty handler (nullptr) turns that kind of diagnostics off.
HF_API void set_diagnostics_handler(DiagnosticsHandler handler);
HF_API void set_progress_handler(ProgressHandler handler);
// Back to the defaults: messages and bars on stderr.
HF_API void reset_diagnostics();

}  // namespace hf
