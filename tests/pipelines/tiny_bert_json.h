#pragma once
// tests/fixtures/tiny-bert/*/expected.json, read with Python's JSON extensions (a bare Infinity,
// -Infinity or NaN, which json.dump writes for float("inf")) turned into null.
#include <string>

#include "core/json.h"

namespace hf::testing {

inline json read_python_json(const std::string& path) {
  std::string text = read_text_file(path);
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const std::string w : {"-Infinity", "Infinity", "NaN"})
      if (text.compare(i, w.size(), w) == 0) {
        out += "null";
        i += w.size();
        replaced = true;
        break;
      }
    if (!replaced) out += text[i++];
  }
  return json::parse(out);
}

inline json tiny_bert_expected(const std::string& folder) {
  return read_python_json(std::string(HF_FIXTURES) + "/tiny-bert/" + folder + "/expected.json");
}

}  // namespace hf::testing
