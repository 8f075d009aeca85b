// `hfcpp translate [--model M] [--num-beams N] TEXT... [--json]`: the translation pipeline from the
// command line (default model Helsinki-NLP/opus-mt-zh-en). Without TEXT, lines are read from
// stdin and translated in batches, one output line per input line (blank lines stay blank, so
// the output lines up with the input). --json prints transformers' output shape instead.
#include <unistd.h>

#include <iostream>

#include "cli/command.h"
#include "cli/generation_flags.h"
#include "hf/error.h"
#include "hf/pipeline.h"

namespace hf::cli {
namespace {

struct Options {
  std::string model = "Helsinki-NLP/opus-mt-zh-en";
  std::vector<std::string> texts;
  std::optional<int> num_beams;
  int batch_size = 16;
  bool json_output = false;
  GenerationFlags gen;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

int run(const Options& o) {
  o.gen.apply_threads();
  std::vector<std::string> texts = o.texts;
  const bool from_stdin = texts.empty();
  if (from_stdin) {
    if (isatty(STDIN_FILENO)) throw InputError("translate: give TEXT arguments, or pipe lines on stdin");
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      texts.push_back(line);
    }
  }
  if (o.batch_size < 1) throw InputError("translate: --batch-size must be >= 1");
  Pipeline pipe = pipeline("translation", {.model = o.model});
  PipelineCallOptions call;
  call.generate = o.gen.config();
  if (o.num_beams) call.generate.num_beams = *o.num_beams;
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

Register reg("translate", "Translate texts (or stdin lines) with a seq2seq model; default Helsinki-NLP/opus-mt-zh-en",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               cmd.add_option("texts", o->texts, "Texts to translate (none: read lines from stdin)");
               cmd.add_option("-m,--model", o->model, "Model: a Hub id or a local folder")->capture_default_str();
               cmd.add_option("--num-beams", o->num_beams, "Beam width (default: the model's generation config)");
               cmd.add_option("--batch-size", o->batch_size, "Sentences per generate() call")->capture_default_str();
               cmd.add_flag("--json", o->json_output, "Print transformers' output as JSON");
               o->gen.add_to(cmd);
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
