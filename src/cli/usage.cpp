// Short usage and "did you mean" for mistyped or habitual command names.
#include "cli/usage.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace hf::cli {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Commands of other tools that users type from habit, and the hfcpp command that does the same.
const std::map<std::string, std::string>& habits() {
  static const std::map<std::string, std::string> m{
      {"run", "chat"},        // ollama run, llama-cli
      {"pull", "download"},   // ollama pull
      {"list", "cache"},      // ollama list
      {"ls", "cache"},        // huggingface-cli scan-cache habit
      {"rm", "cache"},        // ollama rm
      {"show", "info"},       // ollama show
      {"server", "serve"},    // llama-server
      {"translation", "translate"},
      {"tokenizer", "tokenize"},
      {"encode", "tokenize"},
      {"decode", "tokenize"},
  };
  return m;
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string short_usage(const std::vector<std::string>& commands) {
  return "usage: hfcpp COMMAND [ARGS...]   (hfcpp --help explains each command, with examples)\n"
         "commands: " + join(commands, ", ") + "\n";
}

std::string unknown_command_message(const std::string& name, const std::vector<std::string>& commands) {
  std::vector<std::string> close;
  const auto habit = habits().find(name);
  if (habit != habits().end() && std::count(commands.begin(), commands.end(), habit->second))
    close.push_back(habit->second);
  // Typos: at most one edit in names of 3 letters or fewer, two in longer ones; nearest first.
  const size_t budget = name.size() <= 3 ? 1 : 2;
  std::vector<std::pair<size_t, std::string>> typos;
  for (const auto& c : commands)
    if (const size_t d = edit_distance(name, c); d <= budget) typos.emplace_back(d, c);
  std::sort(typos.begin(), typos.end());
  for (const auto& [d, c] : typos)
    if (!std::count(close.begin(), close.end(), c)) close.push_back(c);

  std::string msg = "unknown command '" + name + "'";
  if (!close.empty()) {
    std::vector<std::string> quoted;
    for (const auto& c : close) quoted.push_back("'" + c + "'");
    msg += "; did you mean " + join(quoted, " or ") + "?";
  }
  return msg + " (commands: " + join(commands, ", ") + ")";
}

}  // namespace hf::cli
