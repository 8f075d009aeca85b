#pragma once
// Reading tokenizer.json / tokenizer_config.json values with errors that name the JSON path:
// "tokenizer.json: model.vocab: missing field", "...: pre_tokenizer.type: unknown pre-tokenizer type \"Foo\"".
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/error.h"

namespace hf::tok {

[[noreturn]] inline void bad_json(const std::string& path, const std::string& what) {
  throw TokenizerError("tokenizer.json: " + path + ": " + what);
}

inline const json& field(const json& j, const char* key, const std::string& path) {
  if (!j.is_object()) bad_json(path, "expected an object");
  auto it = j.find(key);
  if (it == j.end()) bad_json(json_path(path, key), "missing field");
  return *it;
}

inline const json* opt_field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

inline std::string get_string(const json& j, const char* key, const std::string& path) {
  const json& v = field(j, key, path);
  if (!v.is_string()) bad_json(json_path(path, key), "expected a string");
  return v.get<std::string>();
}

inline std::string get_string_or(const json& j, const char* key, const std::string& path, std::string dflt) {
  const json* v = opt_field(j, key);
  if (!v) return dflt;
  if (!v->is_string()) bad_json(json_path(path, key), "expected a string");
  return v->get<std::string>();
}

inline bool get_bool_or(const json& j, const char* key, const std::string& path, bool dflt) {
  const json* v = opt_field(j, key);
  if (!v) return dflt;
  if (!v->is_boolean()) bad_json(json_path(path, key), "expected true or false");
  return v->get<bool>();
}

inline int64_t get_int_or(const json& j, const char* key, const std::string& path, int64_t dflt) {
  const json* v = opt_field(j, key);
  if (!v) return dflt;
  if (!v->is_number_integer()) bad_json(json_path(path, key), "expected an integer");
  return v->get<int64_t>();
}

// The component's "type" (e.g. "NFC"), required.
inline std::string component_type(const json& j, const std::string& path) {
  if (!j.is_object()) bad_json(path, "expected an object with a \"type\"");
  return get_string(j, "type", path);
}

[[noreturn]] inline void unknown_type(const std::string& path, const char* kind, const std::string& type) {
  bad_json(json_path(path, "type"), std::string("unknown ") + kind + " type \"" + type + "\"");
}

// The parts of a "Sequence" component ({"type": "Sequence", key: [...]}), each built by
// make(part, path); parts that build to nothing (JSON null) are left out.
template <class Component, class Make>
std::vector<std::unique_ptr<Component>> sequence_parts(const json& j, const char* key, const std::string& path, Make make) {
  const json& list = field(j, key, path);
  const std::string lpath = json_path(path, key);
  if (!list.is_array()) bad_json(lpath, "expected an array");
  std::vector<std::unique_ptr<Component>> parts;
  for (size_t i = 0; i < list.size(); ++i)
    if (auto part = make(list[i], json_path(lpath, i))) parts.push_back(std::move(part));
  return parts;
}

}  // namespace hf::tok
