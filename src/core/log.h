#pragma once
// Messages for the user go to stderr, one line each; stdout is reserved for results (the CLI's
// JSON and generated text) so that scripts can pipe it.
#include <string>

namespace hf {

void warn(const std::string& message);  // "hfcpp: warning: ..." (once per distinct message)
void info(const std::string& message);  // "hfcpp: ..." unless HF_VERBOSITY=error or quiet
void set_quiet(bool quiet);
bool stderr_is_tty();

}  // namespace hf
