#pragma once
// Each `hfcpp` subcommand lives in its own file and registers itself here:
//
//   static hf::cli::Register reg("tokenize", "Show how a text tokenizes", [](CLI::App& cmd) {
//     auto opts = std::make_shared<Options>();
//     cmd.add_option("model", opts->model, "...");
//     return [opts] { return run(*opts); };   // returns the exit code
//   });
//
// main() builds the CLI11 app from the registry, runs the chosen command and turns an hf::Error
// into one line on stderr with exit code 1.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace hf::cli {

using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App&)>;

struct Register {
  Register(std::string name, std::string description, Setup setup);
};

}  // namespace hf::cli
