#pragma once
// The task registry behind hf::pipeline().
//
// How to add a task (e.g. src/pipelines/translation.cpp):
//
//   #include "pipelines/registry.h"
//   namespace hf::pipelines {
//   void register_translation_tasks(TaskRegistry& r) {
//     r.add({.task = "translation", .default_model = "Helsinki-NLP/opus-mt-zh-en",
//            .description = "Translate text (seq2seq)",
//            .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {...}});
//   }
//   }
//
// `task` as the user typed it reaches `make` ("translation_zh_to_en" included: check_task maps
// every "translation_XX_to_YY" to the entry "translation").
//
// Why a named function and not a static self-registering object: the layers are static
// libraries, and the linker drops an object file nobody references, static registrars included.
// registry.cpp calls each register_*_tasks function listed below, which keeps them linked; a new
// task adds its function here and one call in TaskRegistry::global().
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hf/pipeline.h"

namespace hf::pipelines {

struct TaskEntry {
  std::string task;           // canonical name ("text-generation", "translation")
  std::string default_model;  // used when PipelineOptions::model is empty
  std::string description;
  std::function<std::shared_ptr<PipelineImpl>(const std::string& task, const PipelineOptions&)> make;
  // The revision transformers' registry pins for default_model; "" for hfcpp's own defaults
  // (translation pairs transformers has none for), which get no notice.
  std::string default_revision;
};

class TaskRegistry {
 public:
  void add(TaskEntry entry);
  // transformers' check_task: aliases, then exact names, then translation_XX_to_YY → "translation".
  // Unknown → hf::InputError listing the tasks.
  const TaskEntry& find(const std::string& task) const;
  const std::map<std::string, TaskEntry>& entries() const { return entries_; }

  static const TaskRegistry& global();  // every built-in task, registered on first use

 private:
  std::map<std::string, TaskEntry> entries_;
};

// One per task file.
void register_text_generation_tasks(TaskRegistry& registry);  // text_generation.cpp
void register_translation_tasks(TaskRegistry& registry);      // translation.cpp
void register_text2text_tasks(TaskRegistry& registry);        // text2text_generation.cpp (text2text-generation, summarization)
void register_encoder_tasks(TaskRegistry& registry);          // encoder_tasks.cpp (fill-mask, text-classification, ...)

// Rejects devices we have no backend for (shared by every task).
void check_device(const std::string& device);

}  // namespace hf::pipelines
