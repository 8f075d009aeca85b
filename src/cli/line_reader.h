#pragma once
// The chat REPL's input: one message per call, typed at a terminal (line editing and history
// through libedit) or read from a pipe. A message may span several lines, as in llama.cpp and
// ollama:
//   - a line ending with `\` continues on the next line (the `\` is dropped);
//   - a line that starts with `"""` opens a block that ends at the next line ending with `"""`.
#include <optional>
#include <string>

namespace hf::cli {

class LineReader {
 public:
  // `terminal`: stdin is a terminal (libedit edits the line and keeps the history); else plain
  // lines are read and the prompt is written to stdout.
  explicit LineReader(bool terminal);
  // The next message, its lines joined by "\n"; nullopt at end of input (Ctrl-D).
  std::optional<std::string> read_message(const std::string& prompt, const std::string& continuation);

 private:
  std::optional<std::string> read_line(const std::string& prompt);
  bool terminal_;
};

}  // namespace hf::cli
