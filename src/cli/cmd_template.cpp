// `hfcpp template MODEL --messages FILE.json`: prints the prompt a model's chat template renders,
// exactly as transformers' apply_chat_template(tokenize=False) would. For debugging prompts.
// Any FILE may be "-" to read it from stdin.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/inputs.h"
#include "cli/model_flags.h"
#include "core/json.h"
#include "hf/chat_template.h"
#include "hf/hub.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  std::string messages_file, tools_file, template_file, context_file, template_name;
  bool add_generation_prompt = false;
};

// A special token in tokenizer_config.json: a string, or an AddedToken object {"content": ...}.
json token_text(const json& token) {
  if (token.is_object() && token.contains("content")) return token["content"];
  return token;
}

// transformers' choice among named templates: the requested name, else "tool_use" when tools
// are given and it exists, else "default".
std::string pick_named_template(const json& list, const std::string& wanted, bool has_tools,
                                const std::string& where) {
  std::string name = !wanted.empty() ? wanted : "default";
  if (wanted.empty() && has_tools)
    for (const auto& t : list)
      if (t.value("name", "") == "tool_use") name = "tool_use";
  std::string available;
  for (const auto& t : list) {
    if (t.value("name", "") == name && t.contains("template")) return t["template"].get<std::string>();
    available += (available.empty() ? "" : ", ") + t.value("name", std::string("?"));
  }
  throw ConfigError(where + ": no chat template named '" + name + "' (available: " + available +
                    "); choose one with --chat-template-name");
}

// The model's chat template (chat_template.jinja beside the config wins, as in transformers) and
// its bos/eos tokens.
std::string load_model_template(const std::filesystem::path& dir, const Options& o, bool has_tools,
                                json& inputs) {
  std::filesystem::path config_path = dir / "tokenizer_config.json";
  json config = std::filesystem::exists(config_path) ? read_json_file(config_path) : json::object();
  for (const char* token : {"bos_token", "eos_token"})
    if (!inputs.contains(token) && config.contains(token)) inputs[token] = token_text(config[token]);
  if (std::filesystem::exists(dir / "chat_template.jinja")) return read_text_file(dir / "chat_template.jinja");
  if (!config.contains("chat_template"))
    throw ConfigError(config_path.string() + ": the tokenizer has no chat_template; pass one with --template FILE.jinja");
  const json& t = config["chat_template"];
  if (t.is_string()) return t.get<std::string>();
  if (t.is_array()) return pick_named_template(t, o.template_name, has_tools, config_path.string() + ": chat_template");
  throw ConfigError(config_path.string() + ": chat_template must be a string or a list of {name, template}");
}

// A JSON file, or stdin for "-"; the file's name in errors.
json read_json_input(const std::string& path) {
  if (path != "-") return read_json_file(path);
  try {
    return parse_json(read_input("-"));   // depth-bounded, numbers past a double refused
  } catch (const json::parse_error& e) {
    throw InputError("stdin: not valid JSON (" + std::string(e.what()) + ")");
  }
}

int run(const Options& o) {
  if (int(o.messages_file == "-") + int(o.tools_file == "-") + int(o.context_file == "-") + int(o.template_file == "-") > 1)
    throw InputError("template: only one of the files can be stdin (-)");
  json inputs = o.context_file.empty() ? json::object() : read_json_input(o.context_file);
  if (!inputs.is_object()) throw InputError(o.context_file + ": the context must be a JSON object");
  if (!o.messages_file.empty()) {
    json messages = read_json_input(o.messages_file);
    if (messages.is_object() && messages.contains("messages")) messages = messages["messages"];
    if (!messages.is_array()) throw InputError(o.messages_file + ": expected a JSON array of messages");
    inputs["messages"] = std::move(messages);
  }
  if (!o.tools_file.empty()) inputs["tools"] = read_json_input(o.tools_file);
  if (o.add_generation_prompt) inputs["add_generation_prompt"] = true;
  if (!inputs.contains("messages")) throw InputError("no messages: pass --messages FILE.json or --context FILE.json");
  bool has_tools = inputs.contains("tools") && !inputs["tools"].is_null();

  std::string source;
  if (!o.template_file.empty()) source = o.template_file == "-" ? read_input("-") : read_text_file(o.template_file);
  else if (!o.model.model.empty()) source = load_model_template(o.model.resolve(), o, has_tools, inputs);
  else throw InputError("name a MODEL or pass --template FILE.jinja");

  std::string prompt = render_chat_inputs(ChatTemplate(source), inputs);
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  return 0;
}

Register reg("template", "Print the prompt a model's chat template renders for a conversation", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  o->model.add_to(cmd, "Hub id or local folder whose tokenizer_config.json holds the chat template");
  cmd.add_option("--messages", o->messages_file, "JSON file (- = stdin): the list of {role, content} messages");
  cmd.add_option("--tools", o->tools_file, "JSON file: the list of tool definitions");
  cmd.add_flag("--add-generation-prompt", o->add_generation_prompt, "end with the assistant turn header");
  cmd.add_option("--template", o->template_file, "render this Jinja file instead of the model's template");
  cmd.add_option("--context", o->context_file,
                 "JSON file with every variable at once: messages, tools, documents, add_generation_prompt, "
                 "continue_final_message, bos_token, eos_token, kwargs, now");
  cmd.add_option("--chat-template-name", o->template_name, "which of a model's named templates (e.g. tool_use)");
  return [o] { return run(*o); };
});

}  // namespace
}  // namespace hf::cli
