#pragma once
// hf::pipeline — transformers' `pipeline(task, model=...)`, with results shaped exactly like
// transformers' (as JSON, the shape Python prints):
//
//   auto pipe = hf::pipeline("text-generation", {.model = "Qwen/Qwen2.5-0.5B-Instruct", .max_new_tokens = 100});
//   hf::json out = pipe(hf::Messages{{"user", "请写一首赞美秋天的五言绝句"}});
//   out[0]["generated_text"].back()["content"]          // the new assistant message
//   pipe("Once upon a time")                             // [{"generated_text": "Once upon a time..."}]
//   pipe(hf::json{"a", "b"})                             // batch: [[{...}], [{...}]]
//   hf::TextStreamer s(pipe.tokenizer(), {.skip_prompt = true});
//   pipe(messages, {.generate = {.streamer = &s}});     // streaming, as the tutorial's last snippet
//
// Default models when `.model` is empty (transformers v4.56 table, except text-generation which
// uses an instruct model as the tutorial does):
//
//   | task                          | default model                    |
//   |-------------------------------|----------------------------------|
//   | text-generation               | Qwen/Qwen2.5-0.5B-Instruct       |
//   | translation, translation_XX_to_YY | Helsinki-NLP/opus-mt-zh-en   |
//
// `device`: "cpu", "auto" (= the best available: the CPU today) or "" (= "auto"); "cuda", "mps",
// ... → hf::InputError saying no GPU backend exists yet. `dtype`: "auto" (as stored), "float32",
// "bfloat16"; weights are always used in their stored dtype with float32 activations.
//
// New tasks register themselves in src/pipelines/registry.h (see there).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hf/export.h"
#include "hf/json.h"
#include "hf/generation_config.h"
#include "hf/hub.h"
#include "hf/tokenizer.h"

namespace hf {

struct HF_API PipelineOptions {
  std::string model;                  // Hub id or local folder; "" = the task's default model
  std::string device = "auto";        // "cpu" | "auto"; accelerators are rejected (none yet)
  std::string dtype = "auto";
  std::optional<int> max_new_tokens{};  // shortcut for generation_config.max_new_tokens
  GenerationConfig generation_config{}; // generate() kwargs given at construction (beat model file)
  HubOptions hub{};                   // revision, token, offline, cache_dir
};

// Per-call parameters (transformers' __call__ kwargs).
struct HF_API PipelineCallOptions {
  GenerationConfig generate{};                   // max_new_tokens, do_sample, streamer, stop_token...
  std::optional<bool> return_full_text{};          // text-generation: unset = true
  bool return_tensors = false;                   // records hold generated_token_ids instead of text
  std::optional<bool> clean_up_tokenization_spaces{};  // unset = true (as transformers' postprocess)
  std::optional<bool> continue_final_message{};    // chats: unset = last role is "assistant"
  std::optional<std::string> stop_sequence{};      // its token ids replace eos_token_id (transformers)
  json extra = json::object();                   // task-specific (e.g. src_lang/tgt_lang)
};

// The task-specific implementation behind a Pipeline (see src/pipelines/registry.h).
class HF_API PipelineImpl {
 public:
  virtual ~PipelineImpl() = default;
  // inputs: a string, a list of strings, a chat (list of {role, content}) or a list of chats.
  virtual json run(const json& inputs, const PipelineCallOptions& options) = 0;
  const Tokenizer& tokenizer() const { return tok_; }
  const std::string& task() const { return task_; }
  const std::string& model_name() const { return model_name_; }

 protected:
  PipelineImpl(std::string task, std::string model_name, Tokenizer tokenizer)
      : task_(std::move(task)), model_name_(std::move(model_name)), tok_(std::move(tokenizer)) {}
  std::string task_, model_name_;
  Tokenizer tok_;
};

class HF_API Pipeline {
 public:
  explicit Pipeline(std::shared_ptr<PipelineImpl> impl) : impl_(std::move(impl)) {}

  json operator()(const json& inputs, const PipelineCallOptions& options = {}) const { return impl_->run(inputs, options); }
  json operator()(const char* text, const PipelineCallOptions& options = {}) const { return (*this)(json(text), options); }
  json operator()(const std::string& text, const PipelineCallOptions& options = {}) const { return (*this)(json(text), options); }
  json operator()(const Messages& chat, const PipelineCallOptions& options = {}) const;
  json operator()(const std::vector<Messages>& chats, const PipelineCallOptions& options = {}) const;
  json operator()(const std::vector<std::string>& texts, const PipelineCallOptions& options = {}) const {
    return (*this)(json(texts), options);
  }

  // The JSON entry point the CLI uses: same as operator().
  json run(const json& inputs, const PipelineCallOptions& options = {}) const { return impl_->run(inputs, options); }

  const Tokenizer& tokenizer() const { return impl_->tokenizer(); }
  const std::string& task() const { return impl_->task(); }
  const std::string& model_name() const { return impl_->model_name(); }

 private:
  std::shared_ptr<PipelineImpl> impl_;
};

// Builds the pipeline for `task` (aliases and translation_XX_to_YY as in transformers).
// Unknown task → hf::InputError listing the available ones.
HF_API Pipeline pipeline(const std::string& task, const PipelineOptions& options = {});

// The registered task names and their default models, for --help texts.
HF_API std::vector<std::pair<std::string, std::string>> pipeline_tasks();

HF_API json to_json(const Messages& messages);
Messages messages_from_json(const json& chat);  // hf::InputError if a message lacks role/content

}  // namespace hf
