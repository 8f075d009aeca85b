// `hfcpp cache ls` / `hfcpp cache rm MODEL`: what the Hub cache (shared with Python) holds, and
// removing a model from it; with the weights --quantize kept for its models (HFCPP_CACHE).
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "core/progress.h"
#include "hf/hub.h"
#include "models/quantized_store.h"

namespace hf::cli {
namespace {

struct Options {
  std::string cache_dir;
  std::string model;
  std::string repo_type = "model";
  bool verbose = false;
};

std::string human(uint64_t bytes) { return ProgressBar::format_size(double(bytes)) + "B"; }

int list(const Options& o) {
  HubOptions h;
  h.cache_dir = o.cache_dir;
  HFCacheInfo info = scan_cache_dir(hub_cache_dir(h));
  std::printf("%-50s %-8s %10s %6s  %s\n", "REPO ID", "TYPE", "SIZE", "FILES", "REVISIONS (refs)");
  for (const auto& repo : info.repos) {
    std::string revs;
    for (const auto& r : repo.revisions) {
      if (!revs.empty()) revs += ", ";
      revs += r.commit_hash.substr(0, 8);
      if (!r.refs.empty()) {
        revs += " (";
        for (size_t i = 0; i < r.refs.size(); ++i) revs += (i ? " " : "") + r.refs[i];
        revs += ")";
      }
    }
    std::printf("%-50s %-8s %10s %6zu  %s\n", repo.repo_id.c_str(), repo.repo_type.c_str(),
                human(repo.size_on_disk).c_str(), repo.nb_files, revs.c_str());
    if (o.verbose)
      for (const auto& r : repo.revisions) std::printf("    %s\n", r.snapshot_path.string().c_str());
  }
  std::printf("\n%zu repo(s), %s on disk in %s\n", info.repos.size(), human(info.size_on_disk).c_str(),
              info.cache_dir.string().c_str());
  for (const auto& w : info.warnings) std::fprintf(stderr, "hfcpp: warning: %s\n", w.c_str());
  if (const std::filesystem::path q = default_quantized_cache(); !q.empty()) {
    const QuantizedCacheUsage usage = quantized_cache_usage(q);
    std::printf("quantized weights (--quantize): %zu file(s), %s on disk in %s\n", usage.entries,
                human(usage.bytes).c_str(), q.string().c_str());
  }
  return 0;
}

int remove(const Options& o) {
  HubOptions h;
  h.cache_dir = o.cache_dir;
  h.repo_type = o.repo_type;
  if (!delete_cached_repo(o.model, h)) {
    std::fprintf(stderr, "hfcpp: %s is not in the cache at %s\n", o.model.c_str(), hub_cache_dir(h).string().c_str());
    return 1;
  }
  std::printf("removed %s from %s\n", o.model.c_str(), hub_cache_dir(h).string().c_str());
  // Its quantized weights can no longer be asked for (their key names the deleted files).
  remove_stale_quantized_entries(default_quantized_cache());
  return 0;
}

Register reg("cache", "List (ls) or remove (rm) models in the Hub cache shared with Python", [](CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  cmd.require_subcommand(1);
  cmd.add_option("--cache-dir", o->cache_dir, "cache folder (default: HF_HUB_CACHE, HF_HOME/hub)");
  CLI::App* ls = cmd.add_subcommand("ls", "repos, revisions and size on disk");
  ls->add_flag("-v,--verbose", o->verbose, "also print each snapshot folder");
  CLI::App* rm = cmd.add_subcommand("rm", "delete a repo from the cache");
  rm->add_option("model", o->model, "Hub id (org/name)")->required();
  rm->add_option("--repo-type", o->repo_type, "model, dataset or space");
  return [o, ls, rm] { return ls->parsed() ? list(*o) : rm->parsed() ? remove(*o) : 1; };
});

}  // namespace
}  // namespace hf::cli
