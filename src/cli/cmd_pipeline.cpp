// `hfcpp pipeline TASK [--model M] INPUT... [--json]`: any registered task, transformers-shaped.
// An INPUT that is a JSON list ('[{"role": "user", "content": "..."}]') is a chat; several
// INPUTs are a batch. --json prints transformers' output as JSON (`[{"generated_text": ...}]`);
// without it each result's text is printed on its own line. Without INPUT, stdin is read: each
// non-empty line is one INPUT, or the whole of it is one chat when it starts with '['.
#include <iostream>

#include "cli/command.h"
#include "cli/generation_flags.h"
#include "cli/pipeline_task_flags.h"
#include "cli/inputs.h"
#include "cli/model_flags.h"
#include "cli/seq2seq_flags.h"
#include "core/json.h"
#include "hf/error.h"
#include "hf/pipeline.h"

namespace hf::cli {
namespace {

struct Options {
  std::string task, device = "auto", dtype = "auto", src_lang, tgt_lang;
  ModelFlags model;
  std::vector<std::string> inputs;
  bool json_output = false, new_text_only = false;
  GenerationFlags gen;
  PipelineTaskFlags task_flags;  // the encoder tasks' kwargs (pipeline_task_flags.h)
  Seq2SeqFlags seq2seq;          // generate() kwargs of summarization, text2text, translation
};

json parse_input(const std::string& s) {
  if (!s.empty() && (s.front() == '[' || s.front() == '{')) {  // a chat, or a {"text", "text_pair"} pair
    try {
      return parse_json(s);   // depth-bounded, numbers past a double refused
    } catch (const json::parse_error& e) {
      throw InputError("pipeline: input starting with '[' is not valid JSON (" + std::string(e.what()) +
                       "); give a chat as a JSON list of {\"role\", \"content\"} objects");
    }
  }
  return s;
}

// The text of one record: the first string field, or the content of the last message.
std::string record_text(const json& r) {
  for (const auto& [k, v] : r.items()) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array() && !v.empty() && v.back().is_object() && v.back().contains("content"))
      return v.back()["content"].get<std::string>();
  }
  return r.dump();
}

void print_texts(const json& out) {
  if (out.is_object()) {
    std::cout << record_text(out) << '\n';
    return;
  }
  for (const auto& item : out) print_texts(item);
}

// INPUTs piped on stdin: one per non-empty line, or one JSON chat.
std::vector<std::string> stdin_inputs() {
  const std::string text = read_input("-");
  if (const size_t first = text.find_first_not_of(" \t\r\n"); first != std::string::npos && text[first] == '[')
    return {text.substr(first)};
  std::vector<std::string> lines;
  for (auto& line : split_lines(text))
    if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
  return lines;
}

int run(Options& o) {
  GenerationConfig generate = o.gen.config();
  o.seq2seq.apply(generate);
  o.gen.apply_threads();
  if (o.inputs.empty() && stdin_is_piped()) o.inputs = stdin_inputs();
  if (o.inputs.empty() && !(o.task_flags.question && o.task_flags.context)) throw InputError("pipeline: give at least one INPUT (or pipe them on stdin, one per line)");
  PipelineOptions po{.model = o.model.model, .device = o.device, .dtype = o.dtype, .hub = o.model.hub_options()};
  Pipeline pipe = pipeline(o.task, po);
  PipelineCallOptions call;
  call.generate = generate;
  if (o.new_text_only) call.return_full_text = false;
  if (!o.src_lang.empty()) call.extra["src_lang"] = o.src_lang;
  if (!o.tgt_lang.empty()) call.extra["tgt_lang"] = o.tgt_lang;
  o.task_flags.apply(o.task, call);
  json inputs;
  if (o.inputs.size() == 1) {
    inputs = parse_input(o.inputs[0]);
  } else {
    inputs = json::array();
    for (const auto& s : o.inputs) inputs.push_back(parse_input(s));
  }
  if (o.inputs.empty()) inputs = nullptr;
  if (json built = o.task_flags.inputs(inputs); !built.is_null()) inputs = built;  // --question/--context, --text-pair
  const json out = pipe(inputs, call);
  if (o.json_output) std::cout << out.dump(-1, ' ', false) << '\n';
  else print_texts(out);
  return 0;
}

Register reg("pipeline", "Run a task like transformers' pipeline(); prints its result", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.add_option("task", o->task,
                 "Task: text-generation, summarization, text2text-generation, translation, translation_XX_to_YY, "
                 "zero-shot-classification, ...")->required();
  // INPUTs are collected as extras, not as a CLI11 vector option: CLI11 would split an argument
  // like '[{...}, {...}]' (a JSON chat) at its commas.
  cmd.allow_extras();
  cmd.footer("INPUT...: texts, or chats as JSON lists of {\"role\", \"content\"}; several INPUTs are a batch.\n"
             "Without INPUT, stdin is read: one INPUT per line, or one JSON chat.\n"
             "Generation settings are transformers' pipeline's: the model's generation_config.json, then the\n"
             "pipeline's defaults for what it leaves unset (summarization / text2text / translation: 4 beams,\n"
             "256 new tokens unless the model sets max_length), then config.json's task_specific_params[TASK]\n"
             "(T5: its prefix, e.g. \"summarize: \"), then these flags.\n"
             "Examples:\n"
             "  hfcpp pipeline summarization --model sshleifer/distilbart-cnn-12-6 \"$(cat article.txt)\" --json\n"
             "  hfcpp pipeline translation_en_to_fr --model google-t5/t5-base \"The house is wonderful.\"\n"
             "  hfcpp pipeline text2text-generation --model google-t5/t5-base \"question: ... context: ...\" --num-beams 1\n"
             "  hfcpp pipeline zero-shot-classification --model facebook/bart-large-mnli \"I love this phone\" \\\n"
             "      --candidate-labels technology,sports --multi-label --json");
  o->model.add_to(cmd, "Model: a Hub id or a local folder (default: the task's default model)", /*positional=*/false);
  cmd.add_option("--device", o->device, "cpu | auto (no GPU backend yet)");
  cmd.add_option("--dtype", o->dtype, "auto | float32 | bfloat16 | float16");
  cmd.add_flag("--json", o->json_output, "Print transformers' output as JSON");
  cmd.add_flag("--new-text-only", o->new_text_only, "text-generation: return_full_text = false");
  cmd.add_option("--src-lang", o->src_lang, "translation: source language");
  cmd.add_option("--tgt-lang", o->tgt_lang, "translation: target language");
  o->gen.add_to(cmd);
  o->task_flags.add_to(cmd);  // after gen: its --top-k replaces the generation one
  o->seq2seq.add_to(cmd);
  return [o, &cmd] {
    for (const auto& a : cmd.remaining()) {
      if (a.size() > 1 && a[0] == '-' && a[1] == '-') throw InputError("pipeline: unknown option " + a);
      o->inputs.push_back(a);
    }
    return run(*o);
  };
});

}  // namespace
}  // namespace hf::cli
