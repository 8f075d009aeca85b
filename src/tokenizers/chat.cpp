// Tokenizer::apply_chat_template: transformers' context (messages, tools, documents,
// add_generation_prompt, the special tokens, then kwargs) rendered by the Jinja interpreter.
// Templates are compiled once per tokenizer (shared by copies) and rendered concurrently.
#include "hf/chat_template.h"
#include "hf/tokenizer.h"
#include "tokenizers/tokenizer_cache.h"

namespace hf {

namespace {
json messages_json(const Messages& messages) {
  json a = json::array();
  for (const Message& m : messages) a.push_back(json{{"role", m.role}, {"content", m.content}});
  return a;
}
}  // namespace

std::string Tokenizer::apply_chat_template(const json& messages_in, const ChatTemplateOptions& o) const {
  if (!messages_in.is_array()) throw InputError("apply_chat_template: messages must be a JSON array of message objects");
  if (o.add_generation_prompt && o.continue_final_message)
    throw InputError("continue_final_message and add_generation_prompt are not compatible. Use continue_final_message "
                     "when you want the model to continue the final message, and add_generation_prompt when you want "
                     "to add a header that will prompt it to start a new assistant message instead.");
  bool has_tools = !o.tools.is_null();
  // transformers: a named template, else "tool_use" when tools are given and it exists, else "default".
  std::string name = o.template_name;
  if (name.empty()) name = has_tools && has_chat_template("tool_use") ? "tool_use" : "default";
  const std::string& source = chat_template(name);

  std::shared_ptr<const ChatTemplate> tmpl;
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto& slot = cache_->compiled[name];
    if (!slot) slot = std::make_shared<const ChatTemplate>(source);
    tmpl = slot;
  }

  json messages = messages_in;
  std::string final_content;
  if (o.continue_final_message) {
    if (messages.empty()) throw InputError("continue_final_message needs at least one message");
    const json& content = messages.back().is_object() ? messages.back().value("content", json()) : json();
    bool found = false;
    if (content.is_string()) {
      final_content = content.get<std::string>();
      found = true;
    } else if (content.is_array()) {
      for (auto it = content.rbegin(); it != content.rend(); ++it)
        if (it->is_object() && it->contains("text") && (*it)["text"].is_string()) {
          final_content = (*it)["text"].get<std::string>();
          found = true;
          break;
        }
    }
    if (!found) throw InputError("continue_final_message is set but we could not find any text to continue in the final message!");
    prepare_continue_final_message(messages);
  }

  json ctx = json::object();
  ctx["messages"] = std::move(messages);
  ctx["tools"] = o.tools;
  ctx["documents"] = o.documents;
  ctx["add_generation_prompt"] = o.add_generation_prompt;
  // special_tokens_map: the special tokens that are set.
  const json& raw = config().raw;
  auto content_of = [](const json& v) -> json {
    if (v.is_string()) return v;
    if (v.is_object() && v.contains("content")) return v["content"];
    return json();
  };
  for (const char* key : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
    json v = raw.contains(key) ? content_of(raw[key]) : json();
    if (v.is_string()) ctx[key] = v;
  }
  if (!raw.contains("bos_token") && !bos_token().empty()) ctx["bos_token"] = bos_token();
  if (!raw.contains("eos_token") && !eos_token().empty()) ctx["eos_token"] = eos_token();
  if (raw.contains("additional_special_tokens") && raw["additional_special_tokens"].is_array()) {
    json extra = json::array();
    for (const json& v : raw["additional_special_tokens"])
      if (json c = content_of(v); c.is_string()) extra.push_back(c);
    if (!extra.empty()) ctx["additional_special_tokens"] = extra;
  }
  if (o.kwargs.is_object())
    for (auto it = o.kwargs.begin(); it != o.kwargs.end(); ++it) ctx[it.key()] = it.value();

  std::string rendered = tmpl->render(ctx);
  return o.continue_final_message ? trim_after_final_message(rendered, final_content) : rendered;
}

std::string Tokenizer::apply_chat_template(const Messages& messages, const ChatTemplateOptions& o) const {
  return apply_chat_template(messages_json(messages), o);
}

std::vector<int32_t> Tokenizer::apply_chat_template_ids(const json& messages, const ChatTemplateOptions& o) const {
  return encode(apply_chat_template(messages, o), false);
}

std::vector<int32_t> Tokenizer::apply_chat_template_ids(const Messages& messages, const ChatTemplateOptions& o) const {
  return encode(apply_chat_template(messages, o), false);
}

}  // namespace hf
