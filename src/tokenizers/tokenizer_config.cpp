#include "tokenizers/json_util.h"
#include "tokenizers/tokenizer_json.h"

namespace hf::tok {

namespace {
// A special token value: "text", {"content": "text", ...} or null.
std::string token_content(const json* v, const char* key) {
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) {
    const json* c = opt_field(*v, "content");
    if (c && c->is_string()) return c->get<std::string>();
  }
  throw ConfigError(std::string("tokenizer_config.json: ") + key + ": expected a string or {\"content\": ...}");
}
}  // namespace

TokenizerConfig parse_tokenizer_config(const json& j) {
  TokenizerConfig c;
  c.raw = j.is_object() ? j : json::object();
  if (!j.is_object()) return c;
  c.bos_token = token_content(opt_field(j, "bos_token"), "bos_token");
  c.eos_token = token_content(opt_field(j, "eos_token"), "eos_token");
  c.pad_token = token_content(opt_field(j, "pad_token"), "pad_token");
  c.unk_token = token_content(opt_field(j, "unk_token"), "unk_token");
  if (const json* v = opt_field(j, "clean_up_tokenization_spaces"); v && v->is_boolean()) c.clean_up_tokenization_spaces = v->get<bool>();
  if (const json* v = opt_field(j, "model_max_length")) {
    constexpr int64_t kVeryLarge = int64_t(1) << 60;
    if (v->is_number_integer() && v->get<int64_t>() > 0 && v->get<int64_t>() < kVeryLarge) c.model_max_length = v->get<int64_t>();
    else if (v->is_number_unsigned() && v->get<uint64_t>() < uint64_t(kVeryLarge)) c.model_max_length = static_cast<int64_t>(v->get<uint64_t>());
    else if (v->is_number_float() && v->get<double>() > 0 && v->get<double>() < 1e18) c.model_max_length = static_cast<int64_t>(v->get<double>());
  }
  for (auto [key, dst] : {std::pair{"padding_side", &c.padding_side}, std::pair{"truncation_side", &c.truncation_side}}) {
    if (const json* v = opt_field(j, key)) {
      std::string s = v->is_string() ? v->get<std::string>() : "";
      if (s != "left" && s != "right") throw ConfigError(std::string("tokenizer_config.json: ") + key + ": expected \"left\" or \"right\"");
      *dst = s;
    }
  }
  if (const json* t = opt_field(j, "chat_template")) {
    if (t->is_string()) {
      c.chat_templates.emplace_back("default", t->get<std::string>());
    } else if (t->is_array()) {
      for (size_t i = 0; i < t->size(); ++i) {
        const json& e = (*t)[i];
        const json* name = opt_field(e, "name");
        const json* tmpl = opt_field(e, "template");
        if (!name || !tmpl || !name->is_string() || !tmpl->is_string())
          throw ConfigError("tokenizer_config.json: chat_template[" + std::to_string(i) + "]: expected {\"name\": ..., \"template\": ...}");
        c.chat_templates.emplace_back(name->get<std::string>(), tmpl->get<std::string>());
      }
    } else {
      throw ConfigError("tokenizer_config.json: chat_template: expected a string or a list of {name, template}");
    }
  }
  return c;
}

std::string clean_up_tokenization(std::string s) {
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (auto [from, to] : kRules) {
    size_t pos = s.find(from);
    if (pos == std::string::npos) continue;
    std::string out;
    size_t prev = 0;
    for (; pos != std::string::npos; pos = s.find(from, prev)) {
      out.append(s, prev, pos - prev);
      out.append(to);
      prev = pos + from.size();
    }
    out.append(s, prev, std::string::npos);
    s = std::move(out);
  }
  return s;
}

}  // namespace hf::tok
