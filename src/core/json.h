#pragma once
// JSON through nlohmann::json. `ordered_json` keeps key order as written, which Python's dicts
// do too: chat templates that print dicts (tojson) and tokenizer configs depend on it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace hf {

using json = nlohmann::ordered_json;

// Reads and parses a JSON file; errors (missing file, not a regular file, syntax error with its
// byte offset) are hf::FileError naming the path.
json read_json_file(const std::filesystem::path& path);

// Reads a whole regular file (core/regular_file.h) into a string; hf::FileError naming the path
// if it cannot.
std::string read_text_file(const std::filesystem::path& path);

// "a.b[3].c"-style JSON paths for error messages.
std::string json_path(const std::string& parent, const std::string& key);
std::string json_path(const std::string& parent, size_t index);

}  // namespace hf
