// The public face of the interpreter (include/hf/chat_template.h): compile once, render many
// times, from any thread.
#include "hf/chat_template.h"

#include "templates/ast.h"
#include "templates/evaluator.h"
#include "templates/parser.h"
#include "templates/text.h"

namespace hf {

ChatTemplate::ChatTemplate(const std::string& source) : program_(templates::parse(source)) {}
ChatTemplate::~ChatTemplate() = default;
ChatTemplate::ChatTemplate(const ChatTemplate&) = default;
ChatTemplate& ChatTemplate::operator=(const ChatTemplate&) = default;
ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;

std::string ChatTemplate::render(const json& context, const RenderOptions& options) const {
  if (!context.is_object()) throw TemplateError("the render context must be a JSON object of variables");
  auto globals = std::make_shared<templates::Frame>();
  globals->vars.reserve(context.size());
  for (auto it = context.begin(); it != context.end(); ++it)
    globals->vars.emplace_back(it.key(), templates::Value::from_json(it.value()));
  std::time_t now = options.now ? *options.now : std::time(nullptr);
  templates::Evaluator evaluator(*program_, std::move(globals), now, options);
  return evaluator.render();
}

void prepare_continue_final_message(json& messages) {
  if (!messages.is_array() || messages.empty()) throw InputError("continue_final_message needs at least one message");
  json& content = messages.back()["content"];
  if (content.is_string()) {
    content = content.get<std::string>() + kContinueFinalMessageTag;
    return;
  }
  if (content.is_array()) {
    for (auto it = content.rbegin(); it != content.rend(); ++it) {
      if (it->is_object() && it->contains("text") && (*it)["text"].is_string()) {
        (*it)["text"] = (*it)["text"].get<std::string>() + kContinueFinalMessageTag;
        return;
      }
    }
  }
  throw InputError("continue_final_message: the final message has no text content to continue");
}

std::string trim_after_final_message(const std::string& rendered, const std::string& final_content) {
  const std::string tag = kContinueFinalMessageTag;
  const std::string tag_stripped(templates::text::strip(tag, nullptr, true, true));
  std::string_view content = templates::text::strip(final_content, nullptr, true, true);
  size_t tag_at = rendered.rfind(tag_stripped);
  if (rendered.find(content) == std::string::npos || tag_at == std::string::npos)
    throw TemplateError(
        "continue_final_message is set but the final message does not appear in the chat after "
        "applying the chat template! This can happen if the chat template deletes portions of the "
        "final message. Please verify the chat template and final message in your chat to ensure "
        "they are compatible.");
  if (rendered.compare(tag_at, tag.size(), tag) == 0) return rendered.substr(0, tag_at);
  return std::string(templates::text::strip(std::string_view(rendered).substr(0, tag_at), nullptr, false, true));
}

}  // namespace hf

namespace hf {

std::time_t parse_local_time(const std::string& iso) {
  std::tm tm{};
  char sep = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%d%c%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &sep,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 7 || (sep != 'T' && sep != ' '))
    throw InputError("'" + iso + "' is not a local time of the form YYYY-MM-DDTHH:MM:SS");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

std::string render_chat_inputs(const ChatTemplate& tmpl, const json& inputs) {
  if (!inputs.is_object()) throw InputError("chat inputs must be a JSON object");
  auto get = [&](const char* key) { return inputs.contains(key) ? inputs[key] : json(); };
  bool add_generation_prompt = get("add_generation_prompt").is_boolean() && inputs["add_generation_prompt"].get<bool>();
  bool continue_final = get("continue_final_message").is_boolean() && inputs["continue_final_message"].get<bool>();
  if (add_generation_prompt && continue_final)
    throw InputError("continue_final_message and add_generation_prompt are not compatible. Use "
                     "continue_final_message when you want the model to continue the final message, and "
                     "add_generation_prompt when you want to add a header that will prompt it to start a "
                     "new assistant message instead.");
  json messages = get("messages");
  if (!messages.is_array()) throw InputError("chat inputs need a \"messages\" array");
  std::string final_content;
  if (continue_final) {
    const json& content = messages.empty() ? json() : messages.back().value("content", json());
    if (content.is_string()) final_content = content.get<std::string>();
    else if (content.is_array())
      for (auto it = content.rbegin(); it != content.rend(); ++it)
        if (it->is_object() && it->contains("text") && (*it)["text"].is_string()) {
          final_content = (*it)["text"].get<std::string>();
          break;
        }
    prepare_continue_final_message(messages);
  }
  json context = json::object();
  context["messages"] = std::move(messages);
  context["tools"] = get("tools");
  context["documents"] = get("documents");
  context["add_generation_prompt"] = add_generation_prompt;
  for (const char* token : {"bos_token", "eos_token"})
    if (!get(token).is_null()) context[token] = inputs[token];
  if (get("kwargs").is_object())
    for (auto it = inputs["kwargs"].begin(); it != inputs["kwargs"].end(); ++it) context[it.key()] = it.value();
  RenderOptions options;
  if (get("now").is_string()) options.now = parse_local_time(inputs["now"].get<std::string>());
  std::string rendered = tmpl.render(context, options);
  return continue_final ? trim_after_final_message(rendered, final_content) : rendered;
}

}  // namespace hf
