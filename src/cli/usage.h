#pragma once
// What `hfcpp` says when it is called wrongly: the short usage, and the answer to an unknown
// command (the commands it may have meant).
#include <string>
#include <vector>

namespace hf::cli {

// Two lines: how to call hfcpp, and the commands there are.
std::string short_usage(const std::vector<std::string>& commands);

// "unknown command 'run'; did you mean 'chat'? (commands: bench, cache, chat, ...)": first the
// hfcpp spelling of an ollama / llama.cpp / huggingface-cli habit (run → chat, pull → download),
// then the commands within a small edit distance (typos), then the whole list.
std::string unknown_command_message(const std::string& name, const std::vector<std::string>& commands);

// Levenshtein distance (insertions, deletions, substitutions; bytes).
size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace hf::cli
