#pragma once
// The settings of one Hub call: HubOptions over the environment, with huggingface_hub's
// precedence (hub-protocol.md §1). Read at each call, not once per process, so a test or an
// application can change HF_HUB_OFFLINE between calls.
#include <filesystem>
#include <optional>
#include <string>

#include "core/env.h"
#include "hf/hub.h"

namespace hf::hub {

struct HubConfig {
  std::string endpoint;            // no trailing '/'
  std::filesystem::path cache_dir;
  std::filesystem::path hf_home;
  std::string token;               // empty = none
  bool offline = false;
  long etag_timeout_s = 10;        // HEAD and API calls
  long download_timeout_s = 10;    // a transfer stalled this long fails (then resumes)
  bool disable_symlinks = false;
  std::string repo_type = "model";
  std::string revision = "main";
  bool force_download = false;
  bool file_progress = true;       // a bar per file (off while several files download at once)
};

HubConfig make_config(const HubOptions& options);

std::string user_agent();

}  // namespace hf::hub
