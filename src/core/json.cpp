#include "core/json.h"

#include <fstream>
#include <sstream>

#include "hf/error.h"

namespace hf {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path.string() + ": cannot open (missing or unreadable)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw FileError(path.string() + ": read error");
  return ss.str();
}

json read_json_file(const std::filesystem::path& path) {
  std::string text = read_text_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw FileError(path.string() + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
}

std::string json_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string json_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace hf
