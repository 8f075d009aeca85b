#pragma once
// Temporary files of the tests live under the build tree (HF_BINARY_DIR/test-tmp), never loose in
// /tmp: a crashed or killed test leaves nothing behind outside the build, and `rm -rf build`
// removes everything. Names carry the process id, since ctest runs tests in parallel.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

inline std::filesystem::path test_temp_root() {
  const auto root = std::filesystem::path(HF_BINARY_DIR) / "test-tmp";
  std::filesystem::create_directories(root);
  return root;
}

// A folder of its own for one test, removed with everything in it when the object goes.
class TestTempDir {
 public:
  explicit TestTempDir(const std::string& name)
      : path_(test_temp_root() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TestTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TestTempDir(const TestTempDir&) = delete;
  TestTempDir& operator=(const TestTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};
