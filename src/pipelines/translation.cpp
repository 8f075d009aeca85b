#include "pipelines/translation.h"

#include "core/log.h"
#include "pipelines/registry.h"
#include "pipelines/text2text_generation.h"

namespace hf::pipelines {
namespace {

// The registry fills an empty PipelineOptions::model with the entry's default_model before
// make() runs; this placeholder tells make() that no model was given, so that the language
// pair of "translation_XX_to_YY" picks it.
const char* kDefaultPlaceholder = "Helsinki-NLP/opus-mt-XX-YY";

// transformers' SUPPORTED_TASKS["translation"]["default"]: (en, fr|de|ro) → t5-base at this revision.
const char* kT5Base = "google-t5/t5-base";
const char* kT5BaseRevision = "a9723ea";

}  // namespace

std::string default_translation_model(const std::string& task) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t p; (p = task.find('_', start)) != std::string::npos; start = p + 1) parts.push_back(task.substr(start, p - start));
  parts.push_back(task.substr(start));
  if (parts.size() == 4 && parts[0] == "translation" && parts[2] == "to" && !parts[1].empty() && !parts[3].empty()) {
    if (parts[1] == "en" && (parts[3] == "fr" || parts[3] == "de" || parts[3] == "ro")) return kT5Base;
    return "Helsinki-NLP/opus-mt-" + parts[1] + "-" + parts[3];
  }
  return "Helsinki-NLP/opus-mt-zh-en";
}

void register_translation_tasks(TaskRegistry& r) {
  r.add({.task = "translation",
         .default_model = kDefaultPlaceholder,
         .description = "Translate text with an encoder-decoder model (Marian, T5): [{\"translation_text\"}]",
         .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {
           if (!o.model.empty() && o.model != kDefaultPlaceholder) return make_text2text_pipeline(task, "translation", o.model, o);
           PipelineOptions d = o;
           d.model = default_translation_model(task);
           if (d.model == kT5Base && d.hub.revision.empty()) {
             d.hub.revision = kT5BaseRevision;
             warn("No model was supplied, defaulted to " + d.model + " and revision " + d.hub.revision + ".\n" +
                  "Using a pipeline without specifying a model name and revision in production is not recommended.");
           }
           return make_text2text_pipeline(task, "translation", d.model, d);
         },
         .default_revision = ""});
}

}  // namespace hf::pipelines
