#pragma once
// Test helper: starts tests/hub/fake_hub.py on 127.0.0.1 (free ports) in a fresh temp folder,
// lets a test create repos, inject faults, and read the request log. Each test gets its own
// server, cache and HF_HOME, and an environment scrubbed of HF_* variables.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hf/hub.h"
#include "test_temp.h"

namespace hf::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// A 40-hex commit hash made from a digit: commit('1') = "1111...".
inline std::string commit(char c) { return std::string(40, c); }

// Deterministic pseudo-random bytes, so LFS files are not trivially compressible or repetitive.
inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(rng() & 0xff);
  return s;
}

class FakeHub {
 public:
  FakeHub() {
    root_ = test_temp_root() / ("hfcpp-hub-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(std::random_device{}()));
    fs::create_directories(root_ / "repos");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string script = std::string(HF_SOURCE_DIR) + "/tests/hub/fake_hub.py", root = root_.string();
      ::execl("/usr/bin/python3", "python3", script.c_str(), "--root", root.c_str(), (char*)nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 400 && !fs::exists(root_ / "ports.json"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    json ports = json::parse(slurp(root_ / "ports.json"));
    port_ = ports["port"];
    cdn_port_ = ports["cdn_port"];
  }
  ~FakeHub() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int cdn_port() const { return cdn_port_; }
  fs::path root() const { return root_; }

  // A repo: meta is repo.json (refs, gated, tokens...), files per commit.
  void add_repo(const std::string& id, json meta, const std::map<std::string, std::map<std::string, std::string>>& commits) {
    fs::path dir = repo_dir(id);
    meta["id"] = id;
    spit(dir / "repo.json", meta.dump());
    for (const auto& [c, files] : commits)
      for (const auto& [path, content] : files) spit(dir / "commits" / c / path, content);
  }
  fs::path repo_dir(const std::string& id) const {
    std::string f = id;
    for (size_t p; (p = f.find('/')) != std::string::npos;) f.replace(p, 1, "--");
    return root_ / "repos" / f;
  }

  void set_faults(const json& rules) { spit(root_ / "faults.json", rules.dump()); }
  void clear_log() {
    std::error_code ec;
    fs::remove(root_ / "requests.log", ec);
  }
  std::vector<json> requests() const {
    std::vector<json> out;
    std::ifstream in(root_ / "requests.log");
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  }
  size_t count(const std::string& method, const std::string& path_part = "", const std::string& port = "") const {
    size_t n = 0;
    for (const auto& r : requests())
      if (r["method"] == method && r["path"].get<std::string>().find(path_part) != std::string::npos &&
          (port.empty() || r["port"] == port))
        ++n;
    return n;
  }

 private:
  fs::path root_;
  pid_t pid_ = -1;
  int port_ = 0, cdn_port_ = 0;
};

// Scrubs the environment, points HF_HOME at a temp folder, starts a fake Hub.
class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE",
                          "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                          "HF_HUB_DISABLE_IMPLICIT_TOKEN", "HF_HUB_DISABLE_SYMLINKS", "XDG_CACHE_HOME"})
      ::unsetenv(v);
    ::setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1", 1);
    hub_ = std::make_unique<FakeHub>();
    home_ = hub_->root() / "hf_home";
    ::setenv("HF_HOME", home_.c_str(), 1);
    cache_ = hub_->root() / "cache";
    opts_.endpoint = hub_->endpoint();
    opts_.cache_dir = cache_.string();
  }
  void TearDown() override {
    hub_.reset();
    ::unsetenv("HF_HOME");
  }

  // A small model repo on main: config (regular file), weights (LFS), tokenizer files.
  void add_model(const std::string& id, const std::string& c, std::string weights = "") {
    if (weights.empty()) weights = random_bytes(20000, 7);
    hub_->add_repo(id, {{"refs", {{"main", c}}}},
                   {{c,
                     {{"config.json", R"({"model_type": "qwen2"})"},
                      {"tokenizer.json", R"({"version": "1.0"})"},
                      {"tokenizer_config.json", "{}"},
                      {"model.safetensors", weights}}}});
  }
  fs::path storage(const std::string& folder) const { return cache_ / folder; }

  std::unique_ptr<FakeHub> hub_;
  fs::path home_, cache_;
  HubOptions opts_;
};

}  // namespace hf::testing
