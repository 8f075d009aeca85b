// hfcpp: the command line. Subcommands register themselves (see command.h).
#include <cstdio>
#include <map>
#include <memory>

#include "cli/command.h"
#include "core/log.h"
#include "hf/error.h"

namespace hf::cli {

namespace {
struct Entry {
  std::string description;
  Setup setup;
};
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> r;
  return r;
}
}  // namespace

Register::Register(std::string name, std::string description, Setup setup) {
  registry()[std::move(name)] = Entry{std::move(description), std::move(setup)};
}

}  // namespace hf::cli

int main(int argc, char** argv) {
  CLI::App app{
      "hfcpp: Hugging Face models, run locally, in C++.\n"
      "Models are named as on the Hub (Qwen/Qwen2.5-0.5B-Instruct) or by a local folder.\n"
      "Run `hfcpp COMMAND --help` for the options of one command."};
  app.footer(
      "\nExamples:\n"
      "  hfcpp chat Qwen/Qwen2.5-0.5B-Instruct                 chat (downloads once, then works offline)\n"
      "  hfcpp chat ./my-model -p \"Hello\" --greedy              one answer from a local folder\n"
      "  hfcpp translate \"今天天气真好，我想出去玩。\"            Helsinki-NLP/opus-mt-zh-en\n"
      "  hfcpp pipeline text-generation --model M \"Once upon\" --json\n"
      "  hfcpp download Qwen/Qwen2.5-0.5B-Instruct              fetch into ~/.cache/huggingface/hub\n"
      "  hfcpp tokenize M \"你好, world\"                          ids and tokens\n"
      "  hfcpp bench M                                          tokens/s and memory\n"
      "\nEnvironment: HF_TOKEN (gated models), HF_ENDPOINT (a mirror), HF_HOME / HF_HUB_CACHE (the cache),\n"
      "HF_HUB_OFFLINE=1 (no network at all), HF_NUM_THREADS (compute threads).");
  app.require_subcommand(1);
  app.set_version_flag("--version", "hfcpp 0.1.0");
  std::map<CLI::App*, hf::cli::Runner> runners;
  for (auto& [name, entry] : hf::cli::registry()) {
    CLI::App* cmd = app.add_subcommand(name, entry.description);
    runners[cmd] = entry.setup(*cmd);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [cmd, run] : runners)
      if (cmd->parsed()) return run();
  } catch (const hf::Error& e) {
    std::fprintf(stderr, "hfcpp: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hfcpp: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
