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
