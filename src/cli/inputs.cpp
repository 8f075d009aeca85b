#include "cli/inputs.h"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "hf/error.h"

namespace hf::cli {

std::vector<int32_t> parse_id_list(const std::string& text, const std::string& flag) {
  std::vector<int32_t> ids;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, e - b + 1);
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::logic_error&) {
      throw InputError(flag + ": \"" + item + "\" is not a token id (expected comma-separated integers, e.g. " + flag +
                       " 1,2,3)");
    }
  }
  return ids;
}

std::string read_input(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot open");
  std::string text{std::istreambuf_iterator<char>(in), {}};
  if (in.bad()) throw FileError(path + ": cannot read (is it a folder?)");
  return text;
}

std::vector<std::string> read_input_lines(const std::string& path) { return split_lines(read_input(path)); }

std::vector<std::string> split_lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool stdin_is_piped() { return !isatty(STDIN_FILENO); }

}  // namespace hf::cli
