#include "hub/hub_config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hf::hub {

namespace fs = std::filesystem;

namespace {

// "~" and "$VAR" expansion, as Python's os.path.expanduser(os.path.expandvars(...)).
fs::path expand(std::string s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$') {
      out += s[i];
      continue;
    }
    bool braced = i + 1 < s.size() && s[i + 1] == '{';
    size_t b = i + (braced ? 2 : 1), e = b;
    while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_')) ++e;
    if (e == b || (braced && (e >= s.size() || s[e] != '}'))) {
      out += s[i];
      continue;
    }
    std::string name = s.substr(b, e - b);
    const char* v = std::getenv(name.c_str());
    out += v ? std::string(v) : s.substr(i, e - i + (braced ? 1 : 0));
    i = e - (braced ? 0 : 1);
  }
  if (!out.empty() && out[0] == '~' && (out.size() == 1 || out[1] == '/')) {
    const char* home = std::getenv("HOME");
    if (home) out = std::string(home) + out.substr(1);
  }
  return fs::path(out);
}

fs::path default_hf_home() {
  if (auto h = env_value("HF_HOME")) return expand(*h);
  if (auto x = env_value("XDG_CACHE_HOME")) return expand(*x) / "huggingface";
  return expand("~/.cache/huggingface");
}

// CR/LF removed, surrounding whitespace stripped (huggingface_hub's _clean_token).
std::string clean_token(std::string t) {
  std::string out;
  for (char c : t)
    if (c != '\r' && c != '\n') out += c;
  size_t b = out.find_first_not_of(" \t"), e = out.find_last_not_of(" \t");
  return b == std::string::npos ? "" : out.substr(b, e - b + 1);
}

std::string implicit_token(const fs::path& hf_home) {
  if (env_flag("HF_HUB_DISABLE_IMPLICIT_TOKEN").value_or(false)) return "";
  // HUGGINGFACE_TOKEN is not read by huggingface_hub; tutorials use it, so it comes last of the env.
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"})
    if (auto v = env_value(name)) {
      std::string t = clean_token(*v);
      if (!t.empty()) return t;
    }
  fs::path file = env_value("HF_TOKEN_PATH") ? expand(*env_value("HF_TOKEN_PATH")) : hf_home / "token";
  std::ifstream in(file);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return clean_token(ss.str());
}

long env_seconds(const char* name, long fallback) {
  auto v = env_value(name);
  if (!v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  return (end && *end == 0 && d > 0) ? std::max(1L, long(d + 0.5)) : fallback;
}

}  // namespace

HubConfig make_config(const HubOptions& o) {
  HubConfig c;
  c.hf_home = default_hf_home();
  std::string endpoint = !o.endpoint.empty() ? o.endpoint : env_value("HF_ENDPOINT").value_or("https://huggingface.co");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  c.endpoint = endpoint;
  if (!o.cache_dir.empty()) c.cache_dir = expand(o.cache_dir);
  else if (auto v = env_value("HF_HUB_CACHE")) c.cache_dir = expand(*v);
  else if (auto v2 = env_value("HUGGINGFACE_HUB_CACHE")) c.cache_dir = expand(*v2);
  else c.cache_dir = c.hf_home / "hub";
  c.cache_dir = fs::absolute(c.cache_dir).lexically_normal();
  c.token = !o.token.empty() ? clean_token(o.token) : implicit_token(c.hf_home);
  if (o.offline) {
    c.offline = *o.offline;
  } else {
    // Python takes the first non-empty of the two, so HF_HUB_OFFLINE=0 wins over TRANSFORMERS_OFFLINE=1.
    if (env_value("HF_HUB_OFFLINE")) c.offline = *env_flag("HF_HUB_OFFLINE");
    else c.offline = env_flag("TRANSFORMERS_OFFLINE").value_or(false);
  }
  c.etag_timeout_s = env_seconds("HF_HUB_ETAG_TIMEOUT", 10);
  c.download_timeout_s = env_seconds("HF_HUB_DOWNLOAD_TIMEOUT", 10);
  c.disable_symlinks = env_flag("HF_HUB_DISABLE_SYMLINKS").value_or(false);
  c.repo_type = o.repo_type.empty() ? "model" : o.repo_type;
  if (c.repo_type != "model" && c.repo_type != "dataset" && c.repo_type != "space")
    throw InputError("repo_type '" + c.repo_type + "' is not one of model, dataset, space");
  c.revision = o.revision.empty() ? "main" : o.revision;
  c.force_download = o.force_download;
  return c;
}

std::string user_agent() {
  std::string ua = "hfcpp/0.1.0; hf_hub/compatible; cpp/20";
  if (auto origin = env_value("HF_HUB_USER_AGENT_ORIGIN")) ua += "; origin/" + *origin;
  return ua;
}

}  // namespace hf::hub
