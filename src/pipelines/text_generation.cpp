// TextGenerationPipeline: inputs → prompt ids → generate → transformers-shaped records.
#include "pipelines/text_generation.h"

#include "core/json.h"
#include "generation/vocab_ids.h"
#include "hf/error.h"
#include "pipelines/registry.h"

namespace hf::pipelines {

namespace {

bool is_message(const json& j) { return j.is_object() && j.contains("role") && j.contains("content"); }
bool is_chat(const json& j) { return j.is_array() && !j.empty() && j[0].is_object(); }

// Python's len(str): code points.
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
// s[n:] in code points.
std::string drop_code_points(const std::string& s, size_t n) {
  size_t i = 0;
  for (; i < s.size() && n > 0; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && --n == 0) {
      ++i;
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
      break;
    }
  return i >= s.size() ? "" : s.substr(i);
}

// transformers' TextGenerationPipeline._default_generation_config.
const GenerationConfig kPipelineDefaults{.max_new_tokens = 256, .do_sample = true, .temperature = 0.7f};

}  // namespace

TextGenerationPipeline::TextGenerationPipeline(std::string task, std::string model_name, Tokenizer tokenizer,
                                               AutoModelForCausalLM model, const GenerationConfig& construction_config,
                                               const json& model_config)
    : PipelineImpl(std::move(task), std::move(model_name), std::move(tokenizer)),
      model_(std::move(model)),
      settings_(resolve_generation_settings(task_, kPipelineDefaults, model_.generation_config(), construction_config,
                                            model_config)) {}

GenerationConfig TextGenerationPipeline::call_config(const PipelineCallOptions& o) const {
  GenerationConfig c = o.generate.merged_over(settings_.generation);
  if (c.temperature && *c.temperature == 0.0f && !o.generate.do_sample) c.do_sample = false;
  // Pipeline.__init__: the tokenizer's pad token when the settings have none.
  if (!c.pad_token_id && tok_.pad_token_id()) c.pad_token_id = *tok_.pad_token_id();
  if (o.stop_sequence) c.eos_token_id = tok_.encode(*o.stop_sequence, false);
  if (!c.tokenizer) c.tokenizer = &tok_;
  return c;
}

json TextGenerationPipeline::run(const json& inputs, const PipelineCallOptions& options) {
  if (inputs.is_string() || is_chat(inputs)) return run_one(inputs, options);
  if (!inputs.is_array())
    throw InputError("text-generation: input must be a string, a chat (list of {role, content}) or a list of those; got " +
                     std::string(inputs.type_name()));
  if (inputs.empty())
    throw InputError("text-generation: empty input (an empty message list or an empty batch); give a prompt or at least one message");
  json out = json::array();
  for (const auto& item : inputs) out.push_back(run_one(item, options));
  return out;
}

json TextGenerationPipeline::run_one(const json& input, const PipelineCallOptions& o) {
  if (o.return_full_text && o.return_tensors)
    throw InputError("text-generation: `return_full_text` is mutually exclusive with `return_tensors`");
  std::vector<int32_t> ids;
  bool continue_final = false;
  if (input.is_string()) {
    ids = tok_.encode(settings_.prefix.value_or("") + input.get<std::string>());
  } else if (input.is_array()) {
    if (input.empty()) throw InputError("text-generation: empty message list; give at least one message");
    for (size_t i = 0; i < input.size(); ++i)
      if (!is_message(input[i]))
        throw InputError("text-generation: message [" + std::to_string(i) +
                         "]: when passing chat dicts as input, each dict must have a 'role' and 'content' key");
    continue_final = o.continue_final_message.value_or(input.back()["role"] == "assistant");
    ids = tok_.apply_chat_template_ids(input, {.add_generation_prompt = !continue_final,
                                               .continue_final_message = continue_final});
  } else {
    throw InputError("text-generation: each input must be a string or a chat (list of {role, content}); got " +
                     std::string(input.type_name()));
  }
  if (ids.empty()) throw InputError("text-generation: the prompt encodes to no tokens; give a non-empty prompt");

  GenerationConfig config = call_config(o);
  // A prefix lengthens the prompt: transformers adds its length to max_length when no
  // max_new_tokens is asked for, so the text still gets the same room.
  if (settings_.prefix && !settings_.prefix->empty() && input.is_string() && !config.max_new_tokens) {
    const int prefix_length = static_cast<int>(tok_.encode(*settings_.prefix, false).size());
    config.max_length = config.max_length.value_or(model_.generation_config().max_length.value_or(20)) + prefix_length;
  }
  GenerateOutput out = model_.generate(std::vector<std::vector<int32_t>>{ids}, config);

  const DecodeOptions dec{.skip_special_tokens = true,
                          .clean_up_tokenization_spaces = o.clean_up_tokenization_spaces.value_or(true)};
  const size_t prompt_chars = code_points(tok_.decode(ids, dec));
  json records = json::array();
  for (const auto& seq : out.sequences) {
    if (o.return_tensors) {
      records.push_back(json{{"generated_token_ids", seq}});
      continue;
    }
    const std::string fresh =
        drop_code_points(tok_.decode(generation::ids_in_vocabulary(tok_, seq), dec), prompt_chars);
    json generated;
    if (!o.return_full_text.value_or(true)) {
      generated = fresh;
    } else if (input.is_string()) {
      generated = input.get<std::string>() + fresh;
    } else if (continue_final) {
      generated = input;
      generated.back()["content"] = generated.back()["content"].get<std::string>() + fresh;
    } else {
      generated = input;
      generated.push_back(json{{"role", "assistant"}, {"content", fresh}});
    }
    records.push_back(json{{"generated_text", generated}});
  }
  return records;
}

void register_text_generation_tasks(TaskRegistry& r) {
  // transformers' default (pipelines/__init__.py SUPPORTED_TASKS: v4.56 and main agree).
  r.add({.task = "text-generation",
         .default_model = "openai-community/gpt2",
         .description = "Continue a text or a chat (decoder-only models)",
         .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {
           const auto dir = resolve_model(o.model, o.hub);
           Tokenizer tok = AutoTokenizer::from_pretrained(dir.string());
           AutoModelForCausalLM model = AutoModelForCausalLM::from_pretrained(dir.string());
           GenerationConfig construction = o.generation_config;
           if (o.max_new_tokens) construction.max_new_tokens = o.max_new_tokens;
           return std::make_shared<TextGenerationPipeline>(task, o.model, std::move(tok), std::move(model), construction,
                                                           read_json_file(dir / "config.json"));
         },
         .default_revision = "607a30d"});
}

}  // namespace hf::pipelines
