// `hfcpp download MODEL [--revision R] [--include GLOB]... [--exclude GLOB]... [--offline]`:
// fetches a model into the Hub cache shared with Python (progress bars on stderr) and prints its
// snapshot folder on stdout, so `$(hfcpp download ID)` gives a path to use.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "hf/hub.h"

namespace hf::cli {
namespace {

struct Options {
  std::string model;
  HubOptions hub;
  bool offline = false;
};

int run(Options& o) {
  if (o.offline) o.hub.offline = true;
  std::printf("%s\n", resolve_model(o.model, o.hub).string().c_str());
  return 0;
}

Register reg("download", "Download a model into the Hub cache (shared with Python) and print its folder",
             [](CLI::App& cmd) {
               auto o = std::make_shared<Options>();
               cmd.add_option("model", o->model, "Hub id (org/name) or local folder")->required();
               cmd.add_option("--revision", o->hub.revision, "branch, tag or commit (default: main)");
               cmd.add_option("--include", o->hub.allow_patterns,
                              "only files matching these globs (default: the files a model needs)");
               cmd.add_option("--exclude", o->hub.ignore_patterns, "skip files matching these globs (with --include)");
               cmd.add_option("--token", o->hub.token, "Hub token (default: HF_TOKEN, then the token file)");
               cmd.add_option("--cache-dir", o->hub.cache_dir, "cache folder (default: HF_HUB_CACHE, HF_HOME/hub)");
               cmd.add_flag("--offline", o->offline, "no network: resolve from the cache only");
               cmd.add_flag("--force-download", o->hub.force_download, "download again even if cached");
               return [o] { return run(*o); };
             });

}  // namespace
}  // namespace hf::cli
