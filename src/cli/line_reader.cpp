#include "cli/line_reader.h"

#include <editline/readline.h>

#include <cstdlib>
#include <iostream>
#include <vector>

namespace hf::cli {

LineReader::LineReader(bool terminal) : terminal_(terminal) {
  if (terminal_) using_history();
}

std::optional<std::string> LineReader::read_line(const std::string& prompt) {
  if (terminal_) {
    char* raw = readline(prompt.c_str());
    if (!raw) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    return line;
  }
  std::cout << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> LineReader::read_message(const std::string& prompt, const std::string& continuation) {
  auto first = read_line(prompt);
  if (!first) return std::nullopt;
  std::vector<std::string> lines;
  if (first->rfind("\"\"\"", 0) == 0) {  // a """ block, possibly closed on its first line
    std::string line = first->substr(3);
    for (bool opening = true;; opening = false) {
      const bool closes = line.size() >= 3 && line.compare(line.size() - 3, 3, "\"\"\"") == 0;
      if (closes) line.resize(line.size() - 3);
      if (!(opening && line.empty())) lines.push_back(line);  // the bare opening """ is no line
      if (closes) break;
      auto next = read_line(continuation);
      if (!next) break;  // end of input closes the block
      line = *next;
    }
  } else {
    for (std::string line = *first;;) {
      const bool continues = !line.empty() && line.back() == '\\';
      if (continues) line.pop_back();
      lines.push_back(line);
      if (!continues) break;
      auto next = read_line(continuation);
      if (!next) break;
      line = *next;
    }
  }
  std::string message;
  for (const auto& l : lines) message += (&l == &lines.front() ? "" : "\n") + l;
  if (terminal_ && !message.empty()) add_history(message.c_str());
  return message;
}

}  // namespace hf::cli
