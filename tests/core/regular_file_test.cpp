// Model files are opened only as regular files: a FIFO, a directory or a device under a model
// file's name is a clear hf::FileError at once, never a blocked open() or a garbage size.
#include "core/regular_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/json.h"
#include "core/mapped_file.h"
#include "hf/error.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

class RegularFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hf_regular_file_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The message of the FileError that `read` throws for `path`.
  template <class F>
  static std::string error_of(F read, const fs::path& path) {
    try {
      read(path);
    } catch (const FileError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

// Opens the FIFO for writing whenever a reader is blocked on it, for up to 10 s: an open() that
// waits for a writer then returns (and the test fails on its message) instead of hanging.
class FifoUnblocker {
 public:
  explicit FifoUnblocker(fs::path fifo)
      : thread_([this, fifo = std::move(fifo)] {
          for (int i = 0; i < 1000 && !stop_; ++i) {
            int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // ENXIO while nobody reads
            if (fd >= 0) { ::close(fd); return; }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        }) {}
  ~FifoUnblocker() { stop_ = true; thread_.join(); }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(RegularFileTest, FifoNamedLikeAModelFileIsRefusedWithoutBlocking) {
  const fs::path fifo = dir_ / "model.safetensors";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  FifoUnblocker unblock(fifo);
  const std::string e = error_of([](const fs::path& p) { MappedFile::open(p); }, fifo);
  EXPECT_EQ(e, fifo.string() + ": is a FIFO (named pipe), not a file");
  EXPECT_EQ(error_of([](const fs::path& p) { read_text_file(p); }, fifo), e);
}

TEST_F(RegularFileTest, DirectoryNamedLikeAJsonFileIsAClearError) {
  const fs::path dir = dir_ / "tokenizer.json";
  fs::create_directories(dir);
  EXPECT_EQ(error_of([](const fs::path& p) { read_json_file(p); }, dir), dir.string() + ": is a directory, not a file");
  EXPECT_EQ(error_of([](const fs::path& p) { MappedFile::open(p); }, dir), dir.string() + ": is a directory, not a file");
}

TEST_F(RegularFileTest, DeviceIsRefused) {
  EXPECT_EQ(error_of([](const fs::path& p) { read_text_file(p); }, "/dev/zero"), "/dev/zero: is a device, not a file");
}

TEST_F(RegularFileTest, MissingFileNamesThePath) {
  EXPECT_EQ(error_of([](const fs::path& p) { read_text_file(p); }, dir_ / "config.json"),
            (dir_ / "config.json").string() + ": cannot open: No such file or directory");
}

TEST_F(RegularFileTest, ReadsAndMapsARegularFile) {
  const fs::path p = dir_ / "config.json";
  std::ofstream(p) << R"({"a": [1, 2]})";
  EXPECT_EQ(read_json_file(p)["a"][1], 2);
  auto m = MappedFile::open(p);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(m->data()), m->size()), R"({"a": [1, 2]})");
  std::ofstream(dir_ / "empty.json");
  EXPECT_EQ(read_text_file(dir_ / "empty.json"), "");
  EXPECT_EQ(MappedFile::open(dir_ / "empty.json")->size(), 0u);
}

TEST_F(RegularFileTest, SymlinkToARegularFileIsFollowed) {
  // The Hub cache's snapshots are symlinks to blobs.
  std::ofstream(dir_ / "blob") << "x";
  fs::create_symlink(dir_ / "blob", dir_ / "tokenizer.json");
  EXPECT_EQ(read_text_file(dir_ / "tokenizer.json"), "x");
}

}  // namespace
}  // namespace hf
