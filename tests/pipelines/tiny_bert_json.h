#pragma once
// tests/fixtures/tiny-bert/*/expected.json, read with Python's JSON extensions (a bare Infinity,
// -Infinity or NaN, which json.dump writes for float("inf")) turned into null; and
// near(): an output against transformers' under the fixtures' tolerances.
#include <algorithm>
#include <cmath>
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

struct Tolerance {
  double abs = 1e-5, rel = 0;  // |a - e| <= abs × max(1, |e|) + rel × |e|
};

inline bool near(const json& a, const json& e, const Tolerance& t, std::string& why, const std::string& path);

inline bool near_list(const json& a, const json& e, const Tolerance& t, std::string& why, const std::string& path) {
  if (!a.is_array() || a.size() != e.size()) {
    why = path + ": expected a list of " + std::to_string(e.size()) + ", got " + a.dump().substr(0, 200);
    return false;
  }
  for (size_t i = 0; i < e.size(); ++i) {
    if (near(a[i], e[i], t, why, path + "[" + std::to_string(i) + "]")) continue;
    // Two neighbours with nearly equal expected scores may come in either order.
    const bool tie = i + 1 < e.size() && e[i].is_object() && e[i].contains("score") &&
                     std::abs(e[i]["score"].get<double>() - e[i + 1]["score"].get<double>()) < 2e-5;
    std::string ignored;
    if (tie && near(a[i], e[i + 1], t, ignored, path) && near(a[i + 1], e[i], t, ignored, path)) {
      ++i;
      continue;
    }
    return false;
  }
  return true;
}

inline bool near(const json& a, const json& e, const Tolerance& t, std::string& why, const std::string& path) {
  if (e.is_number()) {
    if (!a.is_number()) {
      why = path + ": expected a number, got " + a.dump();
      return false;
    }
    const double x = a.get<double>(), y = e.get<double>();
    if (e.is_number_integer() && a.is_number_integer()) {
      if (x == y) return true;
    } else if (std::abs(x - y) <= t.abs * std::max(1.0, std::abs(y)) + t.rel * std::abs(y)) {
      return true;
    }
    why = path + ": " + a.dump() + " vs expected " + e.dump();
    return false;
  }
  if (e.is_array()) return near_list(a, e, t, why, path);
  if (e.is_object()) {
    if (!a.is_object() || a.size() != e.size()) {
      why = path + ": expected " + e.dump().substr(0, 200) + ", got " + a.dump().substr(0, 200);
      return false;
    }
    auto ka = a.begin();
    for (auto ke = e.begin(); ke != e.end(); ++ke, ++ka) {
      if (ka.key() != ke.key()) {
        why = path + ": key " + ka.key() + " where " + ke.key() + " was expected (order as transformers)";
        return false;
      }
      if (!near(ka.value(), ke.value(), t, why, path + "." + ke.key())) return false;
    }
    return true;
  }
  if (a != e) {
    why = path + ": " + a.dump() + " vs expected " + e.dump();
    return false;
  }
  return true;
}

// The fixtures' tolerance for one pipeline case.
inline Tolerance tolerance_of(const json& c) {
  if (c.contains("logits_std")) return {1e-6, 4e-3 * c["logits_std"].get<double>()};  // NER, QA
  if (c["task"] == "feature-extraction") return {1e-4, 0};                              // hidden states, std about 1
  return {1e-5, 0};
}

}  // namespace hf::testing
