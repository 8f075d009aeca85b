#pragma once
// An exclusive lock on .locks/<repo folder>/<etag>.lock held while a blob is checked and created.
// flock() on the same path Python's filelock uses, so C++ and Python processes exclude each other.
// The lock file is never deleted (deleting it would let two processes lock two different inodes).
#include <filesystem>

namespace hf::hub {

class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);  // blocks until acquired
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace hf::hub
