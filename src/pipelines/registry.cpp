// The task registry (see registry.h) and the hf::pipeline() factory.
#include "pipelines/registry.h"

#include <algorithm>

#include "core/log.h"
#include "hf/error.h"

namespace hf::pipelines {

void TaskRegistry::add(TaskEntry entry) {
  std::string name = entry.task;
  entries_[name] = std::move(entry);
}

const TaskEntry& TaskRegistry::find(const std::string& task) const {
  // transformers' TASK_ALIASES (only those whose target is registered matter).
  static const std::map<std::string, std::string> aliases{{"sentiment-analysis", "text-classification"},
                                                          {"ner", "token-classification"},
                                                          {"vqa", "visual-question-answering"},
                                                          {"text-to-speech", "text-to-audio"}};
  std::string name = task;
  if (auto a = aliases.find(name); a != aliases.end()) name = a->second;
  if (auto e = entries_.find(name); e != entries_.end()) return e->second;
  if (name.rfind("translation", 0) == 0) {
    // translation_XX_to_YY: four '_'-separated parts, "to" in the middle.
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t i = 0; i <= name.size(); ++i)
      if (i == name.size() || name[i] == '_') {
        parts.push_back(name.substr(start, i - start));
        start = i + 1;
      }
    if (parts.size() == 4 && parts[0] == "translation" && parts[2] == "to") {
      if (auto e = entries_.find("translation"); e != entries_.end()) return e->second;
    } else {
      throw InputError("pipeline: invalid translation task \"" + task + "\", use the 'translation_XX_to_YY' format");
    }
  }
  std::string known;
  for (const auto& [k, v] : entries_) known += (known.empty() ? "" : ", ") + k;
  if (entries_.count("translation")) known += ", translation_XX_to_YY";
  throw InputError("pipeline: unknown task \"" + task + "\"; available tasks: " + known);
}

const TaskRegistry& TaskRegistry::global() {
  static const TaskRegistry registry = [] {
    TaskRegistry r;
    register_text_generation_tasks(r);
    register_translation_tasks(r);
    register_text2text_tasks(r);
    register_encoder_tasks(r);
    return r;
  }();
  return registry;
}

void check_device(const std::string& device) {
  if (device.empty() || device == "auto" || device == "cpu" || device == "-1") return;
  static const char* accelerators[] = {"cuda", "mps", "xpu", "npu", "hpu", "mlu", "musa", "gpu"};
  for (const char* a : accelerators)
    if (device.rfind(a, 0) == 0)
      throw InputError("pipeline: device \"" + device +
                       "\" is not available: hfcpp has no GPU backend yet; use device \"cpu\" or \"auto\"");
  throw InputError("pipeline: unknown device \"" + device + "\"; use \"cpu\" or \"auto\"");
}

}  // namespace hf::pipelines

namespace hf {

Pipeline pipeline(const std::string& task, const PipelineOptions& options) {
  pipelines::check_device(options.device);
  static const char* dtypes[] = {"auto", "", "float32", "bfloat16", "float16"};
  if (std::none_of(std::begin(dtypes), std::end(dtypes), [&](const char* d) { return options.dtype == d; }))
    throw InputError("pipeline: unknown dtype \"" + options.dtype + "\"; use \"auto\", \"float32\", \"bfloat16\" or \"float16\"");
  const auto& entry = pipelines::TaskRegistry::global().find(task);
  PipelineOptions opts = options;
  if (opts.model.empty()) {
    opts.model = entry.default_model;
    // A default from transformers' registry: its pinned revision and transformers' notice.
    if (!entry.default_revision.empty()) {
      if (opts.hub.revision.empty()) opts.hub.revision = entry.default_revision;
      warn("No model was supplied, defaulted to " + opts.model + " and revision " + opts.hub.revision + ".\n" +
           "Using a pipeline without specifying a model name and revision in production is not recommended.");
    }
  }
  return Pipeline(entry.make(task, opts));
}

std::vector<std::pair<std::string, std::string>> pipeline_tasks() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : pipelines::TaskRegistry::global().entries()) out.emplace_back(k, v.default_model);
  return out;
}

json to_json(const Messages& messages) {
  json a = json::array();
  for (const auto& m : messages) a.push_back(json{{"role", m.role}, {"content", m.content}});
  return a;
}

Messages messages_from_json(const json& chat) {
  if (!chat.is_array()) throw InputError("chat: expected a list of messages");
  Messages out;
  for (size_t i = 0; i < chat.size(); ++i) {
    const json& m = chat[i];
    if (!m.is_object() || !m.contains("role") || !m.contains("content"))
      throw InputError("chat message [" + std::to_string(i) +
                       "]: when passing chat dicts as input, each dict must have a 'role' and 'content' key");
    out.push_back({m["role"].get<std::string>(), m["content"].is_string() ? m["content"].get<std::string>() : m["content"].dump()});
  }
  return out;
}

json Pipeline::operator()(const Messages& chat, const PipelineCallOptions& options) const {
  return impl_->run(to_json(chat), options);
}

json Pipeline::operator()(const std::vector<Messages>& chats, const PipelineCallOptions& options) const {
  json a = json::array();
  for (const auto& c : chats) a.push_back(to_json(c));
  return impl_->run(a, options);
}

}  // namespace hf
