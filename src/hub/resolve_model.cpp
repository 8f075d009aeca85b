// Placeholder until the Hub client lands: local folders only.
#include "hf/error.h"
#include "hf/hub.h"

namespace hf {

std::filesystem::path resolve_model(const std::string& name_or_path, const HubOptions&) {
  std::filesystem::path p(name_or_path);
  if (std::filesystem::is_directory(p)) return p;
  throw HubError(name_or_path + ": no such local folder (Hub ids are not supported yet)");
}

}  // namespace hf
