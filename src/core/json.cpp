#include "core/json.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/regular_file.h"
#include "hf/error.h"

namespace hf {

std::string read_text_file(const std::filesystem::path& path) {
  const RegularFile file = RegularFile::open(path);
  std::string text(file.size(), '\0');
  size_t got = 0;
  for (;;) {
    if (got == text.size()) text.resize(text.size() + 4096);  // the file grew since it was opened
    ssize_t n = ::read(file.fd(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError(path.string() + ": read error: " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

void check_json_depth(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw json::parse_error::create(101, i + 1, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                                        nullptr);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

json parse_json(std::string_view text) {
  check_json_depth(text);
  try {
    return json::parse(text);
  } catch (const json::out_of_range& e) {
    // A number past a double's range (1e400): nlohmann throws out_of_range 406, not parse_error,
    // and every caller catches parse_error for malformed JSON, so it escaped them (the
    // safetensors fuzzer found it: terminate). It is malformed model JSON like any other.
    throw json::parse_error::create(101, 0, std::string("number out of range: ") + e.what(), nullptr);
  }
}

json read_json_file(const std::filesystem::path& path) {
  std::string text = read_text_file(path);
  try {
    return parse_json(text);
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
