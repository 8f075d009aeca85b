#pragma once
// The library's diagnostics, routed through the handlers of hf/diagnostics.h (default: stderr,
// one line each; stdout is reserved for results so that scripts can pipe it).
#include <string>

#include "hf/diagnostics.h"

namespace hf {

void warn(const std::string& message);  // "hfcpp: warning: ..." (once per distinct message)
void info(const std::string& message);  // "hfcpp: ..." unless HF_VERBOSITY=error or quiet
void set_quiet(bool quiet);
bool stderr_is_tty();

// Whether progress events have somewhere to go: a handler set by the application, or the
// default one while stderr is a terminal (HF_HUB_DISABLE_PROGRESS_BARS decides first).
bool progress_bars_enabled();
// Hands one progress event to the progress handler (core/progress.h draws bars through it).
void report_progress(const ProgressEvent& event);

}  // namespace hf
