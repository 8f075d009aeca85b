// hfcpp: the command line. Subcommands register themselves (see command.h).
//
// Exit codes: 0 success; 1 the command failed (one line `hfcpp: error: ...` on stderr); 2 the
// command line itself is wrong (no command, an unknown command or option, a malformed value),
// with the usage hint, as CLI tools conventionally do.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/failure.h"
#include "cli/threads.h"
#include "cli/usage.h"
#include "hf/version.h"
#include "kernels/kernels.h"
#include "kernels/simd_targets.h"

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

std::string version_text() {
  std::string targets;
  for (const auto& t : kernels::compiled_simd_targets()) targets += (targets.empty() ? "" : " ") + t;
  return std::string("hfcpp ") + HF_VERSION_STRING + " (commit " + HF_GIT_COMMIT + ")\n" +
         "SIMD targets compiled: " + targets + "\n" + "SIMD target on this CPU: " + kernels::simd_target();
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry()) names.push_back(name);
  return names;
}

// CLI11's message, in hfcpp's one-line error form.
std::string parse_failure(const CLI::App* app, const CLI::Error& e) {
  return "hfcpp: error: " + std::string(e.what()) + "\nRun `hfcpp " +
         (app->get_parent() ? app->get_name() + " " : std::string()) + "--help` for the options.\n";
}
}  // namespace

Register::Register(std::string name, std::string description, Setup setup) {
  registry()[std::move(name)] = Entry{std::move(description), std::move(setup)};
}

}  // namespace hf::cli

int main(int argc, char** argv) {
  using namespace hf::cli;
  const std::vector<std::string> commands = command_names();
  if (argc < 2) {
    std::fputs(short_usage(commands).c_str(), stderr);
    return 2;
  }
  // An unknown command is answered before CLI11, which would only say "arguments not expected".
  const std::string first = argv[1];
  if (!first.empty() && first[0] != '-' && !registry().count(first)) {
    std::fprintf(stderr, "hfcpp: error: %s\n", unknown_command_message(first, commands).c_str());
    return 2;
  }

  CLI::App app{
      "hfcpp: Hugging Face models, run locally, in C++.\n"
      "Models are named as on the Hub (Qwen/Qwen2.5-0.5B-Instruct) or by a local folder.\n"
      "Run `hfcpp COMMAND --help` for the options of one command."};
  app.footer(
      "\nExamples:\n"
      "  hfcpp chat                                             chat with Qwen/Qwen2.5-0.5B-Instruct\n"
      "  hfcpp chat ./my-model -p \"Hello\" --temp 0              one greedy answer from a local folder\n"
      "  hfcpp translate \"今天天气真好，我想出去玩。\"            Helsinki-NLP/opus-mt-zh-en\n"
      "  hfcpp pipeline text-generation -m M \"Once upon\" --json\n"
      "  hfcpp generate M --ids 1,2,3 -n 8 --json                token ids in, token ids out\n"
      "  hfcpp download Qwen/Qwen2.5-0.5B-Instruct              fetch into ~/.cache/huggingface/hub\n"
      "  hfcpp tokenize M \"你好, world\"                          ids and tokens\n"
      "  hfcpp bench M                                          tokens/s and memory\n"
      "\nFlags shared by the commands that load a model: -m/--model, --revision, --offline, -t/--threads;\n"
      "and by those that generate: -n/--max-new-tokens, -c/--ctx-size, --temp/--temperature (0 = greedy),\n"
      "--top-k, --top-p, --greedy, --do-sample, --num-beams, --seed.\n"
      "\nEnvironment: HF_TOKEN (gated models), HF_ENDPOINT (a mirror), HF_HOME / HF_HUB_CACHE (the cache),\n"
      "HF_HUB_OFFLINE=1 (no network at all), HF_NUM_THREADS (compute threads), HFCPP_CACHE (where\n"
      "--quantize keeps quantized weights: $HFCPP_CACHE/quantized, default ~/.cache/hfcpp/quantized;\n"
      "HFCPP_QUANTIZED_CACHE=0 keeps none).\n"
      "\nExit status: 0 done, 1 the command failed (one `hfcpp: error:` line), 2 wrong command line.");
  app.require_subcommand(1);
  app.failure_message(parse_failure);
  app.set_version_flag("-V,--version", version_text());
  std::map<CLI::App*, Runner> runners;
  for (auto& [name, entry] : registry()) {
    CLI::App* cmd = app.add_subcommand(name, entry.description);
    runners[cmd] = entry.setup(*cmd);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    configure_threads(std::nullopt);  // HF_NUM_THREADS is checked before any command uses the pool
    for (auto& [cmd, run] : runners)
      if (cmd->parsed()) return run();
  } catch (...) {
    std::fprintf(stderr, "hfcpp: error: %s\n", describe_failure(std::current_exception()).c_str());
    return 1;
  }
  return 0;
}
