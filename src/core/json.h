#pragma once
// Reading JSON files, and JSON paths for error messages. The type itself, hf::json, is public
// (hf/json.h).
#include <filesystem>
#include <string>
#include <string_view>

#include "hf/json.h"

namespace hf {

// How deep model JSON may nest. nlohmann's parser and destructor are iterative, but copying,
// comparing and printing a value recurse once per level: a safetensors header nested 10^5 deep
// overflowed the stack. Real files nest a handful of levels (Python's json gives up near 1000).
inline constexpr int kMaxJsonDepth = 512;

// Throws json::parse_error (at the byte where it happens) when `text` nests arrays and objects
// deeper than kMaxJsonDepth, so that callers report it as any other malformed JSON.
void check_json_depth(std::string_view text);

// json::parse(text) after check_json_depth(text): for every JSON that comes from a file. A number
// past a double's range (1e400) is a parse_error too (nlohmann throws out_of_range for it).
json parse_json(std::string_view text);

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
