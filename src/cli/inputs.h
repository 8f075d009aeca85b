#pragma once
// Reading what a user passes on the command line or pipes in: comma-separated token ids, and
// files where "-" means stdin.
#include <cstdint>
#include <string>
#include <vector>

namespace hf::cli {

// "1, 2,3" → {1, 2, 3}. hf::InputError naming `flag` and the bad item otherwise.
std::vector<int32_t> parse_id_list(const std::string& text, const std::string& flag);

// The whole content of FILE, or of stdin for "-". hf::FileError when it cannot be read.
std::string read_input(const std::string& path);

// The lines of `text`, without their ends ("\n" or "\r\n").
std::vector<std::string> split_lines(const std::string& text);

// Every line of FILE ("-" = stdin), without the line ends.
std::vector<std::string> read_input_lines(const std::string& path);

// True when stdin is a pipe or a file rather than a terminal.
bool stdin_is_piped();

}  // namespace hf::cli
