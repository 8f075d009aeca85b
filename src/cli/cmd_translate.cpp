// `hfcpp translate [--model M] [--task translation_XX_to_YY] [--num-beams N] TEXT... [--json]`: the
// translation pipeline from the command line (without --model: the task's default model,
// Helsinki-NLP/opus-mt-zh-en for a bare "translation"). --task picks T5's task prefix from
// config.json's task_specific_params. Without TEXT, lines are read from stdin and translated in
// batches, one output line per input line (blank lines stay blank, so the output lines up with
// the input). --json prints transformers' output shape instead.
#include <iostream>

#include "cli/command.h"
#include "cli/generation_flags.h"
#include "cli/inputs.h"
#include "cli/model_flags.h"
#include "cli/seq2seq_flags.h"
#include "hf/error.h"
#include "hf/pipeline.h"

namespace hf::cli {
namespace {

struct Options {
  ModelFlags model;
  std::string task = "translation";
  std::vector<std::string> texts;
  int batch_size = 16;
  bool json_output = false;
  GenerationFlags gen;
  Seq2SeqFlags seq2seq;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

int run(const Options& o) {
  GenerationConfig generate = o.gen.config();
  o.seq2seq.apply(generate);
  o.gen.apply_threads();
  std::vector<std::string> texts = o.texts;
  const bool from_stdin = texts.empty();
  if (from_stdin) {
    if (!stdin_is_piped()) throw InputError("translate: give TEXT arguments, or pipe lines on stdin");
    texts = read_input_lines("-");
  }
  if (o.batch_size < 1) throw InputError("translate: --batch-size must be >= 1");
  if (o.task.rfind("translation", 0) != 0)
    throw InputError("translate: --task \"" + o.task + "\" is not a translation task; use translation or translation_XX_to_YY");
  Pipeline pipe = pipeline(o.task, {.model = o.model.model, .hub = o.model.hub_options()});
  PipelineCallOptions call;
  call.generate = generate;
  call.extra["batch_size"] = o.batch_size;

  // Blank stdin lines are not sentences: they are echoed, not translated.
  std::vector<std::string> todo;
  for (const auto& t : texts)
    if (!(from_stdin && blank(t))) todo.push_back(t);
  json results = todo.empty() ? json::array() : pipe(todo, call);
  json out = json::array();
  for (size_t i = 0, j = 0; i < texts.size(); ++i)
    out.push_back(from_stdin && blank(texts[i]) ? json{{"translation_text", ""}} : results[j++]);

  if (o.json_output) {
    std::cout << out.dump(-1, ' ', false) << '\n';
    return 0;
  }
  for (const auto& r : out) {
    if (r.is_array()) {  // num_return_sequences > 1
      for (const auto& x : r) std::cout << x["translation_text"].get<std::string>() << '\n';
    } else {
      std::cout << r["translation_text"].get<std::string>() << '\n';
    }
  }
  return 0;
}

Register reg("translate", "Translate texts (or stdin lines) with a seq2seq model (Marian, T5); default Helsinki-NLP/opus-mt-zh-en",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               cmd.add_option("texts", o->texts, "Texts to translate (none: read lines from stdin)");
               o->model.add_to(cmd, "Model: a Hub id or a local folder (default: the task's, opus-mt-zh-en for translation)",
                               /*positional=*/false);
               cmd.add_option("--task", o->task,
                              "translation or translation_XX_to_YY: the task_specific_params (T5 prefix) to use; "
                              "without --model also picks the model (en_to_fr/de/ro: google-t5/t5-base, else opus-mt-XX-YY)")
                   ->capture_default_str();
               cmd.add_option("--batch-size", o->batch_size, "Sentences per generate() call")->capture_default_str();
               cmd.add_flag("--json", o->json_output, "Print transformers' output as JSON");
               o->gen.add_to(cmd);
               o->seq2seq.add_to(cmd);
               cmd.footer("Example: hfcpp translate --model google-t5/t5-base --task translation_en_to_de \"The house is wonderful.\"");
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
