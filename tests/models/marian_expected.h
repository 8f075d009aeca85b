#pragma once
// tests/fixtures/tiny-marian-zh-en/expected.json, read once. Python's json module writes
// -Infinity / Infinity / NaN for non-finite floats (masked scores); nlohmann::json does not read
// them, so they are mapped to ∓1e308 / null before parsing (tests treat |x| >= 1e300 as infinite).
#include <filesystem>
#include <string>

#include "core/json.h"

namespace hf::test {

inline const std::filesystem::path kTinyMarian = std::filesystem::path(HF_FIXTURES) / "tiny-marian-zh-en";

inline json read_python_json(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (text.compare(i, 9, "-Infinity") == 0) { out += "-1e308"; i += 8; continue; }
    if (text.compare(i, 8, "Infinity") == 0) { out += "1e308"; i += 7; continue; }
    if (text.compare(i, 3, "NaN") == 0) { out += "null"; i += 2; continue; }
    out += c;
  }
  return json::parse(out);
}

inline const json& marian_expected() {
  static const json j = read_python_json(kTinyMarian / "expected.json");
  return j;
}

}  // namespace hf::test
